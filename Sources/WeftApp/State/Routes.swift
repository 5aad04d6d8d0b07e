import Foundation
import TerminalUI
import WeftDomain

/// A full screen on the navigation stack of the main screen (Esc pops it).
public enum Route: Sendable, Hashable {
    /// A job's tasks, graph and configuration.
    case jobDetail(JobDetailState)
    /// A run's live progress.
    case run(String)
    /// A task's full log.
    case log(LogState)
    /// A job beside the job it was duplicated from.
    case diff(DiffState)
    /// The audit timeline.
    case audit(AuditState)
    /// A release's progress.
    case release(ReleaseProgressState)
}

/// The job detail screen.
public struct JobDetailState: Sendable, Hashable {
    /// `PROJECT/JOB`.
    public var ref: String
    /// The selected task (index into the job's tasks in graph order).
    public var selectedTask: Int = 0

    /// Creates the screen's state.
    public init(ref: String, selectedTask: Int = 0) {
        self.ref = ref
        self.selectedTask = selectedTask
    }
}

/// The log screen of one task of a run.
public struct LogState: Sendable, Hashable {
    /// The run.
    public var runID: String
    /// The task key.
    public var task: String
    /// The log's lines.
    public var lines: [String] = []
    /// First line shown.
    public var scroll: Int = 0
    /// Keep the end in view as lines arrive.
    public var follow: Bool = true
    /// The search text (`/` in the log), highlighted; `n`/`N` jump between matches.
    public var search: String = ""
    /// Whether the search field is being typed into.
    public var isSearching: Bool = false
    /// Lines (indices) that match `search`.
    public var matches: [Int] = []

    /// Creates the log screen's state.
    public init(runID: String, task: String, lines: [String] = []) {
        self.runID = runID
        self.task = task
        self.lines = lines
    }
}

/// The diff screen.
public struct DiffState: Sendable, Hashable {
    /// The job (left).
    public var left: JobRecord
    /// The job it is compared with (right).
    public var right: JobRecord
    /// Every difference, in the domain's order.
    public var differences: [JobDifference]
    /// First row shown.
    public var scroll: Int = 0

    /// Creates the diff screen's state.
    public init(left: JobRecord, right: JobRecord, differences: [JobDifference]) {
        self.left = left
        self.right = right
        self.differences = differences
    }
}

/// The audit screen.
public struct AuditState: Sendable, Hashable {
    /// Events, newest first.
    public var events: [AuditEvent]
    /// Selection and filter.
    public var list = ListState()

    /// Creates the audit screen's state.
    public init(events: [AuditEvent]) {
        self.events = events
    }

    /// The text the filter matches per event.
    public var searchTexts: [String] {
        events.map { "\($0.user) \($0.action) \($0.object) \($0.fabric ?? "") \($0.result.rawValue) \($0.detail)".lowercased() }
    }
}

/// A run as the run view keeps it, built from the engine's events.
public struct RunViewState: Sendable, Hashable {
    /// The run.
    public var run: RunRecord
    /// Its tasks, in graph order.
    public var tasks: [TaskRunRecord]
    /// The last log lines per task (a bounded tail).
    public var logTail: [String: [String]] = [:]
    /// The selected task (index into `tasks`).
    public var selectedTask: Int = 0
    /// Past durations, for the ETA.
    public var estimator: RunEstimator?
    /// Whether events are still arriving.
    public var isLive: Bool = true

    /// Lines kept per task for the tail.
    public static let tailLength = 200

    /// Creates the state of a run.
    public init(run: RunRecord, tasks: [TaskRunRecord]) {
        self.run = run
        self.tasks = tasks
    }

    /// Applies one engine event.
    public mutating func apply(_ event: RunEvent) {
        switch event {
        case .snapshot(let r, let t):
            run = r
            let order = tasks.map(\.key)
            tasks = t.sorted { (order.firstIndex(of: $0.key) ?? Int.max) < (order.firstIndex(of: $1.key) ?? Int.max) }
        case .runQueued(_, let at):
            run.state = .queued
            run.queuedAt = at
        case .runStarted(_, let at):
            run.state = .running
            run.startedAt = at
        case .taskStarted(_, let key, let attempt, let at):
            update(key) {
                $0.state = .running
                $0.attempt = attempt
                $0.startedAt = at
                $0.finishedAt = nil
                $0.progress = nil
            }
        case .taskProgress(_, let key, let fraction, let message):
            update(key) {
                $0.progress = fraction
                $0.progressMessage = message
            }
        case .taskLog(_, let key, let line):
            var tail = logTail[key, default: []]
            tail.append(line)
            if tail.count > Self.tailLength { tail.removeFirst(tail.count - Self.tailLength) }
            logTail[key] = tail
        case .taskRetrying(_, let key, let attempt, _, let reason):
            update(key) {
                $0.state = .retrying
                $0.attempt = attempt
                $0.message = reason
            }
        case .taskFinished(_, let key, let state, let exitCode, let at, let message):
            update(key) {
                $0.state = state
                $0.exitCode = exitCode
                $0.finishedAt = at
                $0.message = message
                if state == .success { $0.progress = 1 }
            }
        case .runFinished(_, let state, let at, let message):
            run.state = state
            run.finishedAt = at
            run.message = message
            isLive = false
        }
    }

    private mutating func update(_ key: String, _ body: (inout TaskRunRecord) -> Void) {
        if let i = tasks.firstIndex(where: { $0.key == key }) {
            body(&tasks[i])
        } else {
            var t = TaskRunRecord(runID: run.id, key: key, state: .pending)
            body(&t)
            tasks.append(t)
        }
    }
}
