import Foundation
import WeftDomain

/// A small, deterministic YAML emitter: canonical field order, strings quoted whenever YAML could misread them.
struct YAMLWriter {
    var text = ""

    mutating func line(_ s: String) { text += s + "\n" }

    mutating func field(_ key: String, _ value: String, indent: Int = 0) {
        line(String(repeating: "  ", count: indent) + "\(key): \(Self.quote(value))")
    }

    mutating func raw(_ key: String, _ value: String, indent: Int = 0) {
        line(String(repeating: "  ", count: indent) + "\(key): \(value)")
    }

    mutating func list(_ key: String, _ values: [String], indent: Int = 0) {
        line(String(repeating: "  ", count: indent) + "\(key): [" + values.map(Self.quote).joined(separator: ", ") + "]")
    }

    mutating func value(_ key: String, _ v: ConfigValue, indent: Int) {
        line(String(repeating: "  ", count: indent) + "\(Self.quote(key)): \(Self.render(v))")
    }

    static func render(_ v: ConfigValue) -> String {
        switch v {
        case .string(let s): return quoteAlways(s)
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .bool(let b): return b ? "true" : "false"
        case .date(let d): return d
        case .secret(let n): return "{secret: \(quote(n))}"
        case .array(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        }
    }

    static func number(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return String(d)
    }

    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]

    /// Plain when unambiguous, else double-quoted with JSON escapes (valid YAML).
    static func quote(_ s: String) -> String {
        let plainSafe =
            !s.isEmpty && !reserved.contains(s.lowercased())
            && s.unicodeScalars.allSatisfy { c in
                (c.value < 128) && (CharacterSet.alphanumerics.contains(c) || "_-./".unicodeScalars.contains(c))
            }
            && !(s.first.map { $0.isNumber || $0 == "-" || $0 == "." } ?? true)
        return plainSafe ? s : quoteAlways(s)
    }

    static func quoteAlways(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                // C0, DEL and C1 are not printable YAML: escaped, so the file reads back as the value.
                if c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0) {
                    out += String(format: "\\x%02X", c.value)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }
}
