import Foundation
import WeftDomain

/// Runs the git CLI in one repository.
public struct Git: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Who a commit is by.
    public struct Author: Sendable {
        public var name: String
        public var email: String
        public init(name: String, email: String) {
            self.name = name
            self.email = email
        }
    }

    /// Runs `git <args>`; returns stdout; throws `.failure` with git's message on a non-zero exit.
    @discardableResult
    public func run(_ args: [String], author: Author? = nil, input: Data? = nil) throws(WeftError) -> String {
        let out = try ProcessRunner.run(
            "/usr/bin/git", ["-C", directory] + args, environment: Self.environment(author: author), input: input)
        guard out.status == 0 else {
            let msg = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .failure("git \(args.first ?? "") failed in \(directory): \(msg.isEmpty ? "exit \(out.status)" : msg)")
        }
        return out.stdout
    }

    static func environment(author: Author?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        // Commits are reproducible and never ask anything.
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["LC_ALL"] = "C"
        let a = author ?? Author(name: "weft", email: "weft@localhost")
        env["GIT_AUTHOR_NAME"] = a.name
        env["GIT_AUTHOR_EMAIL"] = a.email
        env["GIT_COMMITTER_NAME"] = a.name
        env["GIT_COMMITTER_EMAIL"] = a.email
        return env
    }

    /// Creates a repository with `main` as its branch.
    public func initRepository() throws(WeftError) {
        try run(["init", "-q", "-b", "main"])
    }

    /// The commit id of HEAD, nil in a repository without commits.
    public func head() -> String? {
        (try? run(["rev-parse", "--verify", "-q", "HEAD"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Blob ids of every file at a revision: path → blob.
    public func lsTree(_ rev: String = "HEAD") throws(WeftError) -> [String: String] {
        let out = try run(["ls-tree", "-r", "--full-tree", rev])
        var result: [String: String] = [:]
        for line in out.split(separator: "\n") {
            // <mode> SP <type> SP <object> TAB <file>
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let meta = line[..<tab].split(separator: " ")
            guard meta.count == 3 else { continue }
            result[String(line[line.index(after: tab)...])] = String(meta[2])
        }
        return result
    }

    /// The tree id of a revision (changes whenever any file changes).
    public func tree(_ rev: String = "HEAD") -> String? {
        (try? run(["rev-parse", "--verify", "-q", rev + "^{tree}"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The contents of a blob or `rev:path`.
    public func show(_ object: String) throws(WeftError) -> String {
        try run(["cat-file", "-p", object])
    }

    /// Stages `paths` (additions, changes and removals) and commits them as `author`.
    public func commit(paths: [String], message: String, author: Author) throws(WeftError) {
        try run(["add", "-A", "--"] + paths, author: author)
        try run(["commit", "-q", "--no-verify", "-m", message, "--"] + paths, author: author)
    }
}

/// Runs a process to completion, capturing its output.
enum ProcessRunner {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ args: [String], environment: [String: String]? = nil, input: Data? = nil)
        throws(WeftError) -> Output
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        if let environment { p.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        let inPipe = Pipe()
        p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        do { try p.run() } catch { throw .failure("cannot start \(executable): \(error.localizedDescription)") }
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty process cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Output(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
