import Foundation
import WeftDomain
import WeftStore

/// Loads the main screen's data for a user in one go.
public enum MainDataLoader {
    /// Teams, fabrics (with job counts and last runs), readable projects and their jobs (next fire, last run).
    public static func load(_ ws: Workspace, _ p: Principal, now: Date = Date()) throws -> MainData {
        let teams = try ws.teams()
        let fabrics = try ws.fabrics()
        let all = try ws.projects()
        let readable = all.filter { PermissionPolicy.allows(p, .readProject, .project($0)) }
        let (jobs, broken) = try ws.listJobs(p)
        let runFabrics = fabrics.filter { PermissionPolicy.allows(p, .readRuns, .fabric($0)) }.map(\.name)
        let last = try ws.lastRuns(fabrics: runFabrics)
        var nextFires: [String: Date?] = [:]
        var counts: [String: Int] = [:]
        var deployed: [String: DeployedJob] = [:]
        for d in try ws.allDeployedJobs() { deployed["\(d.fabric)|\(d.project)|\(d.job)"] = d }
        var heads: [String: String] = [:]
        var rows: [JobRow] = []
        rows.reserveCapacity(jobs.count)
        for record in jobs {
            counts[record.job.fabric, default: 0] += 1
            var next: Date?
            if record.job.enabled, let s = record.job.schedule {
                let key = s.cron + "|" + s.timezone
                if let cached = nextFires[key] {
                    next = cached
                } else {
                    if let cron = try? CronSchedule(parsing: s.cron), let zone = TimeZone(identifier: s.timezone) {
                        next = cron.next(after: now, in: zone)
                    }
                    nextFires[key] = next
                }
            }
            let l = last.jobs[record.qualifiedName]
            var release: DeployedRelease?
            if let d = deployed["\(record.job.fabric)|\(record.project)|\(record.job.name)"] {
                if heads[record.project] == nil { heads[record.project] = (try? ws.headCommit(project: record.project)) ?? d.commit }
                release = DeployedRelease(
                    version: d.version, commit: d.commit, by: d.deployedBy, at: d.deployedAt, jobChanged: d.definition != record.job,
                    headLater: heads[record.project] != d.commit)
            }
            rows.append(JobRow(record: record, nextFire: next, lastRun: l?.state, lastRunAt: l?.queuedAt, deployed: release))
        }
        let fabricRows = fabrics.map { FabricRow(fabric: $0, jobCount: counts[$0.name] ?? 0, lastRun: last.fabrics[$0.name]?.state) }
        defer { releaseFreedMemory() }
        return MainData(
            teams: teams, fabrics: fabricRows, projects: readable, allProjects: all, jobs: rows,
            broken: broken.map { "\($0.project)/\($0.path): \($0.problems.map(\.description).joined(separator: "; "))" })
    }
}

/// Loading thousands of jobs leaves freed temporaries (rows, blobs, decoded copies) in malloc's arenas; hand them
/// back to the system so a long-lived TUI does not keep them resident.
func releaseFreedMemory() {
    MallocArenas.release()
}
