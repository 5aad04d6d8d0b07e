import CPosix
import Foundation

/// Identifies one attempt of one task.
struct SpawnToken: Hashable {
    var runID: String
    var key: String
    var attempt: Int
}

/// Starts task processes on its own thread, so the reactor never waits for a vfork'ed child to exec (which can
/// take milliseconds on a busy machine) and keeps handling exits and output meanwhile.
final class Spawner: @unchecked Sendable {
    struct Job {
        var token: SpawnToken
        var argv: [String]
        var env: [String]
        var cwd: String
        /// The pipe's write end: the child's stdout and stderr; closed here after the spawn.
        var outFD: Int32
        /// A descriptor the child inherits under the same number (the task's sealed configuration), or -1;
        /// closed here after the spawn.
        var configFD: Int32 = -1
    }

    struct Result {
        var token: SpawnToken
        /// 0, or the errno of posix_spawn / pidfd_open (`pidfd` < 0 then).
        var error: Int32
        /// True when the process started but could not be watched (and was killed).
        var unwatchable = false
        var pid: Int32
        var pidfd: Int32
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private let deliver: @Sendable (Result) -> Void

    init(deliver: @escaping @Sendable (Result) -> Void) {
        self.deliver = deliver
        let t = Thread { [self] in self.loop() }
        t.name = "weft-spawner"
        t.qualityOfService = .userInitiated
        t.start()
    }

    func submit(_ job: Job) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { deliver(spawn(job)) }
        }
    }

    private func spawn(_ job: Job) -> Result {
        var pid: pid_t = 0
        let rc = withCStrings(job.argv) { argv in
            withCStrings(job.env) { envp in
                job.cwd.withCString { cwd in
                    weft_spawn_keeping(&pid, job.cwd.isEmpty ? nil : cwd, argv, envp, job.outFD, job.configFD)
                }
            }
        }
        close(job.outFD)
        if job.configFD >= 0 { close(job.configFD) }
        guard rc == 0 else { return Result(token: job.token, error: rc, pid: 0, pidfd: -1) }
        let pidfd = weft_pidfd_open(pid)
        guard pidfd >= 0 else {
            // Cannot watch it: do not leave it running.
            _ = weft_kill_group(pid, WEFT_SIGKILL)
            var c: Int32 = 0
            var s: Int32 = 0
            _ = weft_reap(pid, 1, &c, &s)
            return Result(token: job.token, error: -pidfd, unwatchable: true, pid: 0, pidfd: -1)
        }
        return Result(token: job.token, error: 0, pid: pid, pidfd: pidfd)
    }
}

/// Calls `body` with a NULL-terminated `char *const[]` of the strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { for p in ptrs { free(p) } }
    return ptrs.withUnsafeBufferPointer { buf in
        guard let base = buf.baseAddress else { fatalError("unreachable: the array has at least one element") }
        return body(base)
    }
}
