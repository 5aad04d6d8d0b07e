import Foundation

/// What happens during a run, in order. Watchers that attach late first get a `.snapshot`.
public enum RunEvent: Sendable, Hashable, Codable {
    /// The current state of the run and its tasks (first event for a watcher that attaches mid-run).
    case snapshot(RunRecord, [TaskRunRecord])
    case runQueued(runID: String, at: Date)
    case runStarted(runID: String, at: Date)
    case taskStarted(runID: String, task: String, attempt: Int, at: Date)
    case taskProgress(runID: String, task: String, fraction: Double, message: String?)
    case taskLog(runID: String, task: String, line: String)
    case taskRetrying(runID: String, task: String, attempt: Int, delay: TimeInterval, reason: String)
    case taskFinished(runID: String, task: String, state: TaskState, exitCode: Int32?, at: Date, message: String?)
    case runFinished(runID: String, state: RunState, at: Date, message: String?)

    /// The run this event belongs to.
    public var runID: String {
        switch self {
        case .snapshot(let r, _): return r.id
        case .runQueued(let id, _), .runStarted(let id, _), .runFinished(let id, _, _, _): return id
        case .taskStarted(let id, _, _, _), .taskProgress(let id, _, _, _), .taskLog(let id, _, _),
            .taskRetrying(let id, _, _, _, _), .taskFinished(let id, _, _, _, _, _):
            return id
        }
    }
}
