import Foundation

/// A run as kept in history.
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: String
    public var project: String
    public var job: String
    public var fabric: String
    public var state: RunState
    public var trigger: RunTrigger
    public var user: String
    public var commit: String
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var message: String?
    /// The driver that runs it (its fabric kind when it started, e.g. `local`).
    public var driver: String
    /// The run's id on the fabric, for drivers whose runs live outside Weft (nil for local runs).
    public var externalID: String?
    /// The release version that ran, nil when the commit was not a release (`HEAD …, not released`).
    public var release: String?

    public init(
        id: String, project: String, job: String, fabric: String, state: RunState, trigger: RunTrigger, user: String,
        commit: String, queuedAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, message: String? = nil,
        driver: String = "local", externalID: String? = nil, release: String? = nil
    ) {
        self.id = id
        self.project = project
        self.job = job
        self.fabric = fabric
        self.state = state
        self.trigger = trigger
        self.user = user
        self.commit = commit
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.message = message
        self.driver = driver
        self.externalID = externalID
        self.release = release
    }

    /// What ran: the commit, and the release when it was one.
    public var revision: RunRevision { RunRevision(commit: commit, release: release) }

    /// Seconds from start to finish (or to `now` while running).
    public func duration(now: Date = Date()) -> TimeInterval? {
        guard let s = startedAt else { return nil }
        return (finishedAt ?? now).timeIntervalSince(s)
    }
}

/// One task of a run as kept in history.
public struct TaskRunRecord: Sendable, Hashable, Codable {
    public var runID: String
    public var key: String
    public var state: TaskState
    public var attempt: Int
    public var exitCode: Int32?
    public var progress: Double?
    public var progressMessage: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var message: String?

    public init(
        runID: String, key: String, state: TaskState, attempt: Int = 0, exitCode: Int32? = nil, progress: Double? = nil,
        progressMessage: String? = nil, startedAt: Date? = nil, finishedAt: Date? = nil, message: String? = nil
    ) {
        self.runID = runID
        self.key = key
        self.state = state
        self.attempt = attempt
        self.exitCode = exitCode
        self.progress = progress
        self.progressMessage = progressMessage
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.message = message
    }
}
