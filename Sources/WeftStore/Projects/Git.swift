import CPosix
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
            "/usr/bin/git", ["-C", directory] + args, environment: Self.environment(author: author), input: input,
            onSpawn: Workspace.gitFaultHook(args.first ?? ""))
        guard out.status == 0 else {
            let msg = out.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .failure("git \(args.first ?? "") failed in \(directory): \(msg.isEmpty ? "exit \(out.status)" : msg)")
        }
        return out.stdout
    }

    static func environment(author: Author?) -> [String: String] {
        // git follows GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE … from the caller's environment: none of it may point
        // Weft's git at another repository.
        var env = Credentials.childEnvironment().filter { !$0.key.hasPrefix("GIT_") }
        // Commits are reproducible and never ask anything.
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        // Read commands (status, diff) do not take the index lock to refresh stat data: a git killed with Weft
        // (PR_SET_PDEATHSIG) then never leaves an index.lock behind outside a journalled write.
        env["GIT_OPTIONAL_LOCKS"] = "0"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["LC_ALL"] = "C"
        // No automatic `git maintenance`/`gc --auto` after every commit (a process per write); Weft runs it every 100 writes.
        env["GIT_CONFIG_COUNT"] = "2"
        env["GIT_CONFIG_KEY_0"] = "gc.auto"
        env["GIT_CONFIG_VALUE_0"] = "0"
        env["GIT_CONFIG_KEY_1"] = "maintenance.auto"
        env["GIT_CONFIG_VALUE_1"] = "false"
        let a = author ?? Author(name: "weft", email: "weft@localhost")
        env["GIT_AUTHOR_NAME"] = a.name
        env["GIT_AUTHOR_EMAIL"] = a.email
        env["GIT_COMMITTER_NAME"] = a.name
        env["GIT_COMMITTER_EMAIL"] = a.email
        return env
    }

    /// `git gc --auto` with git's own thresholds (commits made by Weft skip it; see `environment`).
    public func maintain() {
        var env = Self.environment(author: nil)
        for k in ["GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0", "GIT_CONFIG_KEY_1", "GIT_CONFIG_VALUE_1"] { env[k] = nil }
        _ = try? ProcessRunner.run("/usr/bin/git", ["-C", directory, "gc", "--auto", "--quiet"], environment: env)
    }

    /// HEAD's commit and tree ids and the blob ids of `paths` at HEAD (absent paths are missing), in one git call:
    /// `cat-file --batch-check` answers every name, printing "<name> missing" for what does not exist.
    func headTreeAndBlobs(_ paths: [String]) throws(WeftError) -> (head: String, tree: String, blobs: [String: String]) {
        let names = ["HEAD", "HEAD^{tree}"] + paths.map { "HEAD:" + $0 }
        let out = try ProcessRunner.run(
            "/usr/bin/git", ["-C", directory, "cat-file", "--batch-check"], environment: Self.environment(author: nil),
            input: Data((names.joined(separator: "\n") + "\n").utf8))
        guard out.status == 0 else {
            throw .failure("git cat-file failed in \(directory): \(out.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func oid(_ i: Int) -> String? {
            guard i < lines.count, !lines[i].hasSuffix(" missing") else { return nil }
            return lines[i].split(separator: " ").first.map(String.init)
        }
        var blobs: [String: String] = [:]
        for (i, p) in paths.enumerated() { if let b = oid(i + 2) { blobs[p] = b } }
        return (oid(0) ?? "", oid(1) ?? "", blobs)
    }

    /// Creates a repository with `main` as its branch.
    public func initRepository() throws(WeftError) {
        try run(["init", "-q", "-b", "main"])
    }

    /// The commit id of HEAD, nil in a repository without commits.
    public func head() -> String? {
        if let fast = headFromRefs() { return fast }
        return (try? run(["rev-parse", "--verify", "-q", "HEAD"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// HEAD read from the repository's files as git itself resolves it — `.git/HEAD`, then the loose ref, then
    /// `packed-refs` — without starting git (a process costs milliseconds). Nil whenever anything is unusual (a
    /// `.git` file, a symbolic ref outside `refs/heads/`, a malformed id); callers then ask git.
    func headFromRefs() -> String? {
        let gitDir = directory + "/.git"
        func read(_ path: String) -> String? {
            guard let data = FileManager.default.contents(atPath: path), data.count < 4096 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func isObjectID(_ s: Substring) -> Bool {
            (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        }
        guard let head = read(gitDir + "/HEAD") else { return nil }
        if isObjectID(head[...]) { return head }
        guard head.hasPrefix("ref: refs/heads/") else { return nil }
        let ref = String(head.dropFirst(5))
        guard !ref.contains(".."), !ref.contains("\n") else { return nil }
        if let loose = read(gitDir + "/" + ref) { return isObjectID(loose[...]) ? loose : nil }
        guard let packed = read(gitDir + "/packed-refs") else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            let id = line.prefix { $0 != " " }
            return isObjectID(id) ? String(id) : nil
        }
        return nil
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

/// git processes working on one repository (`git -C DIR …`), as `/proc` shows them.
enum GitProcesses {
    /// The pids of live `git -C directory …` processes (zombies and processes of other users are not seen).
    static func running(in directory: String) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [pid_t] = []
        let me = getpid()
        for e in entries {
            guard let pid = pid_t(e), pid != me,
                let data = FileManager.default.contents(atPath: "/proc/\(e)/cmdline"), !data.isEmpty
            else { continue }
            let argv = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard argv.count >= 3, argv[0] == "/usr/bin/git" || argv[0] == "git", argv[1] == "-C", argv[2] == directory else { continue }
            found.append(pid)
        }
        return found
    }

    /// Waits (polling, 1 ms doubling to 50 ms) until no git works on `directory`, at most `timeout` seconds.
    /// Returns the pids still there at the end (empty when all are gone).
    @discardableResult
    static func waitUntilGone(in directory: String, timeout: Double) -> [pid_t] {
        let deadline = Date().addingTimeInterval(timeout)
        var pause: useconds_t = 1000
        while true {
            let left = running(in: directory)
            if left.isEmpty || Date() >= deadline { return left }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }
}

/// Runs short helper processes (git, tar) to completion, capturing their output.
///
/// Spawned by `weft_spawn_io` (clone + exec, as posix_spawn does): Foundation's `Process` costs several
/// milliseconds a call here, and a duplicate runs half a dozen git commands. Every child gets
/// `PR_SET_PDEATHSIG(SIGKILL)`: when Weft is killed, a git it started dies too instead of finishing a write after the
/// next command has repaired the repository. The signal follows the spawning *thread*, which here is the thread that
/// waits for the child, so it lives as long as the child does.
public enum ProcessRunner {
    /// A finished process: exit status (128 + signal when killed) and what it printed.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion (in `directory` when given) and returns its status and output.
    public static func run(
        _ executable: String, _ args: [String], environment: [String: String]? = nil, input: Data? = nil, directory: String? = nil,
        onSpawn: ((pid_t) -> Void)? = nil
    ) throws(WeftError) -> Output {
        let (status, out, err) = try spawn(
            executable, args, environment: environment, input: input, directory: directory, onSpawn: onSpawn)
        return Output(status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Spawns, feeds `input` to stdin, reads stdout and stderr until both close, and reaps the child.
    static func spawn(
        _ executable: String, _ args: [String], environment: [String: String]?, input: Data?, directory: String? = nil,
        onSpawn: ((pid_t) -> Void)? = nil
    ) throws(WeftError) -> (Int32, Data, Data) {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func makePipe(_ fds: inout [Int32]) -> Bool {
            guard weft_pipe_cloexec(&fds) == 0 else { return false }
            return true
        }
        guard makePipe(&inPipe) else { throw .failure("cannot start \(executable): no pipe") }
        guard makePipe(&outPipe) else {
            close(inPipe[0]); close(inPipe[1])
            throw .failure("cannot start \(executable): no pipe")
        }
        guard makePipe(&errPipe) else {
            close(inPipe[0]); close(inPipe[1]); close(outPipe[0]); close(outPipe[1])
            throw .failure("cannot start \(executable): no pipe")
        }
        let env = Credentials.childEnvironment(environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStrings([executable] + args) { argv in
            withCStrings(env) { envp in
                if let directory {
                    return directory.withCString { weft_spawn_io(&pid, executable, $0, argv, envp, inPipe[0], outPipe[1], errPipe[1]) }
                }
                return weft_spawn_io(&pid, executable, nil, argv, envp, inPipe[0], outPipe[1], errPipe[1])
            }
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw .failure("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        onSpawn?(pid)
        // Feed stdin from another thread so a large input cannot deadlock against a full stdout pipe.
        let writer = inPipe[1]
        if let input, !input.isEmpty {
            let feed = Thread {
                input.withUnsafeBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    var offset = 0
                    while offset < raw.count {
                        let n = write(writer, base + offset, raw.count - offset)
                        if n < 0 && errno == EINTR { continue }
                        if n <= 0 { break }
                        offset += n
                    }
                }
                close(writer)
            }
            feed.start()
        } else {
            close(writer)
        }
        var out = Data(), err = Data()
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            let r = poll(&fds, nfds_t(fds.count), -1)
            if r < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    if i == 0 { out.append(contentsOf: buffer[0..<n]) } else { err.append(contentsOf: buffer[0..<n]) }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return (code, out, err)
    }

    static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return pointers.withUnsafeBufferPointer { buf in
            // Never empty (it holds the terminating nil), so the base address exists.
            body(buf.baseAddress.unsafelyUnwrapped)
        }
    }
}
