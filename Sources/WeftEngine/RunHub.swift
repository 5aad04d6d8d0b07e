import Foundation
import WeftDomain

/// Holds the live state of the runs an engine owns and fans events out to any number of watchers.
/// Updates and subscriptions take one lock, so a new watcher's snapshot and the live events that follow it
/// never overlap or leave a gap.
final class RunHub: Sendable {
    typealias Continuation = AsyncThrowingStream<RunEvent, any Error>.Continuation

    private struct Channel {
        var run: RunRecord
        var tasks: [TaskRunRecord]
        var index: [String: Int]
        var watchers: [Int: Continuation] = [:]
    }

    private struct State {
        var channels: [String: Channel] = [:]
        var nextWatcher = 0
    }

    private let state = Locked(State())

    /// Registers a run (before any event of it is published).
    func open(run: RunRecord, tasks: [TaskRunRecord]) {
        var index: [String: Int] = [:]
        for (i, t) in tasks.enumerated() { index[t.key] = i }
        state.withLock { $0.channels[run.id] = Channel(run: run, tasks: tasks, index: index) }
    }

    /// Whether the hub holds this run.
    func contains(_ runID: String) -> Bool { state.withLock { $0.channels[runID] != nil } }

    /// Run IDs currently held.
    var runIDs: [String] { state.withLock { Array($0.channels.keys) } }

    /// The current snapshot of a run held here.
    func snapshot(_ runID: String) -> (RunRecord, [TaskRunRecord])? {
        state.withLock { s in s.channels[runID].map { ($0.run, $0.tasks) } }
    }

    /// Updates the run record and publishes `event` (if any) atomically.
    func updateRun(_ run: RunRecord, event: RunEvent?) {
        state.withLock { s in
            guard var c = s.channels[run.id] else { return }
            c.run = run
            s.channels[run.id] = c
            if let event { for w in c.watchers.values { w.yield(event) } }
        }
    }

    /// Updates a task record and publishes `event` (if any) atomically.
    func updateTask(_ task: TaskRunRecord, event: RunEvent?) {
        state.withLock { s in
            guard var c = s.channels[task.runID], let i = c.index[task.key] else { return }
            c.tasks[i] = task
            s.channels[task.runID] = c
            if let event { for w in c.watchers.values { w.yield(event) } }
        }
    }

    /// Publishes an event that changes no record (e.g. a log line).
    func publish(_ event: RunEvent) {
        state.withLock { s in
            guard let c = s.channels[event.runID] else { return }
            for w in c.watchers.values { w.yield(event) }
        }
    }

    /// Publishes the final event, ends every watcher's stream and forgets the run.
    func close(_ run: RunRecord, event: RunEvent) {
        let watchers: [Continuation] = state.withLock { s in
            guard var c = s.channels.removeValue(forKey: run.id) else { return [] }
            c.run = run
            for w in c.watchers.values { w.yield(event) }
            return Array(c.watchers.values)
        }
        for w in watchers { w.finish() }
    }

    /// Forgets a run without a final event (its recorder detached): every watcher's stream ends.
    func detach(_ runID: String) {
        let watchers: [Continuation] = state.withLock { s in
            guard let c = s.channels.removeValue(forKey: runID) else { return [] }
            return Array(c.watchers.values)
        }
        for w in watchers { w.finish() }
    }

    /// Subscribes to a run held here: the stream starts with `.snapshot`. Returns nil when the run is not held.
    func subscribe(_ runID: String) -> AsyncThrowingStream<RunEvent, any Error>? {
        let (stream, continuation) = AsyncThrowingStream<RunEvent, any Error>.makeStream()
        let added: Int? = state.withLock { s in
            guard var c = s.channels[runID] else { return nil }
            let id = s.nextWatcher
            s.nextWatcher += 1
            continuation.yield(.snapshot(c.run, c.tasks))
            c.watchers[id] = continuation
            s.channels[runID] = c
            return id
        }
        guard let id = added else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { s in
                _ = s.channels[runID]?.watchers.removeValue(forKey: id)
            }
        }
        return stream
    }
}
