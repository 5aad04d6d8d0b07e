import CPosix
import Foundation

/// The engine's end of one run's task launcher (`weft __task-launcher`, see weft_launcher.c): the launcher runs
/// inside the run's bubblewrap sandbox (or outside it with `sandbox: off`), starts each task on request and
/// reports when it started and when it ended — after whatever the task left behind was stopped. Used on the
/// engine's loop thread only.
final class LaunchChannel {
    /// The hidden subcommand of `weft` that runs the launcher.
    static let subcommand = "__task-launcher"

    /// The engine's end of the socket pair.
    let socket: Int32
    /// The launcher's process (bwrap's, when sandboxed) in this pid namespace, in a process group of its own.
    let pid: Int32
    let pidfd: Int32
    /// The read end of the launcher's (and bwrap's) stderr, non-blocking: why it stopped, if it did.
    let errorRead: Int32
    let sandboxed: Bool
    private var nextID: UInt32 = 0
    /// Tasks started through it that have not ended.
    var tasks: [UInt32: TaskProcess] = [:]

    private init(socket: Int32, pid: Int32, pidfd: Int32, errorRead: Int32, sandboxed: Bool) {
        self.socket = socket
        self.pid = pid
        self.pidfd = pidfd
        self.errorRead = errorRead
        self.sandboxed = sandboxed
    }

    /// Starts a launcher: in `sandbox` (bwrap) or, with nil, as a plain child. `environment` is the launcher's own
    /// (tasks get theirs with each request). Throws a message that says what went wrong.
    static func start(
        launcher: String, sandbox: TaskSandbox?, extraReadOnly: [String], environment: [String]
    ) throws -> LaunchChannel {
        var pair: [Int32] = [-1, -1]
        var rc = weft_socketpair(&pair)
        guard rc == 0 else { throw LaunchError("cannot create the task launcher's socket: \(errorText(rc))") }
        var errPipe: [Int32] = [-1, -1]
        rc = weft_pipe(&errPipe)
        guard rc == 0 else {
            close(pair[0])
            close(pair[1])
            throw LaunchError("cannot create the task launcher's error pipe: \(errorText(rc))")
        }
        let argv = sandbox.map { $0.arguments(launcher: launcher, extraReadOnly: extraReadOnly) } ?? [launcher, subcommand, "3"]
        var pid: pid_t = 0
        rc = withCStrings(argv) { a in withCStrings(environment) { e in weft_spawn_launcher(&pid, argv[0], a, e, pair[1], errPipe[1]) } }
        close(pair[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(pair[0])
            close(errPipe[0])
            let what = sandbox == nil ? "the task launcher \(launcher)" : "bubblewrap (\(argv[0]))"
            throw LaunchError("cannot start \(what): \(errorText(rc))")
        }
        let pidfd = weft_pidfd_open(pid)
        guard pidfd >= 0 else {
            _ = weft_kill_group(pid, WEFT_SIGKILL)
            var c: Int32 = 0
            var s: Int32 = 0
            _ = weft_reap(pid, 1, &c, &s)
            close(pair[0])
            close(errPipe[0])
            throw LaunchError("cannot watch the task launcher: \(errorText(-pidfd))")
        }
        _ = weft_set_nonblocking(pair[0])
        return LaunchChannel(socket: pair[0], pid: pid, pidfd: pidfd, errorRead: errPipe[0], sandboxed: sandbox != nil)
    }

    /// Asks for a task to be started; its output goes to `outFD`, and each of `extraFDs` is placed in the task at
    /// its own number (all still to be closed by the caller). Returns the request's id, or throws.
    func spawn(argv: [String], env: [String], cwd: String, outFD: Int32, extraFDs: [Int32] = [], graceMilliseconds: UInt32) throws -> UInt32 {
        nextID &+= 1
        let id = nextID
        let rc = withCStrings(argv) { a in
            withCStrings(env) { e in
                extraFDs.withUnsafeBufferPointer { fds in
                    weft_launch_send_spawn(socket, id, graceMilliseconds, cwd, a, e, outFD, fds.baseAddress, fds.baseAddress, Int32(fds.count))
                }
            }
        }
        guard rc == 0 else { throw LaunchError("cannot hand the task to its launcher: \(Self.errorText(rc))") }
        return id
    }

    /// SIGTERM: the task's process group and children; SIGKILL: everything the task started.
    func signal(_ id: UInt32, _ sig: Int32) { _ = weft_launch_send_signal(socket, id, sig) }

    enum Message {
        case reply(weft_launch_reply)
        case closed
    }

    /// The replies waiting on the socket (non-blocking); `.closed` last when the launcher is gone.
    func receive() -> [Message] {
        var out: [Message] = []
        while true {
            var r = weft_launch_reply()
            let n = weft_launch_receive(socket, &r)
            if n == 1 {
                out.append(.reply(r))
            } else if n == -EAGAIN || n == -EWOULDBLOCK || n == -EPROTO {
                if n == -EPROTO { continue }
                return out
            } else {
                out.append(.closed)
                return out
            }
        }
    }

    /// What the launcher or bwrap wrote to stderr (e.g. why the sandbox could not be set up), trimmed.
    func errorOutput() -> String {
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while data.count < 16384 {
            let n = buf.withUnsafeMutableBytes { weft_read(errorRead, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            data += buf[0..<n]
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Closes the engine's end: the launcher stops what is left and exits. Its process is reaped by `reap`.
    func shut() {
        close(socket)
        close(errorRead)
    }

    /// Reaps the launcher once its pidfd is readable (or kills it when it does not exit).
    func reap(blocking: Bool) -> Bool {
        var c: Int32 = 0
        var s: Int32 = 0
        let r = weft_reap(pid, blocking ? 1 : 0, &c, &s)
        if r == 0 { return false }
        close(pidfd)
        return true
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

struct LaunchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
