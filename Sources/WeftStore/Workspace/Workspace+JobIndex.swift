import Crypto
import Foundation
import GRDB
import WeftDomain

/// A job file that could not be read, as listed.
public struct BrokenJobFile: Sendable, Hashable {
    public var project: String
    public var path: String
    public var problems: [Problem]
}

extension Workspace {
    /// Brings the metastore's job index up to date with each project's HEAD: only files whose git blob changed are
    /// parsed again (all of them when the pipelines changed, since jobs are validated against them).
    public func refreshJobIndex(project: String) throws {
        let g = git(project)
        // HEAD from git's files: when the index was built at this very commit, it is current (no git process).
        let head = g.headFromRefs()
        let storedRow = try metastore.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT tree, head FROM project_index_state WHERE project = ?", arguments: [project])
        }
        let stored: String? = storedRow?["tree"]
        if let head, let storedHead: String = storedRow?["head"], storedHead == head { return }
        // One git call for the ids: HEAD, the root tree (changes whenever any file does) and the pipelines' tree.
        let ids: [String]
        // The head stored with the index comes only from the same git call as the trees it is built from.
        var headNow: String?
        if let out = try? g.run(["rev-parse", "HEAD", "HEAD^{tree}", "HEAD:pipelines"]) {
            let all = out.split(separator: "\n").map(String.init)
            headNow = all.first
            ids = Array(all.dropFirst())
        } else if let out = try? g.run(["rev-parse", "HEAD^{tree}"]) {
            ids = [out.trimmingCharacters(in: .whitespacesAndNewlines), ""]
        } else {
            return  // no commit yet
        }
        guard let state = ids.first else { return }
        let pipelinesTree = ids.count > 1 ? ids[1] : ""
        if stored?.split(separator: ":").first.map(String.init) == state {
            if let headNow {
                try metastore.pool.write { db in
                    try db.execute(sql: "UPDATE project_index_state SET head = ? WHERE project = ? AND tree = ?", arguments: [headNow, project, stored])
                }
            }
            return
        }
        let storedPipelines = stored?.split(separator: ":").last.map(String.init)
        let full = storedPipelines != pipelinesTree
        let files = try g.lsTree(headNow ?? "HEAD").filter { $0.key.hasPrefix("jobs/") && ($0.key.hasSuffix(".yaml") || $0.key.hasSuffix(".yml")) }
        let existing = try metastore.pool.read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT path, blob FROM job_index WHERE project = ?", arguments: [project]).map { ($0[0] as String, $0[1] as String) },
                uniquingKeysWith: { a, _ in a })
        }
        let changed = files.filter { full || existing[$0.key] != $0.value }
        let removed = existing.keys.filter { files[$0] == nil }
        let contents = try g.catFileBatch(Array(Set(changed.values)))
        let pipelines = try self.pipelines(project: project)
        let encoder = JSONEncoder()
        var rows: [(path: String, blob: String, name: String, fabric: String, enabled: Int, body: Data)] = []
        for (path, blob) in changed {
            do throws(WeftError) {
                let text: String
                switch ProjectText.decode(contents[blob] ?? Data(), file: path) {
                case .text(let t): text = t
                case .notText(let problem): throw WeftError.invalid([problem])
                }
                let job = try ProjectContents.decodeJob(text, path: path, pipelines: pipelines)
                rows.append((path, blob, job.name, job.fabric, job.enabled ? 1 : 0, JobCodec.encode(job)))
            } catch {
                guard case .invalid(let problems) = error else { throw error }
                let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                rows.append((path, blob, stem, "", -1, try encoder.encode(problems)))
            }
        }
        try metastore.pool.write { db in
            for path in removed {
                try db.execute(sql: "DELETE FROM job_index WHERE project = ? AND path = ?", arguments: [project, path])
            }
            let stmt = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO job_index(project, path, blob, name, fabric, enabled, body) VALUES (?,?,?,?,?,?,?)")
            for r in rows {
                try stmt.execute(arguments: [project, r.path, r.blob, r.name, r.fabric, r.enabled, r.body])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO project_index_state(project, tree, head) VALUES (?, ?, ?)",
                arguments: [project, state + ":" + pipelinesTree, headNow])
        }
    }

    /// Every job of the given projects from the index (refreshed first), plus the files that could not be read.
    public func indexedJobs(projects names: [String], fabric: String? = nil) throws -> (jobs: [JobRecord], broken: [BrokenJobFile]) {
        for p in names { try refreshJobIndex(project: p) }
        let decoder = JSONDecoder()
        return try metastore.pool.read { db in
            var jobs: [JobRecord] = []
            var broken: [BrokenJobFile] = []
            var sql = "SELECT project, path, blob, enabled, body FROM job_index WHERE project IN (\(names.map { _ in "?" }.joined(separator: ",")))"
            var args: [any DatabaseValueConvertible] = names
            if let fabric { sql += " AND fabric = ?"; args.append(fabric) }
            sql += " ORDER BY project, path"
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(args))
            while let row = try cursor.next() {
                let body: Data = row[4]
                if (row[3] as Int) < 0 {
                    broken.append(BrokenJobFile(project: row[0], path: row[1], problems: (try? decoder.decode([Problem].self, from: body)) ?? []))
                } else if let job = JobCodec.decode(body) {
                    jobs.append(JobRecord(project: row[0], job: job, path: row[1], blob: row[2]))
                }
            }
            return (jobs, broken)
        }
    }
}

extension Workspace {
    /// Records a job that Weft itself just committed, without asking git again: the blob id is computed in-process.
    /// When the index was current before the write (`trees.treeBefore`), it is current after it too: the state
    /// moves to `trees.treeAfter`; otherwise the next refresh compares blob ids as usual.
    func indexCommittedJob(
        project: String, path: String, job: Job, content: String, trees: (treeBefore: String, treeAfter: String)
    ) throws -> JobRecord {
        let blob = Git.blobID(of: Data(content.utf8))
        try metastore.pool.write { db in
            if !trees.treeBefore.isEmpty, !trees.treeAfter.isEmpty,
                let stored = try String.fetchOne(db, sql: "SELECT tree FROM project_index_state WHERE project = ?", arguments: [project]),
                stored.split(separator: ":").first.map(String.init) == trees.treeBefore
            {
                let pipelines = stored.split(separator: ":").dropFirst().first.map(String.init) ?? ""
                try db.execute(
                    sql: "UPDATE project_index_state SET tree = ?, head = NULL WHERE project = ?",
                    arguments: [trees.treeAfter + ":" + pipelines, project])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO job_index(project, path, blob, name, fabric, enabled, body) VALUES (?,?,?,?,?,?,?)",
                arguments: [project, path, blob, job.name, job.fabric, job.enabled ? 1 : 0, JobCodec.encode(job)])
        }
        return JobRecord(project: project, job: job, path: path, blob: blob)
    }
}

extension Git {
    /// The object id git gives a blob with these contents (SHA-1 of "blob <size>\0" + contents).
    static func blobID(of data: Data) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: Data("blob \(data.count)\0".utf8))
        hasher.update(data: data)
        return FileIO.hex(hasher.finalize())
    }

    /// Blob ids of the given paths at HEAD (absent paths are missing from the result).
    func blobs(at paths: [String]) throws(WeftError) -> [String: String] {
        var result: [String: String] = [:]
        for line in try run(["ls-tree", "--full-tree", "HEAD", "--"] + paths).split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let meta = line[..<tab].split(separator: " ")
            if meta.count == 3 { result[String(line[line.index(after: tab)...])] = String(meta[2]) }
        }
        return result
    }

    /// Contents of many blobs in one `git cat-file --batch`.
    func catFileBatch(_ blobs: [String]) throws(WeftError) -> [String: Data] {
        guard !blobs.isEmpty else { return [:] }
        let out = try ProcessRunner.runData(
            "/usr/bin/git", ["-C", directory, "cat-file", "--batch"], environment: Git.environment(author: nil),
            input: Data((blobs.joined(separator: "\n") + "\n").utf8))
        var result: [String: Data] = [:]
        var i = out.startIndex
        while i < out.endIndex {
            guard let nl = out[i...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let header = String(decoding: out[i..<nl], as: UTF8.self).split(separator: " ")
            i = out.index(after: nl)
            guard header.count == 3, let size = Int(header[2]) else { continue }
            let end = out.index(i, offsetBy: size)
            result[String(header[0])] = Data(out[i..<end])  // the bytes: ProjectText decides whether they are text
            i = out.index(after: end)  // trailing newline
        }
        return result
    }
}

extension ProcessRunner {
    static func runData(_ executable: String, _ args: [String], environment: [String: String], input: Data) throws(WeftError) -> Data {
        let (status, out, _) = try spawn(executable, args, environment: environment, input: input)
        guard status == 0 else { throw .failure("\(args.dropFirst(2).first ?? executable) failed (exit \(status))") }
        return out
    }
}
