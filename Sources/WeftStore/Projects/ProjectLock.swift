import Foundation
import WeftDomain

/// An exclusive advisory lock (flock) on one project; released when the process dies.
final class ProjectLock {
    let fd: Int32

    init(path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WeftError.failure("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                close(fd)
                throw WeftError.failure("cannot lock \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// The lock of a project's releases: one release of a project at a time, across processes. Taken without waiting
/// (a second release is refused with who holds it); the kernel drops it when its process dies, so a killed release
/// never leaves it behind.
public final class ReleaseLock: Sendable {
    let fd: Int32

    init(path: String, project: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WeftError.failure("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        var r: Int32
        repeat { r = flock(fd, LOCK_EX | LOCK_NB) } while r != 0 && errno == EINTR
        if r != 0 {
            let busy = errno == EWOULDBLOCK
            let why = String(cString: strerror(errno))
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, buf.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buf.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            if busy {
                throw WeftError.conflict(
                    "another release of \(project) is running\(holder.isEmpty ? "" : " (process \(holder))"); wait for it to finish, then run yours again — 'weft deployments' shows what it did")
            }
            throw WeftError.failure("cannot lock \(path): \(why)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
