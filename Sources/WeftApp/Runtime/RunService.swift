import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// What the TUI needs from the engines: start, open, cancel and follow runs; read logs; estimate ETAs.
public protocol RunService: Sendable {
    /// Starts a run of `ref` as `principal`; returns the recorded run, its tasks and its live events.
    func start(_ principal: Principal, ref: String) async throws -> (RunRecord, [TaskRunRecord], AsyncThrowingStream<RunEvent, any Error>)
    /// Opens a run from history; the stream is nil when the run has ended.
    func open(_ principal: Principal, runID: String) async throws -> (RunRecord, [TaskRunRecord], AsyncThrowingStream<RunEvent, any Error>?)
    /// Cancels a run.
    func cancel(_ principal: Principal, runID: String) async throws
    /// The ETA estimator of a job, from its past successful runs.
    func estimator(project: String, job: String) -> RunEstimator?
    /// A task's log lines (the last `limit`).
    func log(_ principal: Principal, runID: String, task: String, limit: Int) throws -> [String]
    /// Cancels the runs this process owns (before exit), waiting up to `timeout` seconds.
    func shutdown(timeout: TimeInterval) async
}

/// The run service of local fabrics: `Workspace.prepareRun` + `LocalEngine`.
public final class LocalRunService: RunService {
    /// The workspace.
    public let workspace: Workspace
    /// The engine, created on first use (it starts threads).
    private let engineBox = EngineBox()

    /// Creates the service.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    final class EngineBox: @unchecked Sendable {
        private let lock = NSLock()
        private var engine: LocalEngine?
        func get(_ metastore: Metastore) throws -> LocalEngine {
            lock.lock()
            defer { lock.unlock() }
            if let engine { return engine }
            let e = try LocalEngine(metastore: metastore)
            engine = e
            return e
        }
        var existing: LocalEngine? {
            lock.lock()
            defer { lock.unlock() }
            return engine
        }
    }

    /// Starts a run: resolves the job (permission checked by the workspace) and hands it to the engine.
    public func start(_ principal: Principal, ref: String) async throws -> (RunRecord, [TaskRunRecord], AsyncThrowingStream<RunEvent, any Error>) {
        let request = try workspace.prepareRun(principal, ref)
        let engine = try engineBox.get(workspace.metastore)
        let (record, stream) = try await engine.startWatching(request)
        let tasks = request.tasks.map { TaskRunRecord(runID: record.id, key: $0.key, state: .pending) }
        workspace.audit(
            principal.name, Action.runJob.rawValue, .run(id: record.id, job: record.job, fabric: request.fabric), project: record.project,
            result: .allowed, detail: "started from the TUI")
        return (record, tasks, stream)
    }

    /// Opens a run after checking the user may read its fabric's runs.
    public func open(_ principal: Principal, runID: String) async throws -> (RunRecord, [TaskRunRecord], AsyncThrowingStream<RunEvent, any Error>?) {
        guard let (run, tasks) = try workspace.metastore.runWithTasks(id: runID) else {
            throw WeftError.notFound(kind: "run", name: runID, hint: "it may have been removed")
        }
        try workspace.authorizeRun(principal, run, .readRuns)
        if run.state.isFinished { return (run, tasks, nil) }
        let engine = try engineBox.get(workspace.metastore)
        return (run, tasks, engine.events(runID: runID))
    }

    /// Cancels a run after checking the permission.
    public func cancel(_ principal: Principal, runID: String) async throws {
        guard let run = try workspace.metastore.run(id: runID) else {
            throw WeftError.notFound(kind: "run", name: runID, hint: "it may have been removed")
        }
        try workspace.authorizeRun(principal, run, .cancelRun)
        try await engineBox.get(workspace.metastore).cancel(runID: runID)
        workspace.audit(principal.name, Action.cancelRun.rawValue, .run(id: run.id, job: run.job, fabric: try workspace.fabric(run.fabric)), project: run.project, result: .allowed, detail: "cancelled from the TUI")
    }

    /// The estimator from the last successful runs.
    public func estimator(project: String, job: String) -> RunEstimator? {
        guard let past = try? workspace.metastore.pastDurations(project: project, job: job) else { return nil }
        return RunEstimator(runDurations: past.runs, taskDurations: past.tasks)
    }

    /// Reads the end of a task's log.
    public func log(_ principal: Principal, runID: String, task: String, limit: Int) throws -> [String] {
        guard let run = try workspace.metastore.run(id: runID) else {
            throw WeftError.notFound(kind: "run", name: runID, hint: "it may have been removed")
        }
        try workspace.authorizeRun(principal, run, .readRuns)
        let path = workspace.taskLogPath(run, task: task)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trimmed = lines.last == "" ? Array(lines.dropLast()) : lines
        return Array(trimmed.suffix(limit))
    }

    /// Cancels this process's runs.
    public func shutdown(timeout: TimeInterval) async {
        guard let engine = engineBox.existing, !engine.activeRunIDs.isEmpty else { return }
        await engine.cancelAll(timeout: timeout)
    }
}
