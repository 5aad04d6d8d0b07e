import Foundation
import GRDB
import WeftDomain

/// The last run of a job or fabric, as the TUI's lists show it.
public struct LastRun: Sendable, Hashable {
    /// Its state.
    public var state: RunState
    /// When it was queued.
    public var queuedAt: Date

    /// Creates a value.
    public init(state: RunState, queuedAt: Date) {
        self.state = state
        self.queuedAt = queuedAt
    }
}

extension Workspace {
    /// The last run of every job on the given fabrics (one grouped query), keyed by `PROJECT/JOB`, and of every
    /// fabric, keyed by fabric name. The caller passes only fabrics whose runs the user may read.
    public func lastRuns(fabrics: [String]) throws -> (jobs: [String: LastRun], fabrics: [String: LastRun]) {
        guard !fabrics.isEmpty else { return ([:], [:]) }
        let marks = fabrics.map { _ in "?" }.joined(separator: ",")
        return try metastore.pool.read { db in
            var jobs: [String: LastRun] = [:]
            var byFabric: [String: LastRun] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT project, job, fabric, state, queued_at FROM job_last_run WHERE fabric IN (\(marks))",
                arguments: StatementArguments(fabrics))
            while let row = try rows.next() {
                let project: String = row[0]
                let job: String = row[1]
                let fabric: String = row[2]
                let last = LastRun(state: RunState(rawValue: row[3]) ?? .failed, queuedAt: Date(timeIntervalSince1970: row[4]))
                jobs["\(project)/\(job)"] = last
                if byFabric[fabric].map({ $0.queuedAt < last.queuedAt }) ?? true { byFabric[fabric] = last }
            }
            return (jobs, byFabric)
        }
    }

    /// The path of a task's log file of a run.
    public func taskLogPath(_ run: RunRecord, task: String) -> String {
        runDirectory(fabric: run.fabric, runID: run.id) + "/\(task).log"
    }
}

extension Workspace {
    /// Inserts finished runs into the history in one transaction (for benchmarks and imports; no task rows).
    public func insertRunHistory(_ runs: [RunRecord]) throws {
        try metastore.pool.write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT INTO runs (id, project, job, fabric, state, trigger, user, commit_id, queued_at, started_at, finished_at, message)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for r in runs {
                try statement.execute(arguments: [
                    r.id, r.project, r.job, r.fabric, r.state.rawValue, r.trigger.rawValue, r.user, r.commit, r.queuedAt.timeIntervalSince1970,
                    r.startedAt?.timeIntervalSince1970, r.finishedAt?.timeIntervalSince1970, r.message,
                ])
            }
        }
    }
}
