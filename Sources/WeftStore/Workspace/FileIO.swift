import Crypto
import Foundation
import WeftDomain

/// Atomic file writes: a temporary file in the same directory, fsync, rename.
public enum FileIO {
    /// The sha256 of a file's bytes (hex), nil when it cannot be read.
    public static func sha256(file path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return FileIO.hex(SHA256.hash(data: data))
    }

    /// Lowercase hex of a digest's bytes. (Not `String(format: "%02x")`: a `CVarArg` cast per byte, and a
    /// protocol-conformance scan on first use, cost a CLI command about a millisecond.)
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func atomicWrite(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = dir + "/.weft-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WeftError.failure("cannot write \(path): \(String(cString: strerror(errno)))") }
        var ok = true
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                guard let base = raw.baseAddress else { return }
                let n = write(fd, base.advanced(by: offset), raw.count - offset)
                if n <= 0 { ok = false; break }
                offset += n
            }
        }
        if ok { ok = fsync(fd) == 0 }
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw WeftError.failure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
