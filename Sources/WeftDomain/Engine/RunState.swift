/// The state of a run.
public enum RunState: String, Sendable, Codable, CaseIterable, Hashable {
    case queued, running, success, failed, cancelled

    /// Whether the run has ended.
    public var isFinished: Bool { self == .success || self == .failed || self == .cancelled }
}

/// The state of one task within a run.
public enum TaskState: String, Sendable, Codable, CaseIterable, Hashable {
    case pending, running, retrying, success, failed, skipped, cancelled
    /// Failed because its owning process died; set by recovery.
    case orphaned

    /// Whether the task has ended.
    public var isFinished: Bool {
        switch self {
        case .success, .failed, .skipped, .cancelled, .orphaned: return true
        case .pending, .running, .retrying: return false
        }
    }
}

/// Why a run started.
public enum RunTrigger: String, Sendable, Codable, Hashable {
    case manual, schedule, catchup
}
