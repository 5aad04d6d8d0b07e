import Foundation
import GRDB
import WeftDomain

/// Who owns a live run: the process id and its start identity (boot id + start time), so a dead owner can be
/// told from a reused pid.
public struct RunOwner: Sendable, Hashable {
    /// The owner's process id.
    public var pid: Int32
    /// Opaque start identity of the process (e.g. `<boot id>:<start ticks>`).
    public var start: String

    /// An owner identity.
    public init(pid: Int32, start: String) {
        self.pid = pid
        self.start = start
    }
}

/// A run that is not finished, with its owner, as recovery and cross-process cancel need it.
public struct UnfinishedRun: Sendable, Hashable {
    /// The run's id.
    public var id: String
    /// `queued` or `running`.
    public var state: RunState
    /// Who owns it; nil for rows written without an owner.
    public var owner: RunOwner?
    /// The run's message (a cancel request starts with `Metastore.cancelRequestPrefix`).
    public var message: String?
    /// The driver that runs it.
    public var driver: String
    /// Its id on the fabric, for runs that live outside Weft.
    public var externalID: String?
}

/// The `max_concurrent_runs` check `Metastore.insertRun` makes across processes.
public struct ConcurrentRunLimit: Sendable {
    /// The job's `max_concurrent_runs` (values below 1 count as 1).
    public var maxConcurrentRuns: Int
    /// Whether another process that owns a run still lives (a dead owner's runs do not count).
    public var isAlive: @Sendable (RunOwner) -> Bool

    /// A limit of `maxConcurrentRuns`, with `isAlive` telling live owners from dead ones.
    public init(maxConcurrentRuns: Int, isAlive: @escaping @Sendable (RunOwner) -> Bool) {
        self.maxConcurrentRuns = maxConcurrentRuns
        self.isAlive = isAlive
    }
}

/// Run-history reads and writes on the `runs` and `task_runs` tables.
extension Metastore {
    /// The message prefix that marks a cancel request written by another process.
    public static let cancelRequestPrefix = "cancel requested"

    /// Records a new run and its tasks in one transaction.
    ///
    /// With `limit`, the job's `max_concurrent_runs` is checked in the same (immediate) write transaction, so two
    /// processes triggering the job at once cannot both pass: when other live processes own unfinished runs of
    /// the job and those plus `owner`'s own unfinished runs of it reach the limit, the run is not recorded and
    /// `WeftError.conflict` names the runs in the way. Runs of `owner` alone are never refused here (the engine
    /// queues them). Runs of dead owners do not count (recovery marks them failed).
    public func insertRun(
        _ run: RunRecord, tasks: [TaskRunRecord], owner: RunOwner, limit: ConcurrentRunLimit? = nil
    ) throws {
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    if let limit { try Self.checkConcurrentRuns(db, run, owner: owner, limit: limit) }
                    try Self.insertRun(db, run, owner: owner)
                    for t in tasks { try Self.insertTask(db, t) }
                    return .commit
                }
            }
        } catch let error as WeftError {
            throw error
        } catch {
            throw WeftError.failure("cannot record run \(run.id) in the metastore \(path): \(error)")
        }
    }

    /// Throws `WeftError.conflict` when live foreign owners hold the job's `max_concurrent_runs` (see `insertRun`).
    private static func checkConcurrentRuns(
        _ db: Database, _ run: RunRecord, owner: RunOwner, limit: ConcurrentRunLimit
    ) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, user, owner_pid, owner_start FROM runs
                WHERE project = ? AND job = ? AND state IN ('queued', 'running') ORDER BY queued_at
                """,
            arguments: [run.project, run.job])
        var own = 0
        var foreign: [(id: String, user: String)] = []
        for row in rows {
            let pid: Int32? = (row["owner_pid"] as Int64?).map { Int32(truncatingIfNeeded: $0) }
            let start: String = row["owner_start"] ?? ""
            guard let pid else { continue }
            let rowOwner = RunOwner(pid: pid, start: start)
            if rowOwner == owner {
                own += 1
            } else if limit.isAlive(rowOwner) {
                foreign.append((row["id"], row["user"]))
            }
        }
        let max = Swift.max(1, limit.maxConcurrentRuns)
        guard !foreign.isEmpty, foreign.count + own >= max else { return }
        let shown = foreign.prefix(3).map { "\($0.id), started by \($0.user)" }.joined(separator: "; ")
        let more = foreign.count > 3 ? "; and \(foreign.count - 3) more" : ""
        let count = foreign.count + own
        let first = foreign[0].id
        throw WeftError.conflict(
            "\(run.job) already has \(count) run\(count == 1 ? "" : "s") in progress (\(shown)\(more)); "
                + "max_concurrent_runs is \(max) — "
                + (count == 1 ? "wait for it or cancel it" : "wait for one to end or cancel one")
                + " with 'weft runs cancel \(first)'")
    }

    /// Writes the current state of several runs and task runs in one transaction (rows must exist).
    public func updateRuns(_ runs: [RunRecord], tasks: [(TaskRunRecord, pid: Int32?)]) throws {
        if runs.isEmpty && tasks.isEmpty { return }
        do {
            try pool.write { db in
                for r in runs {
                    try db.execute(
                        sql: """
                            UPDATE runs SET state = ?, started_at = ?, finished_at = ?, message = ?
                            WHERE id = ?
                            """,
                        arguments: [
                            r.state.rawValue, r.startedAt?.timeIntervalSince1970, r.finishedAt?.timeIntervalSince1970,
                            r.message, r.id,
                        ])
                }
                for (t, pid) in tasks {
                    try db.execute(
                        sql: """
                            UPDATE task_runs SET state = ?, attempt = ?, exit_code = ?, progress = ?,
                                progress_message = ?, started_at = ?, finished_at = ?, message = ?, pid = ?
                            WHERE run_id = ? AND key = ?
                            """,
                        arguments: [
                            t.state.rawValue, t.attempt, t.exitCode.map { Int($0) }, t.progress, t.progressMessage,
                            t.startedAt?.timeIntervalSince1970, t.finishedAt?.timeIntervalSince1970, t.message,
                            pid.map { Int($0) }, t.runID, t.key,
                        ])
                }
            }
        } catch {
            throw WeftError.failure("cannot update run history in the metastore \(path): \(error)")
        }
    }

    /// One run, or nil.
    public func run(id: String) throws -> RunRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(Self.run) }
    }

    /// The tasks of a run, in insertion order.
    public func taskRuns(runID: String) throws -> [TaskRunRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM task_runs WHERE run_id = ? ORDER BY rowid", arguments: [runID])
                .map(Self.taskRun)
        }
    }

    /// A run and its tasks read in one transaction (consistent with each other), or nil.
    public func runWithTasks(id: String) throws -> (RunRecord, [TaskRunRecord])? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let tasks = try Row.fetchAll(
                db, sql: "SELECT * FROM task_runs WHERE run_id = ? ORDER BY rowid", arguments: [id]
            ).map(Self.taskRun)
            return (Self.run(row), tasks)
        }
    }

    /// Runs, newest first, filtered by project/job/fabric/state when given.
    public func runs(
        project: String? = nil, job: String? = nil, fabrics: [String]? = nil, states: [RunState]? = nil,
        limit: Int = 50
    ) throws -> [RunRecord] {
        var clauses: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        if let project {
            clauses.append("project = ?")
            args.append(project)
        }
        if let job {
            clauses.append("job = ?")
            args.append(job)
        }
        if let fabrics {
            if fabrics.isEmpty { return [] }
            clauses.append("fabric IN (\(fabrics.map { _ in "?" }.joined(separator: ",")))")
            args.append(contentsOf: fabrics.map { $0 as (any DatabaseValueConvertible)? })
        }
        if let states {
            if states.isEmpty { return [] }
            clauses.append("state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
            args.append(contentsOf: states.map { $0.rawValue as (any DatabaseValueConvertible)? })
        }
        let whereSQL = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        args.append(limit)
        let sql = "SELECT * FROM runs \(whereSQL) ORDER BY queued_at DESC LIMIT ?"
        let arguments = StatementArguments(args)
        return try read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.run) }
    }

    /// Runs still queued or running, with their owners (one query on the `runs_state` index).
    public func unfinishedRuns() throws -> [UnfinishedRun] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, state, owner_pid, owner_start, message, driver, external_id FROM runs
                    WHERE state IN ('queued', 'running')
                    """
            ).map { row in
                let pid: Int32? = (row["owner_pid"] as Int64?).map { Int32(truncatingIfNeeded: $0) }
                let start: String? = row["owner_start"]
                return UnfinishedRun(
                    id: row["id"], state: RunState(rawValue: row["state"]) ?? .running,
                    owner: pid.map { RunOwner(pid: $0, start: start ?? "") }, message: row["message"], driver: row["driver"],
                    externalID: row["external_id"])
            }
        }
    }

    /// Process ids recorded for the unfinished tasks of a run (each is its task's process group id).
    public func runningTaskPIDs(runID: String) throws -> [(key: String, pid: Int32)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT key, pid FROM task_runs
                    WHERE run_id = ? AND pid IS NOT NULL AND state IN ('running', 'retrying', 'pending')
                    """,
                arguments: [runID]
            ).map { (key: $0["key"], pid: Int32(truncatingIfNeeded: $0["pid"] as Int64)) }
        }
    }

    /// Marks a run owned by a dead process failed and its unfinished tasks orphaned, in one transaction.
    /// Does nothing if the run has finished meanwhile. Returns whether it changed anything.
    @discardableResult
    public func markOrphaned(runID: String, message: String, at: Date = Date()) throws -> Bool {
        do {
            return try pool.write { db in
                try db.execute(
                    sql: """
                        UPDATE runs SET state = 'failed', finished_at = ?, message = ?
                        WHERE id = ? AND state IN ('queued', 'running')
                        """,
                    arguments: [at.timeIntervalSince1970, message, runID])
                guard db.changesCount > 0 else { return false }
                try db.execute(
                    sql: """
                        UPDATE task_runs SET state = 'orphaned', finished_at = ?,
                            message = 'orphaned: its run''s owner process died'
                        WHERE run_id = ? AND state IN ('pending', 'running', 'retrying')
                        """,
                    arguments: [at.timeIntervalSince1970, runID])
                return true
            }
        } catch {
            throw WeftError.failure("cannot mark run \(runID) orphaned in the metastore \(path): \(error)")
        }
    }

    /// Makes `newOwner` the owner of an unfinished run if its owner is still `expected` (compare-and-swap, so of two
    /// processes adopting an orphaned run only one wins). Returns whether this call took it.
    public func claimRun(runID: String, expected: RunOwner?, newOwner: RunOwner) throws -> Bool {
        do {
            return try pool.write { db in
                if let expected {
                    try db.execute(
                        sql: """
                            UPDATE runs SET owner_pid = ?, owner_start = ?
                            WHERE id = ? AND state IN ('queued', 'running') AND owner_pid = ? AND owner_start IS ?
                            """,
                        arguments: [Int(newOwner.pid), newOwner.start, runID, Int(expected.pid), expected.start])
                } else {
                    try db.execute(
                        sql: """
                            UPDATE runs SET owner_pid = ?, owner_start = ?
                            WHERE id = ? AND state IN ('queued', 'running') AND owner_pid IS NULL
                            """,
                        arguments: [Int(newOwner.pid), newOwner.start, runID])
                }
                return db.changesCount > 0
            }
        } catch {
            throw WeftError.failure("cannot take over run \(runID) in the metastore \(path): \(error)")
        }
    }

    /// Records a run's id on its fabric (drivers whose runs live outside Weft).
    public func setExternalID(runID: String, externalID: String) throws {
        do {
            try pool.write { db in
                try db.execute(sql: "UPDATE runs SET external_id = ? WHERE id = ?", arguments: [externalID, runID])
            }
        } catch {
            throw WeftError.failure("cannot record the external id of run \(runID): \(error)")
        }
    }

    /// The owner of a run, nil when it has none (or the run is unknown).
    public func owner(runID: String) throws -> RunOwner? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT owner_pid, owner_start FROM runs WHERE id = ?", arguments: [runID]),
                let pid = row["owner_pid"] as Int64?
            else { return nil }
            return RunOwner(pid: Int32(truncatingIfNeeded: pid), start: row["owner_start"] ?? "")
        }
    }

    /// Writes a cancel request for a run owned by another process. Returns false if the run is not unfinished.
    @discardableResult
    public func requestCancel(runID: String, by requester: String) throws -> Bool {
        do {
            return try pool.write { db in
                try db.execute(
                    sql: "UPDATE runs SET message = ? WHERE id = ? AND state IN ('queued', 'running')",
                    arguments: ["\(Self.cancelRequestPrefix) by \(requester)", runID])
                return db.changesCount > 0
            }
        } catch {
            throw WeftError.failure("cannot request cancellation of run \(runID): \(error)")
        }
    }

    /// Unfinished runs owned by `pid` that carry a cancel request, with the request's text
    /// (e.g. "cancel requested by alice").
    public func cancelRequests(ownerPID: Int32) throws -> [(runID: String, request: String)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, message FROM runs WHERE state IN ('queued', 'running') AND owner_pid = ? AND message LIKE ?
                    """,
                arguments: [Int(ownerPID), Self.cancelRequestPrefix + "%"]
            ).map { (runID: $0["id"], request: $0["message"] ?? Self.cancelRequestPrefix) }
        }
    }

    /// Durations (seconds) of the last successful runs of a job, newest first, and per task key.
    public func pastDurations(project: String, job: String, limit: Int = 20) throws -> (
        runs: [TimeInterval], tasks: [String: [TimeInterval]]
    ) {
        try read { db in
            let runRows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, started_at, finished_at FROM runs
                    WHERE project = ? AND job = ? AND state = 'success' AND started_at IS NOT NULL
                        AND finished_at IS NOT NULL
                    ORDER BY queued_at DESC LIMIT ?
                    """,
                arguments: [project, job, limit])
            var runs: [TimeInterval] = []
            var tasks: [String: [TimeInterval]] = [:]
            for row in runRows {
                let s: Double = row["started_at"]
                let f: Double = row["finished_at"]
                runs.append(f - s)
                let id: String = row["id"]
                let taskRows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT key, started_at, finished_at FROM task_runs
                        WHERE run_id = ? AND state = 'success' AND started_at IS NOT NULL AND finished_at IS NOT NULL
                        """,
                    arguments: [id])
                for t in taskRows {
                    let ts: Double = t["started_at"]
                    let tf: Double = t["finished_at"]
                    tasks[t["key"], default: []].append(tf - ts)
                }
            }
            return (runs, tasks)
        }
    }

    // MARK: scheduler_state

    /// The last fire time the scheduler triggered for a job, or nil if it never saw the job.
    public func lastFire(project: String, job: String) throws -> Date? {
        try read { db in
            try Double.fetchOne(
                db, sql: "SELECT last_fire FROM scheduler_state WHERE project = ? AND job = ?",
                arguments: [project, job]
            ).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Claims a fire time: sets `last_fire` to `fire` only if it was before it (or absent). Returns true when this
    /// caller won the claim, so two schedulers (or a restart) never trigger the same fire time twice.
    public func claimFire(project: String, job: String, fire: Date) throws -> Bool {
        do {
            return try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO scheduler_state (project, job, last_fire) VALUES (?, ?, ?)
                        ON CONFLICT (project, job) DO UPDATE SET last_fire = excluded.last_fire
                        WHERE scheduler_state.last_fire < excluded.last_fire
                        """,
                    arguments: [project, job, fire.timeIntervalSince1970])
                return db.changesCount > 0
            }
        } catch {
            throw WeftError.failure("cannot record the scheduler's fire time for \(project)/\(job): \(error)")
        }
    }

    // MARK: helpers

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch {
            throw WeftError.failure("cannot read run history from the metastore \(path): \(error)")
        }
    }

    private static func insertRun(_ db: Database, _ r: RunRecord, owner: RunOwner) throws {
        try db.execute(
            sql: """
                INSERT INTO runs (id, project, job, fabric, state, trigger, user, commit_id, queued_at, started_at,
                    finished_at, message, owner_pid, owner_start, driver, external_id, release_version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                r.id, r.project, r.job, r.fabric, r.state.rawValue, r.trigger.rawValue, r.user, r.commit,
                r.queuedAt.timeIntervalSince1970, r.startedAt?.timeIntervalSince1970,
                r.finishedAt?.timeIntervalSince1970, r.message, Int(owner.pid), owner.start, r.driver, r.externalID,
                r.release,
            ])
    }

    private static func insertTask(_ db: Database, _ t: TaskRunRecord) throws {
        try db.execute(
            sql: """
                INSERT INTO task_runs (run_id, key, state, attempt, exit_code, progress, progress_message,
                    started_at, finished_at, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                t.runID, t.key, t.state.rawValue, t.attempt, t.exitCode.map { Int($0) }, t.progress, t.progressMessage,
                t.startedAt?.timeIntervalSince1970, t.finishedAt?.timeIntervalSince1970, t.message,
            ])
    }

    private static func date(_ v: Double?) -> Date? { v.map { Date(timeIntervalSince1970: $0) } }

    static func run(_ row: Row) -> RunRecord {
        RunRecord(
            id: row["id"], project: row["project"], job: row["job"], fabric: row["fabric"],
            state: RunState(rawValue: row["state"]) ?? .failed,
            trigger: RunTrigger(rawValue: row["trigger"]) ?? .manual, user: row["user"], commit: row["commit_id"],
            queuedAt: Date(timeIntervalSince1970: row["queued_at"]), startedAt: date(row["started_at"]),
            finishedAt: date(row["finished_at"]), message: row["message"], driver: row["driver"],
            externalID: row["external_id"], release: row["release_version"])
    }

    static func taskRun(_ row: Row) -> TaskRunRecord {
        TaskRunRecord(
            runID: row["run_id"], key: row["key"], state: TaskState(rawValue: row["state"]) ?? .failed,
            attempt: row["attempt"], exitCode: (row["exit_code"] as Int64?).map { Int32(truncatingIfNeeded: $0) },
            progress: row["progress"], progressMessage: row["progress_message"], startedAt: date(row["started_at"]),
            finishedAt: date(row["finished_at"]), message: row["message"])
    }
}
