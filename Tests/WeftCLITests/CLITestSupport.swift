import Foundation
import Testing
import WeftDomain
import WeftStore

/// The `weft` executable built next to the test bundle (`swift build --build-tests` puts both in the same folder).
enum WeftBinary {
    static let path: String? = {
        var dirs: [String] = []
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        dirs.append(arg0.deletingLastPathComponent().path)
        let bundle = URL(fileURLWithPath: Bundle.main.bundlePath)
        dirs.append(bundle.path)
        dirs.append(bundle.deletingLastPathComponent().path)
        for d in dirs {
            let candidate = d + "/weft"
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }()

    static func require() throws -> String {
        guard let path else {
            Issue.record(
                "the weft executable is not next to the test bundle (\(CommandLine.arguments[0])); build it with 'swift build --build-tests' first")
            throw CLIError.noBinary
        }
        return path
    }
}

enum CLIError: Error { case noBinary, timeout(String) }

/// What a finished process left.
struct ProcResult: Sendable, CustomStringConvertible {
    var status: Int32
    /// True when the process ended by a signal (status is then the signal number).
    var signalled: Bool
    var stdout: String
    var stderr: String
    var description: String { "exit \(signalled ? "signal " : "")\(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs a process with a deadline; optionally SIGKILLs it after `killAfter` seconds.
func runProcess(
    _ executable: String, _ args: [String], environment: [String: String], stdin: String? = nil, timeout: Double = 60,
    killAfter: Double? = nil, cwd: String? = nil
) throws -> ProcResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.environment = environment
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    p.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    let done = DispatchSemaphore(value: 0)
    p.terminationHandler = { _ in done.signal() }
    try p.run()
    if let stdin {
        inPipe.fileHandleForWriting.write(Data(stdin.utf8))
        try? inPipe.fileHandleForWriting.close()
    }
    final class Box: @unchecked Sendable { var data = Data() }
    let out = Box(), err = Box()
    let readers = DispatchGroup()
    for (pipe, box) in [(outPipe, out), (errPipe, err)] {
        readers.enter()
        DispatchQueue.global().async {
            box.data = pipe.fileHandleForReading.readDataToEndOfFile()
            readers.leave()
        }
    }
    if let killAfter {
        if done.wait(timeout: .now() + killAfter) == .timedOut {
            kill(p.processIdentifier, SIGKILL)
        } else {
            done.signal()
        }
    }
    if done.wait(timeout: .now() + timeout) == .timedOut {
        kill(p.processIdentifier, SIGKILL)
        done.wait()
        _ = readers.wait(timeout: .now() + 5)
        throw CLIError.timeout("\(executable) \(args.joined(separator: " ")) did not finish in \(timeout) s")
    }
    // Children of a killed process may hold the pipes a little longer; never wait forever.
    let read = readers.wait(timeout: .now() + 10)
    // Foundation does not close a Pipe's descriptors when it is released: close them, or a long test runs out.
    for pipe in [outPipe, errPipe, inPipe] { try? pipe.fileHandleForWriting.close() }
    if read == .success { for pipe in [outPipe, errPipe] { try? pipe.fileHandleForReading.close() } }
    if stdin == nil { try? inPipe.fileHandleForReading.close() }
    return ProcResult(
        status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
        stdout: String(decoding: out.data, as: UTF8.self), stderr: String(decoding: err.data, as: UTF8.self))
}

/// A demo workspace built once per test process and copied per test; the CLI runs against the copy.
enum CLIDemoTemplate {
    static let path: String = {
        let dir = NSTemporaryDirectory() + "weft-cli-template-\(getpid())/ws"
        // Removed when the test process exits.
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "weft-cli-template-\(getpid())") }
        do { try DemoWorkspace.ensure(at: dir) } catch { fatalError("cannot build the demo template: \(error)") }
        return dir
    }()
}

/// A temporary folder holding a workspace, an isolated HOME/XDG/TMPDIR, and every CLI output captured.
final class CLIWorkspace: @unchecked Sendable {
    let base: String
    let root: String
    let weft: String
    private let lock = NSLock()
    private var _outputs: [String] = []

    /// A copy of the demo workspace (or an empty folder when `demo` is false).
    init(demo: Bool = true) throws {
        weft = try WeftBinary.require()
        base = NSTemporaryDirectory() + "weft-cli-test-" + UUID().uuidString
        root = base + "/ws"
        for d in ["home", "xdg-data", "xdg-config", "tmp"] {
            try FileManager.default.createDirectory(atPath: base + "/" + d, withIntermediateDirectories: true)
        }
        if demo { try FileManager.default.copyItem(atPath: CLIDemoTemplate.path, toPath: root) }
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    var projectDir: String { root + "/projects/customer_analytics" }

    var outputs: [String] { lock.withLock { _outputs } }

    /// The environment of a spawned weft: isolated from the user's, never touching ~/.local/share.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env: [String: String] = [:]
        let inherited = ProcessInfo.processInfo.environment
        for k in ["PATH", "LANG", "LC_ALL"] { if let v = inherited[k] { env[k] = v } }
        env["HOME"] = base + "/home"
        env["XDG_DATA_HOME"] = base + "/xdg-data"
        env["XDG_CONFIG_HOME"] = base + "/xdg-config"
        env["TMPDIR"] = base + "/tmp"
        env["SWIFT_BACKTRACE"] = "enable=no,interactive=no"
        env["NO_COLOR"] = "1"
        env.merge(extra) { _, new in new }
        return env
    }

    /// Runs `weft ARGS --workspace ROOT`-style (the workspace option is added after the subcommand path).
    @discardableResult
    func weft(
        _ args: [String], stdin: String? = nil, env: [String: String] = [:], timeout: Double = 60, killAfter: Double? = nil
    ) throws -> ProcResult {
        let r = try runProcess(
            weft, args + ["--workspace", root], environment: environment(env), stdin: stdin, timeout: timeout, killAfter: killAfter)
        lock.withLock { _outputs.append(r.stdout); _outputs.append(r.stderr) }
        return r
    }

    /// Makes `user` the CLI session's user, in-process (no scrypt).
    func session(as user: String) throws {
        let ws = try Workspace.open(at: root)
        try ws.startSession(try ws.principal(for: User(name: user, isAdmin: user == "admin")))
    }

    func git(_ args: [String], in dir: String? = nil) throws -> ProcResult {
        var env = environment()
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        return try runProcess("/usr/bin/git", ["-C", dir ?? projectDir] + args, environment: env, timeout: 60)
    }

    func head(_ dir: String? = nil) throws -> String {
        try git(["rev-parse", "HEAD"], in: dir).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The file at HEAD, nil when HEAD has no such path.
    func fileAtHEAD(_ path: String, in dir: String? = nil) throws -> String? {
        let r = try git(["show", "HEAD:" + path], in: dir)
        return r.status == 0 ? r.stdout : nil
    }
}

/// Decodes JSON output of `-o json`.
func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(text.utf8))
}

struct JobListEntry: Decodable, Equatable {
    var project: String
    var name: String
    var fabric: String
    var enabled: Bool
    var blob: String
}
