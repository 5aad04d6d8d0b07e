import Foundation
import WeftDomain

/// Splits a task's output into lines, masks secret values, and finds progress lines.
struct LogLineProcessor {
    private var pending: [UInt8] = []
    private let secrets: [String]
    /// Longest partial line kept before it is flushed as a line.
    static let maxLine = 64 * 1024

    init(secrets: [String]) {
        // Longest first, so a secret containing another is masked whole.
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// Feeds bytes; returns complete masked lines (without newline).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [String] {
        var lines: [String] = []
        var start = 0
        let n = bytes.count
        var i = 0
        while i < n {
            if bytes[i] == 0x0A {
                if pending.isEmpty {
                    lines.append(mask(String(decoding: bytes[start..<i], as: UTF8.self)))
                } else {
                    pending.append(contentsOf: bytes[start..<i])
                    lines.append(mask(String(decoding: pending, as: UTF8.self)))
                    pending.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            i += 1
        }
        if start < n { pending.append(contentsOf: bytes[start..<n]) }
        if pending.count > Self.maxLine {
            lines.append(mask(String(decoding: pending, as: UTF8.self)))
            pending.removeAll(keepingCapacity: false)
        }
        return lines
    }

    /// The trailing partial line, if any, masked.
    mutating func finish() -> String? {
        guard !pending.isEmpty else { return nil }
        defer { pending.removeAll() }
        return mask(String(decoding: pending, as: UTF8.self))
    }

    /// Replaces every secret value with `****`.
    func mask(_ line: String) -> String {
        guard !secrets.isEmpty else { return line }
        var out = line
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "****") }
        return out
    }
}
