import Foundation
import WeftDomain

/// Splits a task's output into lines, masks secret values, and finds progress lines.
struct LogLineProcessor {
    private var pending: [UInt8] = []
    /// What is replaced anywhere in a line, longest first.
    private let forms: [String]
    /// Short lines of multi-line secrets: replaced only when they are a whole log line.
    private let wholeLines: Set<String>
    /// Longest partial line kept before it is flushed as a line.
    static let maxLine = 64 * 1024
    /// Lines of a multi-line secret shorter than this are masked only as whole log lines (masking every `a` or
    /// `}` in a log would make it unreadable and say which characters the secret has).
    static let minFragment = 4

    init(secrets: [String]) {
        var forms = Set<String>()
        var whole = Set<String>()
        for s in secrets where !s.isEmpty {
            let f = Self.forms(of: s)
            forms.formUnion(f.anywhere)
            whole.formUnion(f.wholeLines)
        }
        // Longest first, so a secret containing another (or one of its own lines) is masked whole.
        self.forms = forms.sorted { $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1 }
        self.wholeLines = whole
        self.carry = self.forms.first.map { $0.utf8.count - 1 } ?? 0
    }

    /// When an over-long partial line is flushed, this many trailing bytes (the longest form less one) stay
    /// pending, so a secret straddling the cut is masked with the rest of the line.
    private let carry: Int

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
            var cut = pending.count - min(carry, pending.count / 2)
            // Never inside a UTF-8 sequence.
            while cut > 0 && cut < pending.count && pending[cut] & 0xC0 == 0x80 { cut -= 1 }
            lines.append(mask(String(decoding: pending[0..<cut], as: UTF8.self)))
            pending.removeSubrange(0..<cut)
        }
        return lines
    }

    /// The trailing partial line, if any, masked.
    mutating func finish() -> String? {
        guard !pending.isEmpty else { return nil }
        defer { pending.removeAll() }
        return mask(String(decoding: pending, as: UTF8.self))
    }

    /// Replaces every form of every secret value with `****`.
    func mask(_ line: String) -> String {
        guard !forms.isEmpty else { return line }
        var out = line
        for s in forms where out.contains(s) { out = out.replacingOccurrences(of: s, with: "****") }
        if !wholeLines.isEmpty {
            let bare = out.hasSuffix("\r") ? String(out.dropLast()) : out
            if wholeLines.contains(bare.trimmingCharacters(in: .whitespaces)) { return "****" }
        }
        return out
    }

    // MARK: the forms of a secret

    /// Every form in which a task is likely to print `secret`: as is; each line of a multi-line value; escaped
    /// for JSON (as Python's `json.dumps`, Swift's `JSONEncoder` and JavaScript write it), for the shell (single
    /// quotes as `shlex.quote` and `'\''` write them, backslashes as `printf %q`, double quotes, `$'…'`), for URLs
    /// (percent-encoding as `urllib.parse.quote`, `quote_plus` and `encodeURIComponent` write it); and base64
    /// (standard and URL alphabets) of its longest prefix of whole 3-byte groups, which is where the encoding of
    /// the value — alone or followed by anything, such as `echo`'s newline — begins.
    static func forms(of secret: String) -> (anywhere: Set<String>, wholeLines: Set<String>) {
        var anywhere: Set<String> = [secret]
        var wholeLines = Set<String>()
        // Each line of a multi-line value (a key file, a certificate, "user\npassword").
        let lines = secret.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map(String.init)
        if lines.count > 1 {
            for line in lines {
                let l = line.trimmingCharacters(in: .whitespaces)
                if l.isEmpty { continue }
                if l.count >= minFragment { anywhere.insert(l) } else { wholeLines.insert(l) }
            }
        }
        // JSON.
        for asciiOnly in [false, true] {
            for slash in [false, true] {
                for upperHex in [false, true] {
                    anywhere.insert(jsonEscaped(secret, asciiOnly: asciiOnly, escapeSlash: slash, upperHex: upperHex))
                }
            }
        }
        // Shell.
        if secret.contains("'") {
            anywhere.insert(secret.replacingOccurrences(of: "'", with: #"'"'"'"#))
            anywhere.insert(secret.replacingOccurrences(of: "'", with: #"'\''"#))
        }
        // As bash's `printf %q` writes it ('~' and '#' are special only first).
        let printfQ = backslashEscaped(secret, special: Set(#" \#t!"$&'()*,;<>?[\]^`{|}"#))
        anywhere.insert(secret.first == "~" || secret.first == "#" ? "\\" + printfQ : printfQ)
        anywhere.insert(backslashEscaped(secret, special: Set(#"\"$`"#)))
        anywhere.insert(cEscaped(secret))
        // URLs.
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        anywhere.insert(percentEncoded(secret, keep: unreserved, plusForSpace: false, upperHex: true))
        anywhere.insert(percentEncoded(secret, keep: unreserved, plusForSpace: false, upperHex: false))
        anywhere.insert(percentEncoded(secret, keep: unreserved.union("/".utf8), plusForSpace: false, upperHex: true))
        anywhere.insert(percentEncoded(secret, keep: unreserved, plusForSpace: true, upperHex: true))
        anywhere.insert(percentEncoded(secret, keep: unreserved.union("!'()*".utf8), plusForSpace: false, upperHex: true))
        // base64 of the longest prefix of whole 3-byte groups (at least 6 bytes: 8 characters).
        let bytes = Array(secret.utf8)
        let whole = bytes.count / 3 * 3
        if whole >= 6 {
            let b64 = Data(bytes[0..<whole]).base64EncodedString()
            anywhere.insert(b64)
            anywhere.insert(b64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        }
        anywhere.remove("")
        return (anywhere, wholeLines)
    }

    static func jsonEscaped(_ s: String, asciiOnly: Bool, escapeSlash: Bool, upperHex: Bool) -> String {
        var out = ""
        func hex(_ v: UInt16) -> String {
            let h = String(v, radix: 16, uppercase: upperHex)
            return "\\u" + String(repeating: "0", count: 4 - h.count) + h
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "/" where escapeSlash: out += "\\/"
            default:
                if scalar.value < 0x20 {
                    out += hex(UInt16(scalar.value))
                } else if asciiOnly && scalar.value > 0x7E {
                    for unit in String(scalar).utf16 { out += hex(unit) }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func backslashEscaped(_ s: String, special: Set<Character>) -> String {
        var out = ""
        for c in s {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The inside of bash's `$'…'` (what `printf %q` writes for a value with control characters).
    static func cEscaped(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{1B}": out += "\\E"
            default:
                if scalar.value < 0x20 {
                    let o = String(scalar.value, radix: 8)
                    out += "\\" + String(repeating: "0", count: 3 - o.count) + o
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func percentEncoded(_ s: String, keep: Set<UInt8>, plusForSpace: Bool, upperHex: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            if keep.contains(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else if b == 0x20 && plusForSpace {
                out += "+"
            } else {
                let h = String(b, radix: 16, uppercase: upperHex)
                out += "%" + (h.count == 1 ? "0" : "") + h
            }
        }
        return out
    }
}
