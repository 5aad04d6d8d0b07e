import Foundation
import WeftDomain
import WeftStore

/// What a fabric says about a run that lives on it, mapped to Weft's states by the driver.
public struct RemoteRunStatus: Sendable, Hashable {
    public var state: RunState
    public var startedAt: Date?
    public var finishedAt: Date?
    public var message: String?
    /// Every task of the run as the fabric reports it.
    public var tasks: [TaskRunRecord]
    /// Log lines the fabric produced since the last poll, per task.
    public var newLogLines: [String: [String]]

    /// A status.
    public init(
        state: RunState, startedAt: Date? = nil, finishedAt: Date? = nil, message: String? = nil, tasks: [TaskRunRecord],
        newLogLines: [String: [String]] = [:]
    ) {
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.message = message
        self.tasks = tasks
        self.newLogLines = newLogLines
    }
}

/// Records runs that live on a remote fabric (Airflow, Databricks, …): one poller per run with back-off that
/// writes only changes to the metastore and turns them into `RunEvent`s for watchers in this process. Other
/// processes follow the same runs through the metastore (`RunFollower`). Stopping the tracker detaches: the runs
/// go on on the fabric, and a later process reattaches by external id.
public final class RemoteRunTracker: Sendable {
    /// Where the runs are recorded.
    public let metastore: Metastore
    /// Who owns the runs this tracker records.
    public let owner: RunOwner
    private let minInterval: TimeInterval
    private let maxInterval: TimeInterval
    private let hub = RunHub()
    private let loops = Locked([String: Task<Void, Never>]())

    /// A tracker; polls every `minInterval` seconds while a run changes, backing off to `maxInterval`.
    public init(metastore: Metastore, owner: RunOwner, minInterval: TimeInterval = 0.5, maxInterval: TimeInterval = 5) {
        self.metastore = metastore
        self.owner = owner
        self.minInterval = minInterval
        self.maxInterval = maxInterval
    }

    /// Records a new run (state `queued`) with its tasks, `max_concurrent_runs` checked across processes.
    public func record(_ run: RunRecord, tasks: [TaskRunRecord], maxConcurrentRuns: Int) throws {
        let limit = ConcurrentRunLimit(maxConcurrentRuns: maxConcurrentRuns) { ProcessIdentity.isAlive($0) }
        try metastore.insertRun(run, tasks: tasks, owner: owner, limit: limit)
    }

    /// Starts recording a run (already in the metastore) from its fabric's answers to `poll`, until it ends.
    /// Returns a stream of its events when `watch` (subscribed before the first poll).
    @discardableResult
    public func track(
        _ run: RunRecord, tasks: [TaskRunRecord], watch: Bool = false, poll: @escaping @Sendable () async throws -> RemoteRunStatus
    ) -> AsyncThrowingStream<RunEvent, any Error>? {
        hub.open(run: run, tasks: tasks)
        let stream = watch ? hub.subscribe(run.id) : nil
        let hub = self.hub, loops = self.loops, metastore = self.metastore, minInterval = self.minInterval, maxInterval = self.maxInterval
        let runID = run.id
        let loop = Task {
            var current = run
            var currentTasks = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0) })
            var interval = minInterval
            while !Task.isCancelled {
                var changed = false
                do {
                    let status = try await poll()
                    if Task.isCancelled { return }
                    // Work on copies: the recorded state moves only once the metastore has it.
                    var next = current
                    var nextTasks = currentTasks
                    var runChanged = false
                    var events: [RunEvent] = []
                    if current.state == .queued && status.state != .queued {
                        events.append(.runStarted(runID: runID, at: status.startedAt ?? Date()))
                    }
                    if status.state != current.state || status.message != current.message || status.startedAt != current.startedAt {
                        next.state = status.state
                        next.startedAt = status.startedAt ?? current.startedAt
                        next.finishedAt = status.finishedAt ?? (status.state.isFinished ? Date() : nil)
                        next.message = status.message
                        runChanged = true
                    }
                    var changedTasks: [(TaskRunRecord, pid: Int32?)] = []
                    for var t in status.tasks {
                        t.runID = runID
                        let old = currentTasks[t.key]
                        if old != t {
                            events += RunFollower.diff(old: old, new: t)
                            nextTasks[t.key] = t
                            changedTasks.append((t, pid: nil))
                        }
                    }
                    if runChanged || !changedTasks.isEmpty {
                        try metastore.updateRuns(runChanged ? [next] : [], tasks: changedTasks)
                        changed = true
                    }
                    current = next
                    currentTasks = nextTasks
                    for (t, _) in changedTasks { hub.updateTask(t, event: nil) }
                    for (task, lines) in status.newLogLines.sorted(by: { $0.key < $1.key }) {
                        for line in lines { hub.publish(.taskLog(runID: runID, task: task, line: line)) }
                        if !lines.isEmpty { changed = true }
                    }
                    for e in events { hub.publish(e) }
                    if current.state.isFinished {
                        _ = loops.withLock { $0.removeValue(forKey: runID) }
                        hub.close(current, event: .runFinished(runID: runID, state: current.state, at: current.finishedAt ?? Date(), message: current.message))
                        return
                    }
                    if runChanged { hub.updateRun(current, event: nil) }
                } catch {
                    // The fabric did not answer: keep the run as it is and ask again later.
                }
                interval = changed ? minInterval : min(maxInterval, interval * 1.5)
                try? await Task.sleep(for: .seconds(interval))
            }
        }
        loops.withLock { $0[runID] = loop }
        return stream
    }

    /// Events of a run this tracker records (`.snapshot` first); nil when it does not record it.
    public func subscribe(_ runID: String) -> AsyncThrowingStream<RunEvent, any Error>? { hub.subscribe(runID) }

    /// Ids of the unfinished runs this tracker records.
    public var activeRunIDs: [String] { hub.runIDs }

    /// Stops recording every run without touching them: they go on on the fabric.
    public func detachAll() {
        let all = loops.withLock { l -> [(String, Task<Void, Never>)] in
            defer { l.removeAll() }
            return Array(l)
        }
        for (id, t) in all {
            t.cancel()
            hub.detach(id)
        }
    }
}
