import Foundation
import GRDB
import WeftDomain

extension Workspace {
    /// Writes files into a project as one commit by `principal`, atomically:
    ///
    /// 1. take the project's lock and repair anything a dead process left half done;
    /// 2. check each expected blob (optimistic concurrency): a file changed since it was read is a conflict;
    /// 3. journal the paths, write each file (temporary file + rename), `git add` + `git commit`;
    /// 4. on any failure put the working tree and index back to HEAD; clear the journal.
    ///
    /// A `nil` content deletes the file. `expecting` maps paths to the blob id they had when read ("" = must not exist).
    /// `audit` is recorded in the same transaction that closes the journal — or, after a crash, by the recovery
    /// when the commit had landed; so are `alsoAudit` (one change concerning several fabrics: one event per fabric).
    /// Callers check permissions first.
    /// Returns the root tree ids before and after the commit (for keeping the job index current without asking git).
    @discardableResult
    func writeFiles(
        _ principal: Principal, project: String, files: [String: String?], expecting: [String: String]?, message: String,
        audit event: AuditEvent?, alsoAudit: [AuditEvent] = []
    ) throws -> (treeBefore: String, treeAfter: String) {
        let lock = try ProjectLock(path: root + "/locks/\(project).lock")
        defer { withExtendedLifetime(lock) {} }
        try recoverPendingWrites(project: project)
        let g = git(project)
        // One git call: HEAD, its tree, and the blob of each expected path ("" where HEAD has none).
        let expectedPaths = (expecting ?? [:]).keys.sorted()
        let (headBefore, treeBefore, current) = try g.headTreeAndBlobs(expectedPaths)
        if let expecting {
            let tree = current
            for (path, blob) in expecting {
                let current = tree[path] ?? ""
                if current != blob {
                    throw WeftError.conflict(
                        blob.isEmpty
                            ? "\(project)/\(path) exists already (someone created it meanwhile); nothing was written — pick another name or reload"
                            : "\(project)/\(path) was changed by someone else since you read it; nothing was written — reload and apply your change again")
                }
            }
        }
        let paths = files.keys.sorted()
        // Never commit what Weft could not read back (control characters in a value are escaped by the YAML writer).
        let unreadable = paths.compactMap { path in (files[path] ?? nil).flatMap { ProjectText.problem(inText: $0, file: path) } }
        if !unreadable.isEmpty { throw WeftError.invalid(unreadable) }
        // One event is journalled as before; several as a JSON array (read back by `recoverPendingWrites`).
        let events = (event.map { [$0] } ?? []) + alsoAudit
        let auditData = try events.count > 1 ? JSONEncoder().encode(events) : events.first.map { try JSONEncoder().encode($0) }
        let journal = try metastore.pool.write { db -> Int64 in
            try db.execute(
                sql: "INSERT INTO pending_ops(project, paths, started_at, head, audit) VALUES (?,?,?,?,?)",
                arguments: [project, paths.joined(separator: "\n"), Date().timeIntervalSince1970, headBefore, auditData])
            return db.lastInsertedRowID
        }
        Self.faultPoint("after-journal")
        let dir = projectDirectory(project)
        var treeAfter = ""
        do {
            for path in paths {
                if let content = files[path] ?? nil {
                    try FileIO.atomicWrite(Data(content.utf8), to: dir + "/" + path)
                } else {
                    try? FileManager.default.removeItem(atPath: dir + "/" + path)
                }
                Self.faultPoint("after-write")
            }
            // git's plumbing rather than `git add` + `git commit`: no index refresh over every file, and the branch
            // moves by compare-and-swap from the HEAD read above — the commit point of the write.
            try g.run(["update-index", "--add", "--remove", "--"] + paths, author: Self.author(principal))
            Self.faultPoint("after-add")
            treeAfter = try g.run(["write-tree"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let commit = try g.run(
                ["commit-tree", treeAfter] + (headBefore.isEmpty ? [] : ["-p", headBefore]) + ["-m", message],
                author: Self.author(principal)
            ).trimmingCharacters(in: .whitespacesAndNewlines)
            try g.run(["update-ref", "-m", "commit: " + (message.split(separator: "\n").first.map(String.init) ?? ""), "HEAD", commit, headBefore])
            Self.faultPoint("after-commit")
        } catch {
            try? restore(project: project, paths: paths)
            try? metastore.pool.write { db in try db.execute(sql: "DELETE FROM pending_ops WHERE id = ?", arguments: [journal]) }
            throw error
        }
        try metastore.pool.write { db in
            try db.execute(sql: "DELETE FROM pending_ops WHERE id = ?", arguments: [journal])
            for e in events { try Workspace.insertAudit(db, e) }
        }
        // Housekeeping `git commit` would otherwise start: pack loose objects now and then.
        if journal % 100 == 0 { g.maintain() }
        return (treeBefore, treeAfter)
    }

    /// Puts `paths` back to HEAD in the index and the working tree, removing files HEAD does not have.
    func restore(project: String, paths: [String]) throws {
        let g = git(project)
        let dir = projectDirectory(project)
        // A killed git leaves its locks behind; we hold the project lock, so no Weft git runs here now.
        for lock in ["index.lock", "HEAD.lock", "refs/heads/main.lock"] {
            try? FileManager.default.removeItem(atPath: dir + "/.git/" + lock)
        }
        let tree = (try? g.blobs(at: paths)) ?? [:]
        for path in paths {
            if tree[path] != nil {
                try g.run(["checkout", "-q", "HEAD", "--", path])
            } else {
                _ = try? g.run(["rm", "-q", "--cached", "--ignore-unmatch", "--", path])
                try? FileManager.default.removeItem(atPath: dir + "/" + path)
            }
        }
        // Temporary files of an interrupted atomic write.
        for path in paths {
            let parent = (dir + "/" + path as NSString).deletingLastPathComponent
            for f in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where f.hasPrefix(".weft-tmp-") {
                try? FileManager.default.removeItem(atPath: parent + "/" + f)
            }
        }
    }

    /// Repairs writes that a dead process left half done. Call with the project's lock held.
    func recoverPendingWrites(project: String) throws {
        let pending = try metastore.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, paths, head, audit FROM pending_ops WHERE project = ?", arguments: [project])
        }
        // A writer killed mid-command leaves its git child dying (it gets SIGKILL with its parent): let it go before
        // reading HEAD and removing its locks, so no git of the dead process lands anything after the repair.
        if !pending.isEmpty { GitProcesses.waitUntilGone(in: projectDirectory(project), timeout: Self.dyingGitGrace) }
        for row in pending {
            let id: Int64 = row[0]
            let paths = (row[1] as String).split(separator: "\n").map(String.init)
            let headBefore: String? = row[2]
            let auditData: Data? = row[3]
            // With the project lock held, HEAD can only have moved by the interrupted write's own commit.
            let landed = headBefore != nil && git(project).head() != headBefore
            try restore(project: project, paths: paths)
            try metastore.pool.write { db in
                try db.execute(sql: "DELETE FROM pending_ops WHERE id = ?", arguments: [id])
                if landed, let auditData {
                    let events =
                        (try? JSONDecoder().decode(AuditEvent.self, from: auditData)).map { [$0] }
                        ?? (try? JSONDecoder().decode([AuditEvent].self, from: auditData)) ?? []
                    for event in events { try Workspace.insertAudit(db, event) }
                }
            }
        }
    }

    /// Repairs every project's interrupted writes (taking each project's lock).
    public func recoverAllPendingWrites() throws {
        let projectsWithPending = try metastore.pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT project FROM pending_ops")
        }
        for p in projectsWithPending {
            let lock = try ProjectLock(path: root + "/locks/\(p).lock")
            try recoverPendingWrites(project: p)
            withExtendedLifetime(lock) {}
        }
    }

    /// Test hook: with `WEFT_FAULT=<point>` the process kills itself (SIGKILL) at that point; without the variable it
    /// does nothing. Used by the crash-safety tests (CrashSafetyTests, ReleaseCrashTests); public so that the release
    /// path in WeftEngine has its points too.
    public static func faultPoint(_ name: String) {
        guard let fault = ProcessInfo.processInfo.environment["WEFT_FAULT"], fault == name else { return }
        kill(getpid(), SIGKILL)
    }

    /// Test hook: with `WEFT_FAULT=stop-git-<subcommand>` the process stops the git child it has just started for
    /// that subcommand (SIGSTOP) and kills itself — a `kill -9` in the middle of a git command, with a child that would
    /// never end by itself unless it dies with its parent. Nil (no hook) otherwise.
    static func gitFaultHook(_ subcommand: String) -> ((pid_t) -> Void)? {
        guard let fault = getenv("WEFT_FAULT"), String(cString: fault) == "stop-git-" + subcommand else { return nil }
        return { pid in
            kill(pid, SIGSTOP)
            kill(getpid(), SIGKILL)
        }
    }

    /// How long recovery waits for git processes of a dead writer to end before repairing the repository.
    static let dyingGitGrace = 2.0
}
