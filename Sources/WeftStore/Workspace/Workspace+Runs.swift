import Foundation
import GRDB
import WeftDomain

extension Workspace {
    /// The project's current commit.
    public func headCommit(project: String) throws -> String {
        guard let head = git(project).head() else {
            throw WeftError.workspace("project \(project) has no commit; its repository at \(projectDirectory(project)) is damaged")
        }
        return head
    }

    /// A job and the project's pipelines as they are at `commit` (read from the revision's read-only export, never
    /// from the working tree), so a run fixes what it runs. `path` is where the job file was last seen (a hint);
    /// the job is looked up by name when that file is not it at `commit`.
    public func jobAtRevision(project: String, job name: String, path: String?, commit: String) throws -> (
        job: Job, path: String, pipelines: [String: Pipeline]
    ) {
        let checkout = try exportRevision(project: project, commit: commit)
        let pipelines = try ProjectContents.loadPipelines(directory: checkout).pipelines
        var candidates: [String] = []
        if let path { candidates.append(path) }
        let jobFiles = ((try? FileManager.default.contentsOfDirectory(atPath: checkout + "/jobs")) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "jobs/" + $0 }
        candidates += ["jobs/\(name).yaml"] + jobFiles
        var seen = Set<String>()
        for rel in candidates where seen.insert(rel).inserted {
            guard let read = ProjectText.read(checkout + "/" + rel, file: rel) else { continue }
            let text: String
            switch read {
            case .text(let t): text = t
            case .notText(let problem):
                // The file the job was last seen in is not text at this commit: say so, do not report "not found".
                if rel == path { throw WeftError.invalid([problem]) }
                continue
            }
            let decoded: ProjectFiles.DecodedJob
            do { decoded = try ProjectFiles.decodeJob(text, file: rel) } catch {
                // The file the job was last seen in is broken at this commit: say so, do not report "not found".
                if rel == path { throw error }
                continue
            }
            guard decoded.job.name == name else { continue }
            let job = try ProjectContents.decodeJob(text, path: rel, pipelines: pipelines)
            return (job, rel, pipelines)
        }
        throw WeftError.notFound(
            kind: "job", name: "\(project)/\(name)", hint: "it is not in the project at commit \(commit.prefix(10)); list jobs with 'weft job list'")
    }

    /// Where the slot lock files of a fabric are: `<root>/fabrics/<fabric>/slots` (one `<i>.lock` per slot).
    public func slotLockDirectory(fabric: String) -> String { fabricsDirectory + "/\(fabric)/slots" }

    /// A new run id: sortable by time, unique.
    public static func newRunID(now: Date = Date()) -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max) & 0xFFFFFF, radix: 16)
        return "r\(UTCTime.compact(now))-\(String(repeating: "0", count: 6 - suffix.count) + suffix)"
    }

    /// A read-only export of a project revision, created once per commit (temporary folder + rename) and verified
    /// against the commit every time it is used (see `verifiedExport`). With `fabric`, the export belongs to that
    /// fabric alone (`fabrics/<fabric>/checkouts/<project>/<commit>`): tasks run in it, so no fabric's tasks share a
    /// working directory with another's. Without, it is Weft's own copy for reading plans
    /// (`checkouts/<project>/<commit>`), never a task's working directory.
    public func exportRevision(project: String, commit: String, fabric: String? = nil) throws -> String {
        try verifiedExport(project: project, commit: commit, fabric: fabric).path
    }

    /// An export and what verifying it found.
    public struct VerifiedExport: Sendable, Hashable {
        /// The export's folder.
        public var path: String
        /// Set when the export on disk did not match the commit and was made again: what differed.
        public var repaired: String?
    }

    /// The export of `commit` (made when missing), checked against the commit's tree before it is used: every file
    /// must have the blob id and mode `git ls-tree` lists for it (kept beside the export as `<export>.manifest`,
    /// written when it was made, or computed once for an export an older Weft made), and nothing else may be there.
    /// A mismatch (a file edited, added or removed on disk) is never used: the export is moved aside, made again
    /// and `repaired` says what differed; if it cannot be made again, this throws.
    public func verifiedExport(project: String, commit: String, fabric: String? = nil) throws -> VerifiedExport {
        guard commit.count >= 7, commit.allSatisfy(\.isHexDigit) else {
            throw WeftError.invalid("'\(commit)' is not a commit id")
        }
        let dir = fabric.map { fabricsDirectory + "/\($0)/checkouts/\(project)/\(commit)" } ?? root + "/checkouts/\(project)/\(commit)"
        var repaired: String?
        if FileManager.default.fileExists(atPath: dir) {
            let manifest = try checkoutManifest(project: project, commit: commit, dir: dir)
            guard let problem = CheckoutManifest.verify(directory: dir, against: manifest) else {
                return VerifiedExport(path: dir, repaired: nil)
            }
            repaired = problem
            // Moved aside rather than removed in place, so that a task still running in it keeps a working directory.
            let aside = dir + ".stale-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            if rename(dir, aside) == 0 {
                _ = try? ProcessRunner.run("/bin/sh", ["-c", "chmod -R u+w \"$1\" 2>/dev/null; rm -rf \"$1\"", "sh", aside], environment: nil)
            } else if errno != ENOENT {
                throw WeftError.failure(
                    "the checkout \(dir) does not match commit \(commit.prefix(10)) (\(problem)) and cannot be moved aside: \(String(cString: strerror(errno))); remove it and run again")
            }
        }
        let tmp = dir + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        // Both sides of the pipe must succeed (a git that dies mid-stream must not leave a short export), and the
        // export's files are made read-only before it is published (its folders stay writable so that a workspace
        // can still be removed; the sandbox mounts the whole export read-only). The tree's manifest is kept beside it.
        let script =
            "set -e; git -C \"$1\" archive --format=tar -o \"$3.tar\" \"$2\"; tar -x -C \"$3\" -f \"$3.tar\"; rm -f \"$3.tar\"; "
            + "find \"$3\" -type f -exec chmod a-w {} +; git -C \"$1\" ls-tree -r -z --full-tree \"$2\" > \"$3.manifest\""
        let out = try ProcessRunner.run(
            "/bin/sh", ["-c", script, "sh", projectDirectory(project), commit, tmp], environment: Git.environment(author: nil))
        guard out.status == 0 else {
            _ = try? ProcessRunner.run("/bin/sh", ["-c", "rm -rf \"$1\" \"$1.tar\" \"$1.manifest\"", "sh", tmp], environment: nil)
            throw WeftError.failure("cannot export \(project) at \(commit): \(out.stderr)")
        }
        if rename(tmp, dir) != 0 {
            _ = try? ProcessRunner.run("/bin/sh", ["-c", "rm -rf \"$1\" \"$1.manifest\"", "sh", tmp], environment: nil)
            if !FileManager.default.fileExists(atPath: dir) { throw WeftError.failure("cannot export \(project) at \(commit)") }
        } else {
            rename(tmp + ".manifest", dir + ".manifest")
        }
        return VerifiedExport(path: dir, repaired: repaired)
    }

    /// The manifest of an export: the one written with it, or (an export made by an older Weft, or interrupted
    /// before its manifest was renamed into place) computed from the commit now and kept.
    private func checkoutManifest(project: String, commit: String, dir: String) throws -> CheckoutManifest {
        if let data = FileManager.default.contents(atPath: dir + ".manifest"), let m = CheckoutManifest(lsTree: data) {
            return m
        }
        let (status, out, err) = try ProcessRunner.spawn(
            "/usr/bin/git", ["-C", projectDirectory(project), "ls-tree", "-r", "-z", "--full-tree", commit],
            environment: Git.environment(author: nil), input: nil)
        guard status == 0, let m = CheckoutManifest(lsTree: out) else {
            throw WeftError.failure("cannot list commit \(commit.prefix(10)) of \(project): \(String(decoding: err, as: UTF8.self))")
        }
        try? FileIO.atomicWrite(out, to: dir + ".manifest", mode: 0o444)
        return m
    }

    /// The fabric a run belongs to, with the permission to read it checked.
    public func authorizeRun(_ principal: Principal, _ run: RunRecord, _ action: Action) throws {
        let f = try fabric(run.fabric)
        try authorize(principal, action, .run(id: run.id, job: run.job, fabric: f), project: run.project)
    }

    /// Fabric names whose runs `principal` may read.
    public func readableFabrics(_ principal: Principal) throws -> [String] {
        try fabrics().filter { principal.isMember(of: $0.ownerTeam) }.map(\.name)
    }
}
