import Foundation
import WeftDomain

@testable import WeftEngine
@testable import WeftStore

/// A stand-in for a remote fabric (the way Airflow or Databricks runs live): each run goes on in a detached shell
/// process that Weft does not own, reporting through files under `remoteRoot/<external id>/` — `<task>.state`
/// (`running`, then `success`/`failed`), `<task>.log`, and `run.state`. The driver records runs through
/// `RemoteRunTracker` and reattaches to them by external id after its owner died.
final class StandInRemoteDriver: FabricDriver, @unchecked Sendable {
    let workspace: Workspace
    let remoteRoot: String
    let tracker: RemoteRunTracker

    init(workspace: Workspace, remoteRoot: String, owner: RunOwner) {
        self.workspace = workspace
        self.remoteRoot = remoteRoot
        tracker = RemoteRunTracker(metastore: workspace.metastore, owner: owner, minInterval: 0.02, maxInterval: 0.1)
    }

    var kind: FabricKind { .airflow }
    var firesSchedules: Bool { false }
    var settingsSchema: FabricSettingsSchema { FabricSettingsSchema(kind: .airflow, settings: []) }
    func check(_ fabric: Fabric) async -> [FabricCheck] { [FabricCheck(name: "remote root", ok: true, detail: remoteRoot)] }

    func start(_ plan: RunPlan, watch: Bool) async throws -> (RunRecord, AsyncThrowingStream<RunEvent, any Error>?) {
        let external = "ext-\(plan.runID)"
        let dir = remoteRoot + "/" + external
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var script = "cd '\(dir)'\necho running > run.state\nstatus=success\n"
        for t in plan.tasks {
            guard case .script(let cmd) = t.action else { continue }
            script += """
                echo running > \(t.key).state
                if ( \(cmd) ) > \(t.key).log 2>&1; then echo success > \(t.key).state; else echo failed > \(t.key).state; status=failed; fi

                """
        }
        script += "echo $status > run.state\n"
        try script.write(toFile: dir + "/run.sh", atomically: true, encoding: .utf8)
        let run = RunRecord(
            id: plan.runID, project: plan.project, job: plan.job, fabric: plan.fabric.name, state: .queued, trigger: plan.trigger,
            user: plan.user, commit: plan.revision.commit, queuedAt: Date(), driver: kind.rawValue, externalID: external,
            release: plan.revision.release)
        let tasks = plan.tasks.map { TaskRunRecord(runID: plan.runID, key: $0.key, state: .pending) }
        try tracker.record(run, tasks: tasks, maxConcurrentRuns: plan.maxConcurrentRuns)
        // Detached: the remote run is nobody's child once setsid has forked it (setsid itself exits at once).
        reap(try spawnProcess(["/usr/bin/setsid", "--fork", "/bin/sh", dir + "/run.sh"]))
        let stream = tracker.track(run, tasks: tasks, watch: watch, poll: poller(run, keys: plan.tasks.map(\.key)))
        return (run, stream)
    }

    /// Reads the remote run's files.
    func poller(_ run: RunRecord, keys: [String]) -> @Sendable () async throws -> RemoteRunStatus {
        let dir = remoteRoot + "/" + (run.externalID ?? "")
        let runID = run.id
        return {
            func read(_ name: String) -> String? {
                (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let state: RunState
            switch read("run.state") {
            case "success": state = .success
            case "failed": state = .failed
            case "running": state = .running
            default: state = .queued
            }
            let tasks = keys.map { key -> TaskRunRecord in
                switch read("\(key).state") {
                case "running": return TaskRunRecord(runID: runID, key: key, state: .running, attempt: 1)
                case "success": return TaskRunRecord(runID: runID, key: key, state: .success, attempt: 1, exitCode: 0)
                case "failed": return TaskRunRecord(runID: runID, key: key, state: .failed, attempt: 1, exitCode: 1)
                default: return TaskRunRecord(runID: runID, key: key, state: .pending)
                }
            }
            return RemoteRunStatus(state: state, message: state == .failed ? "a task failed" : nil, tasks: tasks)
        }
    }

    func cancel(_ run: RunRecord, by user: String) async throws {
        throw WeftError.invalid("the stand-in remote fabric cannot cancel runs")
    }

    func events(_ run: RunRecord, replayLogs: Bool) -> AsyncThrowingStream<RunEvent, any Error> {
        tracker.subscribe(run.id) ?? RunFollower(metastore: workspace.metastore, runID: run.id, logDirectory: nil, minInterval: 0.02).events()
    }

    func log(_ run: RunRecord, task: String) throws -> String? {
        try? String(contentsOfFile: remoteRoot + "/\(run.externalID ?? "")/\(task).log", encoding: .utf8)
    }

    func logLocation(_ run: RunRecord) -> String? { remoteRoot + "/\(run.externalID ?? "")" }

    func recover(_ run: RunRecord, adopt: Bool) throws -> RunRecoveryOutcome {
        guard let external = run.externalID, FileManager.default.fileExists(atPath: remoteRoot + "/" + external) else {
            try workspace.metastore.markOrphaned(runID: run.id, message: "the run is gone from the remote fabric")
            return .failed
        }
        guard adopt else { return .leftRunning }
        let old = try workspace.metastore.owner(runID: run.id)
        // Only a dead owner's run is taken over (another process may have adopted it meanwhile).
        if let old, ProcessIdentity.isAlive(old) { return .untouched }
        guard try workspace.metastore.claimRun(runID: run.id, expected: old, newOwner: tracker.owner) else { return .untouched }
        let tasks = try workspace.metastore.taskRuns(runID: run.id)
        tracker.track(run, tasks: tasks, poll: poller(run, keys: tasks.map(\.key)))
        return .reattached
    }

    func deploy(_ plan: DeploymentPlan) async throws -> DeploymentResult { DeploymentResult(applied: plan.changes.map(\.job)) }

    var activeRunIDs: [String] { tracker.activeRunIDs }

    func shutdown(timeout: Double) async { tracker.detachAll() }
}
