import Foundation
import WeftDomain

/// The bytes of a project file (a job, a pipeline's `pipeline.yaml`, `project.yaml`) accepted as text: UTF-8, no NUL
/// (a binary file), no control characters YAML does not allow (C0 other than tab, line feed and carriage return;
/// DEL; C1). A rejected file is a problem naming the file, the byte offset and its line — never skipped silently and
/// never read with replacement characters.
public enum ProjectText {
    /// What a project file's bytes are.
    public enum Decoded: Sendable {
        case text(String)
        /// Not acceptable as text: the problem names the first offending byte.
        case notText(Problem)
    }

    /// The text, or the problem with the first offending byte.
    public static func decode(_ data: Data, file: String) -> Decoded {
        if let problem = problem(in: data, file: file) { return .notText(problem) }
        return .text(String(decoding: data, as: UTF8.self))
    }

    /// Reads a file of a project directory; nil when there is no such file.
    static func read(_ path: String, file: String) -> Decoded? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return decode(data, file: file)
    }

    /// A problem with `text` about to be written (Weft's own YAML escapes control characters; this is the last guard).
    static func problem(inText text: String, file: String) -> Problem? { problem(in: Data(text.utf8), file: file) }

    /// The first byte that makes `data` unacceptable as a project file, as a problem.
    public static func problem(in data: Data, file: String) -> Problem? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Problem? in
            let b = raw.bindMemory(to: UInt8.self)
            let n = b.count
            var i = 0
            func line(_ offset: Int) -> Int {
                var l = 1
                for j in 0..<offset where b[j] == 0x0A { l += 1 }
                return l
            }
            func invalidUTF8(_ at: Int) -> Problem {
                Problem(
                    file: file, line: line(at),
                    "not UTF-8 text: byte 0x\(String(b[at], radix: 16, uppercase: true)) at byte offset \(at) does not start a valid UTF-8 sequence; "
                        + "job and pipeline files must be UTF-8 text — save the file as UTF-8 (or remove it if it is not a Weft file)")
            }
            while i < n {
                let c = b[i]
                if c < 0x80 {
                    if c == 0 {
                        return Problem(
                            file: file, line: line(i),
                            "a binary file (a NUL byte at byte offset \(i)); job and pipeline files must be UTF-8 text — remove it or replace it with YAML")
                    }
                    if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) || c == 0x7F {
                        return control(UInt32(c), at: i, line: line(i), file: file)
                    }
                    i += 1
                    continue
                }
                // The length of the sequence and the range of its second byte (RFC 3629: no overlongs, no surrogates).
                let len: Int, lo: UInt8, hi: UInt8
                switch c {
                case 0xC2...0xDF: (len, lo, hi) = (2, 0x80, 0xBF)
                case 0xE0: (len, lo, hi) = (3, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE...0xEF: (len, lo, hi) = (3, 0x80, 0xBF)
                case 0xED: (len, lo, hi) = (3, 0x80, 0x9F)
                case 0xF0: (len, lo, hi) = (4, 0x90, 0xBF)
                case 0xF1...0xF3: (len, lo, hi) = (4, 0x80, 0xBF)
                case 0xF4: (len, lo, hi) = (4, 0x80, 0x8F)
                default: return invalidUTF8(i)
                }
                // The offset named is the sequence's first byte (a Latin-1 "é" is the byte 0xE9 itself).
                guard i + len <= n, b[i + 1] >= lo && b[i + 1] <= hi else { return invalidUTF8(i) }
                for k in 2..<max(2, len) where b[i + k] & 0xC0 != 0x80 { return invalidUTF8(i) }
                if len == 2 {
                    let scalar = (UInt32(c & 0x1F) << 6) | UInt32(b[i + 1] & 0x3F)
                    // C1 controls (U+0080–U+009F) except NEL, which YAML counts as a line break.
                    if scalar < 0xA0 && scalar != 0x85 { return control(scalar, at: i, line: line(i), file: file) }
                }
                i += len
            }
            return nil
        }
    }

    static func control(_ scalar: UInt32, at offset: Int, line: Int, file: String) -> Problem {
        let hex = String(scalar, radix: 16, uppercase: true)
        return Problem(
            file: file, line: line,
            "control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex) at byte offset \(offset); "
                + "YAML files may hold only printable text — write it escaped in a double-quoted string (e.g. \"\\e\" or \"\\x1B\") or remove it")
    }
}
