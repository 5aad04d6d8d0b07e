import WeftDomain

/// I/O the update function asks for. The runtime executes effects and answers with messages.
public enum AppEffect: Sendable, Hashable {
    /// Check the credentials (→ `.loggedIn` / `.loginFailed`).
    case login(user: String, password: String)
    /// Load teams, fabrics, projects and jobs (→ `.mainLoaded`).
    case loadMain
    /// Load the runs of a job (→ `.runsLoaded`).
    case loadRuns(ref: String)
    /// Plan a duplicate for the preview (→ `.duplicatePlanned`).
    case planDuplicate(source: String, fabric: String, name: String)
    /// Duplicate a job (→ `.duplicated`).
    case duplicate(source: String, fabric: String, name: String)
    /// Load a task's configuration form (→ `.configFormLoaded`).
    case loadConfigForm(ref: String, task: String)
    /// Write a task's configuration (→ `.configSaved`).
    case saveConfig(ConfigSave)
    /// Suspend the terminal and edit the form as YAML in `$EDITOR` (→ `.editorReturned`).
    case editInEditor(ConfigFormState, errors: [String])
    /// Enable or disable a job (→ `.enabledChanged`).
    case setEnabled(ref: String, enabled: Bool, blob: String)
    /// Start a run of a job and watch it (→ `.runStarted`, then `.runEvent`s).
    /// Start a run; `production`: the production fabric the user confirmed (the run is refused when its plan
    /// lands on a production fabric not confirmed, e.g. the job moved there since the screen was loaded).
    case startRun(ref: String, production: String?)
    /// Open a run from history and follow it while it is live (→ `.runOpened`, `.runEvent`s).
    case openRun(runID: String)
    /// Cancel a run.
    case cancelRun(runID: String)
    /// Read a task's log (→ `.logLoaded`).
    case loadLog(runID: String, task: String)
    /// Compute the diff of a job against its `based_on` source (→ `.diffLoaded`).
    case loadDiff(ref: String)
    /// Load what the release dialog suggests: the project's last release (→ `.releaseInfoLoaded`).
    case loadReleaseInfo(project: String)
    /// Plan a release: a dry run (→ `.releasePlanned` / `.releasePlanFailed`).
    case planRelease(project: String, version: String)
    /// Release, applying only the plans confirmed (→ `.releaseProgress`…, then `.releaseFinished`).
    case release(project: String, version: String, confirmed: [DeploymentPlan])
    /// Plan promoting the source's changes into a job (→ `.promotePlanned`).
    case planPromote(ref: String)
    /// Promote, if the plan is still the one confirmed (→ `.promoted`).
    case promote(ref: String, lines: [String])
    /// Load the audit timeline (→ `.auditLoaded`).
    case loadAudit
    /// Load a theme by name (→ `.themeLoaded`).
    case loadTheme(String)
    /// Start ticking once a second (while a live run is on screen).
    case startTicking
    /// Stop ticking.
    case stopTicking
    /// Exit the app.
    case quit
}
