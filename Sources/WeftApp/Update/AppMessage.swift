import Foundation
import TerminalUI
import WeftDomain

/// Everything that can happen to the app: input, and the results of effects. Facts are past tense.
public enum AppMessage: Sendable, Hashable {
    /// A key was pressed.
    case key(Key)
    /// The terminal was resized.
    case resized(Size)
    /// SIGINT, SIGTERM or SIGHUP arrived.
    case quitSignalled(QuitSignal)
    /// The clock advanced (ticks come only while a run is live on screen).
    case ticked(Date)
    /// Login succeeded.
    case loggedIn(Principal)
    /// Login failed; the domain's message (wrong password, throttling).
    case loginFailed(String)
    /// The main screen's data arrived.
    case mainLoaded(MainData)
    /// The runs of a job arrived; `hidden` says why they may not be read.
    case runsLoaded(ref: String, runs: [RunRecord], hidden: String?)
    /// The duplicate preview was planned.
    case duplicatePlanned(DuplicatePreview)
    /// Planning the duplicate failed.
    case duplicatePlanFailed(String)
    /// The job was duplicated.
    case duplicated(JobRecord)
    /// The configuration form's data arrived.
    case configFormLoaded(ConfigFormState)
    /// The configuration was saved.
    case configSaved(JobRecord)
    /// `$EDITOR` returned with this text (nil when the file could not be read).
    case editorReturned(ConfigFormState, text: String?)
    /// The job was enabled or disabled.
    case enabledChanged(JobRecord)
    /// A run was started.
    case runStarted(RunRecord, [TaskRunRecord], RunEstimator?)
    /// An event of a watched run arrived.
    case runEvent(RunEvent)
    /// A watched run's stream ended (with the error, if it failed).
    case runStreamEnded(runID: String, error: String?)
    /// A run opened from history (snapshot) arrived.
    case runOpened(RunRecord, [TaskRunRecord], RunEstimator?)
    /// A task's full log arrived.
    case logLoaded(runID: String, task: String, lines: [String])
    /// The diff arrived.
    case diffLoaded(DiffState)
    /// The project's last release arrived (for the release dialog's suggested version).
    case releaseInfoLoaded(project: String, last: String?)
    /// A release was planned (the dry run).
    case releasePlanned(project: String, preview: ReleasePreview)
    /// Planning a release failed (why it cannot be released).
    case releasePlanFailed(project: String, version: String, message: String)
    /// A line of a running release.
    case releaseProgress(project: String, version: String, ReleaseLogLine)
    /// A release ended: `error` says why it stopped, `summary` what it did.
    case releaseFinished(project: String, version: String, error: String?, summary: String)
    /// A promotion was planned: its lines, whether it changes anything, the job's fabric.
    case promotePlanned(ref: String, lines: [String], isEmpty: Bool, fabric: String, isProduction: Bool, blocked: Bool)
    /// The job was promoted.
    case promoted(JobRecord, summary: String)
    /// The audit events arrived.
    case auditLoaded([AuditEvent])
    /// A theme was loaded (with a warning when it fell back to the default).
    case themeLoaded(Theme, warning: String?)
    /// An effect failed; `problems` lists the domain's problems when it refused with several.
    case failed(operation: String, message: String, problems: [String])
}
