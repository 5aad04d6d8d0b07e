import Foundation
import GRDB
import WeftDomain

/// Releases, deployments and what each fabric holds (the metastore side; the release service builds, tests, tags
/// and deploys). Every change of what a fabric holds for a job is one transaction together with the deployment's
/// record of it, so a job is at its old or its new version and the deployment says which.
extension Workspace {
    static let json: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .secondsSince1970
        return e
    }()
    static let unjson: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        return d
    }()

    static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try json.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try unjson.decode(type, from: Data(text.utf8))
    }

    // MARK: releases

    /// Takes the project's release lock (one release of a project at a time; refused at once when held).
    public func releaseLock(project: String) throws -> ReleaseLock {
        try ReleaseLock(path: root + "/locks/releases/\(project).lock", project: project)
    }

    /// Records a release (once per project and version; recording the same release again keeps the first record).
    public func recordRelease(_ release: Release) throws {
        try metastore.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO releases(project, version, commit_id, tag, artifacts, tests, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(project, version) DO NOTHING
                    """,
                arguments: [
                    release.project, release.version, release.commit, release.tag, try Self.encodeJSON(release.artifacts),
                    try Self.encodeJSON(release.tests), release.createdBy, release.createdAt.timeIntervalSince1970,
                ])
        }
    }

    /// A project's release by version, nil when there is none.
    public func release(project: String, version: String) throws -> Release? {
        try metastore.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM releases WHERE project = ? AND version = ?", arguments: [project, version])
                .map(Self.release(row:))
        }
    }

    /// A project's releases, newest first.
    public func releases(project: String) throws -> [Release] {
        try metastore.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM releases WHERE project = ? ORDER BY created_at DESC, version DESC", arguments: [project])
                .map(Self.release(row:))
        }
    }

    static func release(row: Row) throws -> Release {
        Release(
            project: row["project"], version: row["version"], commit: row["commit_id"], tag: row["tag"],
            artifacts: try decodeJSON([ReleaseArtifact].self, row["artifacts"]), tests: try decodeJSON([String].self, row["tests"]),
            createdBy: row["created_by"], createdAt: Date(timeIntervalSince1970: row["created_at"]))
    }

    // MARK: deployments

    /// Records the start of a deployment (state `applying`, owned by `owner`); returns its id.
    public func beginDeployment(_ plan: DeploymentPlan, user: String, owner: RunOwner, at: Date = Date()) throws -> Int64 {
        try metastore.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO deployments(project, version, commit_id, fabric, deployed_by, started_at, state, plan, owner_pid, owner_start)
                    VALUES (?, ?, ?, ?, ?, ?, 'applying', ?, ?, ?)
                    """,
                arguments: [
                    plan.project, plan.version, plan.commit, plan.fabric.name, user, at.timeIntervalSince1970,
                    try Self.encodeJSON(plan), owner.pid, owner.start,
                ])
            return db.lastInsertedRowID
        }
    }

    /// Puts one job of a deployment's plan on the fabric (or removes it, for `delete`) and notes it in the
    /// deployment, in one transaction.
    public func applyDeployedJob(deployment id: Int64, plan: DeploymentPlan, change: JobChange, user: String, at: Date = Date()) throws {
        try metastore.pool.write { db in
            if change.change == .delete {
                try db.execute(
                    sql: "DELETE FROM deployed_jobs WHERE fabric = ? AND project = ? AND job = ?",
                    arguments: [plan.fabric.name, plan.project, change.job])
            } else {
                guard let definition = change.definition else {
                    throw WeftError.failure("the plan for \(change.job) has no definition; plan the release again")
                }
                try db.execute(
                    sql: """
                        INSERT INTO deployed_jobs(fabric, project, job, version, commit_id, definition, deployment_id, deployed_by, deployed_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(fabric, project, job) DO UPDATE SET version = excluded.version, commit_id = excluded.commit_id,
                            definition = excluded.definition, deployment_id = excluded.deployment_id,
                            deployed_by = excluded.deployed_by, deployed_at = excluded.deployed_at
                        """,
                    arguments: [
                        plan.fabric.name, plan.project, change.job, plan.version, plan.commit, try Self.encodeJSON(definition), id, user,
                        at.timeIntervalSince1970,
                    ])
            }
            Self.faultPoint("deploy-mid-job")
            let applied: String = try String.fetchOne(db, sql: "SELECT applied FROM deployments WHERE id = ?", arguments: [id]) ?? "[]"
            var list = try Self.decodeJSON([String].self, applied)
            if !list.contains(change.job) { list.append(change.job) }
            try db.execute(sql: "UPDATE deployments SET applied = ? WHERE id = ?", arguments: [try Self.encodeJSON(list), id])
        }
    }

    /// Ends a deployment with its state and log.
    public func finishDeployment(_ id: Int64, state: DeploymentState, log: [String], at: Date = Date()) throws {
        try metastore.pool.write { db in
            try db.execute(
                sql: "UPDATE deployments SET state = ?, log = ?, finished_at = ? WHERE id = ?",
                arguments: [state.rawValue, try Self.encodeJSON(log), at.timeIntervalSince1970, id])
        }
    }

    /// Marks `applying` deployments whose Weft process is gone as `interrupted`; returns their ids.
    @discardableResult
    public func markInterruptedDeployments(isAlive: (RunOwner) -> Bool) throws -> [Int64] {
        try metastore.pool.write { db in
            var out: [Int64] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, owner_pid, owner_start FROM deployments WHERE state = 'applying'") {
                let owner = RunOwner(pid: Int32(row["owner_pid"] as Int64? ?? 0), start: row["owner_start"] ?? "")
                if isAlive(owner) { continue }
                let id: Int64 = row["id"]
                try db.execute(
                    sql: "UPDATE deployments SET state = 'interrupted', finished_at = ? WHERE id = ? AND state = 'applying'",
                    arguments: [Date().timeIntervalSince1970, id])
                out.append(id)
            }
            return out
        }
    }

    /// Deployments, newest first: of one fabric, of one project, or all.
    public func deployments(fabric: String? = nil, project: String? = nil, limit: Int = 200) throws -> [Deployment] {
        try metastore.pool.read { db in
            var sql = "SELECT * FROM deployments WHERE 1=1"
            var args: [any DatabaseValueConvertible] = []
            if let fabric { sql += " AND fabric = ?"; args.append(fabric) }
            if let project { sql += " AND project = ?"; args.append(project) }
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                Deployment(
                    id: row["id"], project: row["project"], version: row["version"], commit: row["commit_id"], fabric: row["fabric"],
                    user: row["deployed_by"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    state: DeploymentState(rawValue: row["state"]) ?? .interrupted, plan: try Self.decodeJSON(DeploymentPlan.self, row["plan"]),
                    applied: try Self.decodeJSON([String].self, row["applied"]), log: try Self.decodeJSON([String].self, row["log"]))
            }
        }
    }

    // MARK: what fabrics hold

    /// The jobs of `project` deployed on `fabric`, by name.
    public func deployedJobs(fabric: String, project: String) throws -> [String: DeployedJob] {
        try metastore.pool.read { db in
            var out: [String: DeployedJob] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM deployed_jobs WHERE fabric = ? AND project = ?", arguments: [fabric, project]) {
                let d = try Self.deployedJob(row: row)
                out[d.job] = d
            }
            return out
        }
    }

    /// Every deployed job of the workspace (of one fabric when given).
    public func allDeployedJobs(fabric: String? = nil) throws -> [DeployedJob] {
        try metastore.pool.read { db in
            let rows =
                try fabric.map { try Row.fetchAll(db, sql: "SELECT * FROM deployed_jobs WHERE fabric = ? ORDER BY project, job", arguments: [$0]) }
                ?? Row.fetchAll(db, sql: "SELECT * FROM deployed_jobs ORDER BY fabric, project, job")
            return try rows.map(Self.deployedJob(row:))
        }
    }

    /// The release deployed on `fabric` for one job, nil when nothing is deployed.
    public func deployedJob(fabric: String, project: String, job: String) throws -> DeployedJob? {
        try metastore.pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM deployed_jobs WHERE fabric = ? AND project = ? AND job = ?", arguments: [fabric, project, job]
            ).map(Self.deployedJob(row:))
        }
    }

    static func deployedJob(row: Row) throws -> DeployedJob {
        DeployedJob(
            fabric: row["fabric"], project: row["project"], job: row["job"], version: row["version"], commit: row["commit_id"],
            definition: try decodeJSON(Job.self, row["definition"]), deploymentID: row["deployment_id"], deployedBy: row["deployed_by"],
            deployedAt: Date(timeIntervalSince1970: row["deployed_at"]))
    }

    /// A project's pipelines and jobs as they are at `commit` (read from Weft's read-only export), with the
    /// problems of malformed files.
    public func contents(project: String, commit: String) throws -> (
        pipelines: [String: Pipeline], jobs: [String: JobRecord], problems: [Problem], directory: String
    ) {
        let dir = try exportRevision(project: project, commit: commit)
        let c = try ProjectContents.load(directory: dir, project: project)
        return (c.pipelines, c.jobs, c.pipelineProblems + c.jobProblems, dir)
    }
}
