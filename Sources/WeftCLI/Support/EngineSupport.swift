import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// Wiring of the run service into workspaces opened by this process.
enum EngineSupport {
    /// Every workspace this process opens first hands unfinished runs whose owner died to their drivers (local runs
    /// fail as orphaned; runs living on a remote fabric go on).
    static func install() {
        Workspace.openHooks = [
            { ws in RunService.recover(workspace: ws, drivers: .standard(workspace: ws), adopt: false) }
        ]
    }

    /// The run service of a workspace: the only way this CLI starts, watches and cancels runs.
    static func service(_ ws: Workspace) -> RunService { RunService(workspace: ws) }

    /// The release service of a workspace, over the same drivers.
    static func releaseService(_ ws: Workspace) -> ReleaseService {
        ReleaseService(workspace: ws, drivers: .standard(workspace: ws))
    }
}

/// Lets `weft scheduler` fire enabled jobs through the run service.
struct WorkspaceSchedulerSource: SchedulerSource {
    let service: RunService

    func enabledJobs() async throws -> [ScheduledJob] { try service.scheduledJobs() }

    func startRun(_ job: ScheduledJob, trigger: RunTrigger) async throws -> RunRecord {
        try await service.start(.scheduler, StartRunRequest(job: job.qualifiedName, trigger: trigger, fabric: job.fabric)).run
    }
}
