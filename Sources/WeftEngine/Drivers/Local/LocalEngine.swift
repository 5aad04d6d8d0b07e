import CPosix
import Foundation
import WeftDomain
import WeftStore

/// The engine of `local` fabrics: runs a job's tasks as processes on this machine.
///
/// - At most `fabric.slots` task processes run at once per fabric, across all runs of this engine; with the
///   request's `slotLockDirectory`, across every process on the workspace (one flock'ed file per slot).
/// - At most `maxConcurrentRuns` runs per job; further runs of this engine wait in state `queued` (their message
///   says why) and start in order when a run of the job ends. A trigger while other live processes own runs of
///   the job that, with this engine's, reach the limit is refused with `WeftError.conflict`.
/// - Each task is a child in its own process group; its output goes to `<logDirectory>/<task>.log` with secret
///   values masked, and `::progress` lines become progress events.
/// - State is persisted to the metastore's `runs`/`task_runs` by a background writer (one transaction per burst);
///   `.runFinished` is delivered only after the final state is committed.
/// - Cancelling a run owned by another process writes a cancel request into the run's row and sends SIGUSR1 to
///   the owner, whose engine then cancels the run itself (no polling on either side).
///
/// Keep one engine per process; it lives as long as the process.
public final class LocalEngine: Sendable {
    let core: EngineCore
    /// The metastore runs are recorded in.
    public let metastore: Metastore
    /// The options this engine was made with.
    public let options: LocalEngineOptions

    /// Creates the engine and its threads (the reactor and the metastore writer).
    public init(metastore: Metastore, options: LocalEngineOptions = LocalEngineOptions()) throws {
        self.metastore = metastore
        self.options = options
        let hub = RunHub()
        let writer = RunWriter(metastore: metastore) { error in
            FileHandle.standardError.write(Data("weft: engine: \(error)\n".utf8))
        }
        core = try EngineCore(metastore: metastore, options: options, hub: hub, writer: writer)
        CancelSignalListener.shared.register(core)
    }

    /// Records a run (state `queued`) and hands it to the engine; returns the recorded run at once.
    /// Throws `WeftError.invalid` for a malformed task graph (duplicate keys, unknown or cyclic `depends_on`), and
    /// `WeftError.conflict` when other live Weft processes already own `maxConcurrentRuns` runs of the job.
    public func start(_ request: RunRequest) async throws -> RunRecord {
        try record(request, watch: false).0
    }

    /// Starts a run like `start` and subscribes to its events before anything happens, so the stream holds every
    /// event of the run (`.snapshot` of the queued run first). Use it for `weft run --follow` and benchmarks.
    public func startWatching(_ request: RunRequest) async throws -> (RunRecord, AsyncThrowingStream<RunEvent, any Error>) {
        let (record, stream) = try record(request, watch: true)
        guard let stream else { throw WeftError.failure("run \(record.id) ended before it could be watched") }
        return (record, stream)
    }

    private func record(_ request: RunRequest, watch: Bool) throws -> (RunRecord, AsyncThrowingStream<RunEvent, any Error>?) {
        try Self.validate(request)
        if core.hub.contains(request.runID) {
            throw WeftError.conflict("run \(request.runID) is already running; give the new run another id")
        }
        let record = RunRecord(
            id: request.runID, project: request.project, job: request.job, fabric: request.fabric.name,
            state: .queued, trigger: request.trigger, user: request.user, commit: request.commit, queuedAt: Date(),
            driver: FabricKind.local.rawValue, release: request.release)
        let tasks = request.tasks.map { TaskRunRecord(runID: request.runID, key: $0.key, state: .pending) }
        core.hub.open(run: record, tasks: tasks)
        do {
            // max_concurrent_runs across processes: checked and recorded in one write transaction.
            let limit = ConcurrentRunLimit(maxConcurrentRuns: request.maxConcurrentRuns) { ProcessIdentity.isAlive($0) }
            try metastore.insertRun(record, tasks: tasks, owner: core.owner, limit: limit)
        } catch {
            core.hub.close(record, event: .runFinished(runID: record.id, state: .failed, at: Date(), message: "\(error)"))
            throw error
        }
        let stream = watch ? core.hub.subscribe(record.id) : nil
        core.submit(.start(request, record))
        return (record, stream)
    }

    /// Cancels a run. A run of this engine: running tasks get SIGTERM (SIGKILL after `killGracePeriod`), pending
    /// ones are cancelled, the run ends `cancelled`. A run owned by another live Weft process: a cancel request is
    /// written and the owner is signalled. A run whose owner died is recovered (ends `failed`, orphaned).
    /// Throws `WeftError.notFound` for an unknown run and `WeftError.conflict` for a run that already ended.
    public func cancel(runID: String) async throws {
        try await cancel(runID: runID, by: nil)
    }

    /// `cancel(runID:)` naming who cancels (a user name); the run's message then says "cancelled by USER".
    public func cancel(runID: String, by user: String?) async throws {
        if core.hub.contains(runID) {
            core.submit(.cancel(runID: runID, reason: user.map { "cancelled by \($0)" } ?? "cancelled"))
            return
        }
        guard let run = try metastore.run(id: runID) else {
            throw WeftError.notFound(kind: "run", name: runID, hint: "list runs with `weft runs list`")
        }
        if run.state.isFinished {
            throw WeftError.conflict("run \(runID) already ended (\(run.state.rawValue)); there is nothing to cancel")
        }
        try RunCanceller.requestCancel(runID: runID, metastore: metastore, by: user)
    }

    /// Events of a run: first `.snapshot`, then live events until `.runFinished`. Works for runs of this engine,
    /// for finished runs (snapshot, then the stream ends) and for runs owned by another process (followed through
    /// the metastore and log files by a `RunFollower`). An unknown run ends the stream with `WeftError.notFound`.
    public func events(runID: String) -> AsyncThrowingStream<RunEvent, any Error> {
        if let stream = core.hub.subscribe(runID) { return stream }
        let metastore = self.metastore
        let logDirectory = options.logDirectoryOfForeignRun
        let hub = core.hub
        let (stream, continuation) = AsyncThrowingStream<RunEvent, any Error>.makeStream()
        let task = Task {
            do {
                guard let (run, tasks) = try metastore.runWithTasks(id: runID) else {
                    throw WeftError.notFound(kind: "run", name: runID, hint: "list runs with `weft runs list`")
                }
                if run.state.isFinished {
                    continuation.yield(.snapshot(run, tasks))
                    continuation.finish()
                    return
                }
                // Started by this engine between the two looks: follow it live.
                if let live = hub.subscribe(runID) {
                    for try await e in live { continuation.yield(e) }
                    continuation.finish()
                    return
                }
                let follower = RunFollower(metastore: metastore, runID: runID, logDirectory: logDirectory?(run))
                for try await e in follower.events() { continuation.yield(e) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Ids of the runs this engine currently owns (queued or running).
    public var activeRunIDs: [String] { core.hub.runIDs }

    /// The current state of a run this engine owns, nil otherwise.
    public func snapshot(runID: String) -> (RunRecord, [TaskRunRecord])? { core.hub.snapshot(runID) }

    /// Cancels every run this engine owns and waits (up to `timeout` seconds) until they have ended — call it
    /// before the process exits (SIGINT/SIGTERM), so no task process outlives it. Returns whether all ended.
    @discardableResult
    public func cancelAll(timeout: TimeInterval = 30) async -> Bool {
        let ids = activeRunIDs
        let streams = ids.compactMap { core.hub.subscribe($0) }
        for id in ids {
            core.submit(.cancel(runID: id, reason: "cancelled: the Weft process that owned the run is stopping"))
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for s in streams {
                    do { for try await _ in s {} } catch {}
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(timeout)) }
            await group.next()
            group.cancelAll()
        }
        return activeRunIDs.isEmpty
    }

    /// Checks a request's task graph before recording it.
    static func validate(_ request: RunRequest) throws {
        var problems: [Problem] = []
        if request.tasks.isEmpty { problems.append(Problem("job \(request.job) has no tasks; add at least one")) }
        var keys = Set<String>()
        for t in request.tasks {
            if !keys.insert(t.key).inserted { problems.append(Problem("task key '\(t.key)' is used twice")) }
            if t.command.isEmpty { problems.append(Problem("task '\(t.key)' has an empty command")) }
        }
        for t in request.tasks {
            for d in t.dependsOn where !keys.contains(d) {
                problems.append(Problem("task '\(t.key)' depends on unknown task '\(d)'"))
            }
        }
        if problems.isEmpty {
            // Kahn's algorithm: anything left over is on a cycle.
            var indegree: [String: Int] = [:]
            var dependents: [String: [String]] = [:]
            for t in request.tasks {
                indegree[t.key] = Set(t.dependsOn).count
                for d in Set(t.dependsOn) { dependents[d, default: []].append(t.key) }
            }
            var ready = indegree.filter { $0.value == 0 }.map(\.key)
            var seen = 0
            while let k = ready.popLast() {
                seen += 1
                for d in dependents[k] ?? [] {
                    indegree[d, default: 0] -= 1
                    if indegree[d] == 0 { ready.append(d) }
                }
            }
            if seen < request.tasks.count {
                let cyclic = indegree.filter { $0.value > 0 }.map(\.key).sorted()
                problems.append(Problem("depends_on forms a cycle through: \(cyclic.joined(separator: ", "))"))
            }
        }
        if !problems.isEmpty { throw WeftError.invalid(problems) }
    }
}
