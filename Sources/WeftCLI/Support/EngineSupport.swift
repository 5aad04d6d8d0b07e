import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// Wiring of the local engine into workspaces opened by this process.
enum EngineSupport {
    /// Every workspace this process opens first recovers runs whose owning process died.
    static func install() {
        Workspace.openHooks = [
            { ws in _ = try? RunRecovery.recover(metastore: ws.metastore) }
        ]
    }

    /// A local engine on the workspace's metastore that can also follow runs other processes own.
    static func engine(_ ws: Workspace) throws -> LocalEngine {
        let root = ws
        return try LocalEngine(
            metastore: ws.metastore,
            options: LocalEngineOptions(logDirectoryOfForeignRun: { run in root.runDirectory(fabric: run.fabric, runID: run.id) }))
    }
}

/// Lets `weft scheduler` fire enabled jobs of local fabrics.
struct WorkspaceSchedulerSource: SchedulerSource {
    let workspace: Workspace
    let engine: LocalEngine

    func enabledJobs() async throws -> [ScheduledJob] {
        let fabrics = Dictionary(uniqueKeysWithValues: try workspace.fabrics().map { ($0.name, $0) })
        let (jobs, _) = try workspace.indexedJobs(projects: try workspace.projects().map(\.name))
        return jobs.compactMap { r in
            guard r.job.enabled, let s = r.job.schedule, fabrics[r.job.fabric]?.kind == .local else { return nil }
            return ScheduledJob(project: r.project, job: r.job.name, fabric: r.job.fabric, schedule: s)
        }
    }

    func startRun(project: String, job: String, trigger: RunTrigger) async throws -> RunRecord {
        let (jobs, _) = try workspace.indexedJobs(projects: [project])
        guard let record = jobs.first(where: { $0.job.name == job }) else {
            throw WeftError.notFound(kind: "job", name: "\(project)/\(job)", hint: "it was removed")
        }
        guard record.job.enabled else { throw WeftError.invalid("\(project)/\(job) was disabled") }
        let request = try workspace.resolveRun(record, fabric: try workspace.fabric(record.job.fabric), user: "scheduler", trigger: trigger)
        workspace.audit(
            "scheduler", Action.runJob.rawValue, .fabric(request.fabric), project: project, result: .allowed,
            detail: "run \(request.runID) of \(job) (\(trigger.rawValue))")
        return try await engine.start(request)
    }
}
