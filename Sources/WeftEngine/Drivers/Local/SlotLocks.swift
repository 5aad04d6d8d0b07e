import Foundation

/// A fabric's `slots` shared by every process on the workspace: one lock file per slot (`<directory>/<i>.lock`),
/// held with `flock(LOCK_EX|LOCK_NB)` while a task of this engine runs in it. The kernel drops a dead process's
/// locks, so there are never stale leases. Descriptors are opened close-on-exec (task processes never inherit a
/// slot) and kept open for reuse. Loop-thread confined.
final class SlotLocks {
    /// What `acquire` found.
    enum Outcome {
        /// Slot `index` is now held by this engine.
        case acquired(Int)
        /// Every slot is held (by this engine or other processes).
        case busy
        /// The lock files cannot be used; the text says why and what to check.
        case failed(String)
    }

    /// The directory of the lock files.
    let directory: String
    /// Lock file descriptors by slot index (-1: not opened yet).
    private var fds: [Int32] = []
    /// Whether this engine holds the slot.
    private var held: [Bool] = []

    init(directory: String) { self.directory = directory }

    deinit {
        for fd in fds where fd >= 0 { close(fd) }
    }

    /// Number of slots this engine holds.
    var heldCount: Int { held.lazy.filter { $0 }.count }

    /// Takes a free slot among the first `limit` without waiting.
    func acquire(limit: Int) -> Outcome {
        if fds.count < limit {
            fds.append(contentsOf: repeatElement(-1, count: limit - fds.count))
            held.append(contentsOf: repeatElement(false, count: limit - held.count))
        }
        for i in 0..<limit where !held[i] {
            if fds[i] < 0 {
                switch open(slot: i) {
                case .success(let fd): fds[i] = fd
                case .failure(let why): return .failed(why)
                }
            }
            if flock(fds[i], LOCK_EX | LOCK_NB) == 0 {
                held[i] = true
                return .acquired(i)
            }
            let err = errno
            if err == EWOULDBLOCK || err == EINTR { continue }
            return .failed(
                "cannot lock slot file \(path(i)): \(String(cString: strerror(err))); check the file system of \(directory)")
        }
        return .busy
    }

    /// Gives slot `index` back (other processes may take it at once).
    func release(_ index: Int) {
        guard index >= 0, index < held.count, held[index] else { return }
        _ = flock(fds[index], LOCK_UN)
        held[index] = false
    }

    private func path(_ i: Int) -> String { (directory as NSString).appendingPathComponent("\(i).lock") }

    private enum OpenResult {
        case success(Int32)
        case failure(String)
    }

    private func open(slot i: Int) -> OpenResult {
        let p = path(i)
        var fd = Foundation.open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                return .failure(
                    "cannot create the slot lock directory \(directory): \(error); check that the workspace is writable")
            }
            fd = Foundation.open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else {
            return .failure(
                "cannot open slot lock file \(p): \(String(cString: strerror(errno))); check that \(directory) is writable")
        }
        return .success(fd)
    }
}
