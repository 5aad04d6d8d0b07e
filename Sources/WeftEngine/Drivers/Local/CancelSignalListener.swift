import CPosix
import Foundation
import WeftDomain
import WeftStore

/// Turns SIGUSR1 (sent by another Weft process that wrote a cancel request for a run this process owns) into a
/// `checkCancelRequests` command for every engine of this process. One listener thread per process.
final class CancelSignalListener: Sendable {
    static let shared = CancelSignalListener()

    private struct WeakCore {
        weak var core: EngineCore?
    }

    private let cores = Locked<[WeakCore]>([])
    private let started = Locked(false)

    func register(_ core: EngineCore) {
        cores.withLock { list in
            list.removeAll { $0.core == nil }
            list.append(WeakCore(core: core))
        }
        let first = started.withLock { s -> Bool in
            defer { s = true }
            return !s
        }
        if first { start() }
    }

    private func start() {
        var fds: [Int32] = [0, 0]
        guard weft_pipe(&fds) == 0 else { return }
        let readFD = fds[0]
        guard weft_install_usr1_notifier(fds[1]) == 0 else { return }
        let thread = Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 64)
            var revents: [Int16] = [0]
            while true {
                _ = weft_poll([readFD], [WEFT_POLLIN], &revents, 1, -1)
                while weft_read(readFD, &buf, buf.count) > 0 {}
                for c in cores.withLock({ $0.compactMap(\.core) }) { c.submit(.checkCancelRequests) }
            }
        }
        thread.name = "weft-cancel-signal"
        thread.start()
    }
}

/// Cancels runs owned by other processes.
public enum RunCanceller {
    /// Writes a cancel request for an unfinished run owned by another process and signals that process
    /// (SIGUSR1), whose engine then stops the run's tasks and ends it `cancelled`. When the owner is dead the run
    /// is recovered instead (it ends `failed`, orphaned). Throws `WeftError.notFound` for an unknown run.
    /// `user` (if given) is named in the run's final message ("cancelled by alice"); the canceller's pid is named
    /// only when no user is known ("cancelled by another Weft process (pid 123)").
    public static func requestCancel(runID: String, metastore: Metastore, by user: String? = nil) throws {
        guard let run = try metastore.unfinishedRuns().first(where: { $0.id == runID }) else {
            if try metastore.run(id: runID) == nil {
                throw WeftError.notFound(kind: "run", name: runID, hint: "list runs with `weft runs list`")
            }
            return
        }
        guard let owner = run.owner, ProcessIdentity.isAlive(owner) else {
            try RunRecovery.recover(metastore: metastore)
            return
        }
        try metastore.requestCancel(runID: runID, by: user ?? "another Weft process (pid \(getpid()))")
        _ = weft_kill(owner.pid, WEFT_SIGUSR1)
    }
}
