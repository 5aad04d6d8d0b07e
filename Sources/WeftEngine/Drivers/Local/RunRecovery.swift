import CPosix
import Foundation
import WeftDomain
import WeftStore

/// Recovery of local runs whose owning Weft process died (kill -9, crash, power loss). Runs of other drivers are
/// left to their drivers (the run service asks each one).
public enum RunRecovery {
    /// Marks every queued/running local run whose owner process is gone (pid missing, or reused by another process)
    /// `failed` with the message "orphaned: the Weft process that owned this run (pid N) died", its unfinished
    /// tasks `orphaned`, and kills task process groups of those runs that are still alive.
    /// Cheap when nothing runs: one query on the `runs_state` index. Returns the ids of the recovered runs.
    @discardableResult
    public static func recover(metastore: Metastore) throws -> [String] {
        let unfinished = try metastore.unfinishedRuns()
        var recovered: [String] = []
        for run in unfinished where run.driver == FabricKind.local.rawValue {
            if let owner = run.owner, ProcessIdentity.isAlive(owner) { continue }
            if try recover(metastore: metastore, run: run) { recovered.append(run.id) }
        }
        return recovered
    }

    /// Fails one local run whose owner died: kills its task groups that still live, marks it failed (orphaned). Returns whether it changed the run.
    @discardableResult
    public static func recover(metastore: Metastore, run: UnfinishedRun) throws -> Bool {
        var recovered = false
        do {
            let pid = run.owner?.pid ?? 0
            for task in try metastore.runningTaskPIDs(runID: run.id) {
                killTaskGroup(pgid: task.pid, runID: run.id)
            }
            let message = "orphaned: the Weft process that owned this run (pid \(pid)) died"
            if try metastore.markOrphaned(runID: run.id, message: message) { recovered = true }
            // Nothing else to clean: a task's configuration is a memfd that dies with the last process holding it.
        }
        return recovered
    }

    /// Kills a task's process group if it still belongs to the run: some member's environment has
    /// `WEFT_RUN_ID=<run>` (so a reused pid is never signalled). SIGTERM, then SIGKILL after up to a second.
    static func killTaskGroup(pgid: Int32, runID: String) {
        let marker = "WEFT_RUN_ID=\(runID)"
        let members = ProcessIdentity.members(ofGroup: pgid)
        guard members.contains(where: { ProcessIdentity.environment(of: $0, contains: marker) }) else { return }
        _ = weft_kill_group(pgid, WEFT_SIGTERM)
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline, !ProcessIdentity.members(ofGroup: pgid).isEmpty {
            usleep(20_000)
        }
        _ = weft_kill_group(pgid, WEFT_SIGKILL)
    }
}
