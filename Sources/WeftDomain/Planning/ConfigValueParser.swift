import Foundation

/// Parses `key=value` text (from the CLI or a form) into typed configuration values.
public enum ConfigValueParser {
    /// Splits `key=value`; the value may contain `=`.
    public static func splitAssignment(_ text: String) throws(WeftError) -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw .invalid("'\(text)' is not key=value; write e.g. --set sample_rate=0.1")
        }
        return (String(text[..<eq]).trimmingCharacters(in: .whitespaces), String(text[text.index(after: eq)...]))
    }

    /// Parses `text` as a value of `field`'s type. Secrets must be written `secret:NAME`.
    public static func parse(_ text: String, for field: ConfigField) throws(WeftError) -> ConfigValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch field.type {
        case .string:
            return .string(text)
        case .int:
            guard let v = Int(t) else { throw .invalid("\(field.name) must be a whole number, not '\(text)'") }
            return .int(v)
        case .double:
            guard let v = Double(t), v.isFinite else { throw .invalid("\(field.name) must be a number, not '\(text)'") }
            return .double(v)
        case .bool:
            switch t.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default: throw .invalid("\(field.name) must be true or false, not '\(text)'")
            }
        case .date:
            guard isDate(t) else { throw .invalid("\(field.name) must be a date YYYY-MM-DD, not '\(text)'") }
            return .date(t)
        case .secret:
            guard t.hasPrefix("secret:"), t.count > 7 else {
                throw .invalid(
                    "\(field.name) is a secret: name a fabric secret as secret:NAME (plain-text secrets are rejected; set the value with 'weft fabric set-secret')"
                )
            }
            return .secret(String(t.dropFirst(7)))
        case .array:
            let inner = t.hasPrefix("[") && t.hasSuffix("]") ? String(t.dropFirst().dropLast()) : t
            let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return .array(parts.filter { !$0.isEmpty }.map { .string($0) })
        }
    }

    /// Whether `text` is a valid calendar date `YYYY-MM-DD`.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return false }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }
}
