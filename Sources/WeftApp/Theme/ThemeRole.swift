/// A semantic colour role: what a piece of the screen means, not which colour it has.
public enum ThemeRole: String, CaseIterable, Sendable, Hashable {
    case text
    case muted
    case border
    case focus
    case selection
    case header
    case title
    case statusBar = "status-bar"
    case statusKey = "status-key"
    case disabled
    case input
    case error
    case warning
    case success
    case production
    case changed
    case gaugeFilled = "gauge-filled"
    case gaugeEmpty = "gauge-empty"
    case runQueued = "run-queued"
    case runRunning = "run-running"
    case runSuccess = "run-success"
    case runFailed = "run-failed"
    case runCancelled = "run-cancelled"
    case taskPending = "task-pending"
    case taskRunning = "task-running"
    case taskRetrying = "task-retrying"
    case taskSuccess = "task-success"
    case taskFailed = "task-failed"
    case taskSkipped = "task-skipped"
    case taskCancelled = "task-cancelled"
    case taskOrphaned = "task-orphaned"
}
