import Foundation
import WeftDomain
import WeftStore

/// Persists run and task state on its own thread, batching everything queued since the last commit into one
/// transaction (so events never wait on SQLite and bursts cost one write). Later states of the same row replace
/// earlier ones still queued. Callbacks run after the commit that contains everything queued before them.
final class RunWriter: @unchecked Sendable {
    private struct TaskKey: Hashable {
        var run: String
        var key: String
    }

    private struct Pending {
        var runs: [String: RunRecord] = [:]
        var runOrder: [String] = []
        var tasks: [TaskKey: (TaskRunRecord, Int32?)] = [:]
        var taskOrder: [TaskKey] = []
        var callbacks: [@Sendable () -> Void] = []
        var stopping = false
        var isEmpty: Bool { runOrder.isEmpty && taskOrder.isEmpty && callbacks.isEmpty }
    }

    private let metastore: Metastore
    private let condition = NSCondition()
    private var pending = Pending()
    private var busy = false
    private let onError: @Sendable (any Error) -> Void
    private var thread: Thread?

    init(metastore: Metastore, onError: @escaping @Sendable (any Error) -> Void) {
        self.metastore = metastore
        self.onError = onError
        let t = Thread { [self] in self.loop() }
        t.name = "weft-run-writer"
        // Persistence may lag a little under load; the reactor and the watchers come first.
        t.qualityOfService = .utility
        thread = t
        t.start()
    }

    func write(run: RunRecord) {
        condition.lock()
        if pending.runs.updateValue(run, forKey: run.id) == nil { pending.runOrder.append(run.id) }
        condition.signal()
        condition.unlock()
    }

    func write(task: TaskRunRecord, pid: Int32?) {
        let k = TaskKey(run: task.runID, key: task.key)
        condition.lock()
        if pending.tasks.updateValue((task, pid), forKey: k) == nil { pending.taskOrder.append(k) }
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` once everything queued so far is committed.
    func afterCommit(_ body: @escaping @Sendable () -> Void) {
        condition.lock()
        pending.callbacks.append(body)
        condition.signal()
        condition.unlock()
    }

    /// Blocks until everything queued so far is committed.
    func flush() {
        let done = DispatchSemaphore(value: 0)
        afterCommit { done.signal() }
        done.wait()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !pending.stopping { condition.wait() }
            if pending.isEmpty && pending.stopping {
                condition.unlock()
                return
            }
            let batch = pending
            pending = Pending(stopping: batch.stopping)
            condition.unlock()

            let runs = batch.runOrder.compactMap { batch.runs[$0] }
            let tasks = batch.taskOrder.compactMap { k in batch.tasks[k].map { (k: $0.0, pid: $0.1) } }
            do {
                try metastore.updateRuns(runs, tasks: tasks.map { ($0.k, pid: $0.pid) })
            } catch {
                onError(error)
            }
            for c in batch.callbacks { c() }
        }
    }
}
