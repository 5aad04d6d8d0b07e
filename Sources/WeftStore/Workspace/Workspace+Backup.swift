import Foundation
import GRDB
import WeftDomain

/// What `weft backup` wrote.
public struct BackupResult: Sendable, Codable {
    public var directory: String
    public var projects: [String]
    public var artifacts: Bool
    public var bytes: Int64
}

extension Workspace {
    /// Backs the workspace up into `directory` (a workspace itself: open it with `--workspace`, or copy it into
    /// place): the metastore through SQLite's online backup API (no sessions), every project's repository cloned with
    /// its history and tags, the secrets key, and the release artifacts. Fabric data roots, run logs, checkouts and
    /// builds are not in it (see docs/backup.md). Workspace admins only: the copy holds every secret (sealed) and its key.
    ///
    /// The target is created 0700 (files 0600); an existing directory is used only when empty. Every project's lock
    /// is held from before the metastore copy to the end, so the job index, the journal and the repositories agree.
    @discardableResult
    public func backup(_ principal: Principal, to target: String) throws -> BackupResult {
        try authorize(principal, .backupWorkspace, .workspace)
        let dir = Self.absolute(target)
        if dir == root || dir.hasPrefix(root + "/") {
            throw WeftError.invalid("a backup cannot go inside the workspace it copies (\(dir)); give a directory outside \(root)")
        }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDir) {
            guard isDir.boolValue, (try? fm.contentsOfDirectory(atPath: dir))?.isEmpty == true else {
                throw WeftError.conflict(
                    "\(dir) exists and is not an empty directory; nothing was written — give a new directory (or empty this one) for the backup")
            }
        } else {
            try fm.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard mkdir(dir, 0o700) == 0 else {
                throw WeftError.failure("cannot create \(dir): \(String(cString: strerror(errno)))")
            }
        }
        guard chmod(dir, 0o700) == 0 else { throw WeftError.failure("cannot make \(dir) private: \(String(cString: strerror(errno)))") }
        do {
            let result = try writeBackup(principal, into: dir)
            audit(principal.name, Action.backupWorkspace.rawValue, .workspace, result: .allowed, detail: "backup to \(dir)")
            return result
        } catch {
            // Leave no half backup that could be taken for a whole one.
            if let entries = try? fm.contentsOfDirectory(atPath: dir) { for e in entries { try? fm.removeItem(atPath: dir + "/" + e) } }
            throw error
        }
    }

    private func writeBackup(_ principal: Principal, into dir: String) throws -> BackupResult {
        let fm = FileManager.default
        for sub in ["keys", "projects", "locks", "fabrics"] {
            guard mkdir(dir + "/" + sub, 0o700) == 0 else { throw WeftError.failure("cannot create \(dir)/\(sub): \(String(cString: strerror(errno)))") }
        }
        let projectNames = try projects().map(\.name).sorted()
        // Writers take one project lock at a time, so taking all of them in order cannot deadlock.
        var locks: [ProjectLock] = []
        for p in projectNames {
            locks.append(try ProjectLock(path: root + "/locks/\(p).lock"))
            try recoverPendingWrites(project: p)
        }
        defer { withExtendedLifetime(locks) {} }

        // The metastore: SQLite's online backup API, into a file that is 0600 from its first byte.
        let dbPath = dir + "/weft.sqlite"
        try Self.createPrivateFile(dbPath, contents: Data())
        do {
            let copy = try DatabaseQueue(path: dbPath)
            try metastore.pool.backup(to: copy)
            // A backup carries no live logins.
            try copy.write { db in try db.execute(sql: "DELETE FROM sessions") }
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        // The key that opens the sealed secrets.
        for name in try fm.contentsOfDirectory(atPath: keysDirectory).sorted() {
            guard let data = fm.contents(atPath: keysDirectory + "/" + name) else {
                throw WeftError.failure("cannot read \(keysDirectory)/\(name)")
            }
            try Self.createPrivateFile(dir + "/keys/" + name, contents: data)
        }
        // Each repository with its history, branches and tags (git's pack protocol gives one consistent snapshot).
        for p in projectNames {
            let dst = dir + "/projects/" + p
            let out = try ProcessRunner.run(
                "/usr/bin/git", ["clone", "--no-local", "--quiet", "--", projectDirectory(p), dst], environment: Git.environment(author: nil))
            guard out.status == 0 else {
                throw WeftError.failure("cannot copy the repository of \(p): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            try Git(directory: dst).run(["remote", "remove", "origin"])
        }
        let fabricNames = try fabrics().map(\.name)
        for f in fabricNames { try fm.createDirectory(atPath: dir + "/fabrics/\(f)/data", withIntermediateDirectories: true) }
        // Release artifacts (immutable files the releases refer to by path inside the workspace).
        let artifacts = fm.fileExists(atPath: root + "/artifacts")
        if artifacts { try fm.copyItem(atPath: root + "/artifacts", toPath: dir + "/artifacts") }
        let manifest: [String: String] = [
            "created_at": ISO8601DateFormatter().string(from: Date()), "created_by": principal.name, "source": root,
            "projects": projectNames.joined(separator: ","), "restore": "see docs/backup.md: cp -a THIS_DIR NEW_WORKSPACE",
        ]
        try Self.createPrivateFile(dir + "/backup.json", contents: try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]))
        var bytes: Int64 = 0
        if let e = fm.enumerator(atPath: dir) {
            while let f = e.nextObject() as? String {
                if let size = (try? fm.attributesOfItem(atPath: dir + "/" + f))?[.size] as? NSNumber, e.fileAttributes?[.type] as? FileAttributeType == .typeRegular {
                    bytes += size.int64Value
                }
            }
        }
        return BackupResult(directory: dir, projects: projectNames, artifacts: artifacts, bytes: bytes)
    }

    /// Creates `path` with mode 0600 (O_EXCL, O_NOFOLLOW: never an existing file or a planted link) and writes `contents`.
    static func createPrivateFile(_ path: String, contents: Data) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WeftError.failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try contents.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw WeftError.failure("cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw WeftError.failure("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
