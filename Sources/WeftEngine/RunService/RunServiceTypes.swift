import Foundation
import WeftDomain

/// Who starts a run: a logged-in user, or the scheduler acting for an enabled job's fabric.
public enum RunActor: Sendable, Hashable {
    case user(Principal)
    case scheduler

    /// The name runs and audit events record.
    public var name: String {
        switch self {
        case .user(let p): return p.name
        case .scheduler: return "scheduler"
        }
    }
}

/// Start a run of a job (`weft run`, the TUI's play button, a schedule's fire time).
public struct StartRunRequest: Sendable, Hashable, Codable {
    /// `JOB` (when unique) or `PROJECT/JOB`.
    public var job: String
    public var trigger: RunTrigger
    /// Which revision of the project runs.
    public var revision: RevisionSelector
    /// The run's id, when the caller chose one (the detached owner of `weft run`); else a new one.
    public var runID: String?
    /// The fabric whose deployed job runs (the scheduler: it fires what a fabric holds, which may be a job that
    /// HEAD has moved or removed since); nil for the job's fabric.
    public var fabric: String?

    /// A request; by default the fabric's stage decides the revision (`RevisionSelector.stageDefault`).
    public init(
        job: String, trigger: RunTrigger = .manual, revision: RevisionSelector = .stageDefault, runID: String? = nil, fabric: String? = nil
    ) {
        self.job = job
        self.trigger = trigger
        self.revision = revision
        self.runID = runID
        self.fabric = fabric
    }
}

/// A run with its tasks, and where its logs are kept.
public struct RunDetail: Sendable, Hashable, Codable {
    public var run: RunRecord
    public var tasks: [TaskRunRecord]
    /// Where the driver keeps the run's logs (a directory, a URL), for people.
    public var logLocation: String?

    /// A detail.
    public init(run: RunRecord, tasks: [TaskRunRecord], logLocation: String?) {
        self.run = run
        self.tasks = tasks
        self.logLocation = logLocation
    }
}

/// Which runs to list (`weft runs list`).
public struct RunQuery: Sendable, Hashable, Codable {
    public var job: String?
    public var fabric: String?
    public var state: RunState?
    public var limit: Int

    /// A query; nil filters match everything the user may read.
    public init(job: String? = nil, fabric: String? = nil, state: RunState? = nil, limit: Int = 30) {
        self.job = job
        self.fabric = fabric
        self.state = state
        self.limit = limit
    }
}

/// One task's log.
public struct TaskLog: Sendable, Hashable, Codable {
    public var task: String
    /// The log's text (secrets masked); empty when the task wrote nothing yet.
    public var text: String

    /// A log.
    public init(task: String, text: String) {
        self.task = task
        self.text = text
    }

    /// The log's lines (without a trailing empty line).
    public var lines: [String] {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return all.last == "" ? Array(all.dropLast()) : all
    }
}
