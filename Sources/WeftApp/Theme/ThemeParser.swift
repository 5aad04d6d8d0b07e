import TerminalUI

/// Why a theme file could not be used; names the file and the role.
public struct ThemeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The theme file.
    public var file: String
    /// The 1-based line, when the problem is on one line.
    public var line: Int?
    /// The role concerned, when one is.
    public var role: String?
    /// What is wrong.
    public var reason: String

    /// A readable message: `theme file F, line L, role R: reason; using the default theme`.
    public var description: String {
        var where_ = "theme file \(file)"
        if let line { where_ += ", line \(line)" }
        if let role { where_ += ", role \(role)" }
        return "\(where_): \(reason); using the default theme"
    }
}

/// Reads theme files: `role = COLOUR [on COLOUR] [bold] [dim] [italic] [underline] [reverse]`, `#` comments.
///
/// Colours: `default`, the 16 ANSI names (`red`, `bright-red`, `gray`, …), `colorN` (0–255) or `#rrggbb`.
/// Every role of `ThemeRole` must be present.
public enum ThemeParser {
    /// Parses a theme's text.
    public static func parse(_ text: String, name: String, file: String) throws(ThemeError) -> Theme {
        var styles: [ThemeRole: Style] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                throw ThemeError(file: file, line: index + 1, role: nil, reason: "expected 'role = style', got '\(trimmed)'")
            }
            guard let role = ThemeRole(rawValue: parts[0]) else {
                throw ThemeError(
                    file: file, line: index + 1, role: parts[0],
                    reason: "unknown role (roles: \(ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            do {
                styles[role] = try style(parts[1])
            } catch {
                throw ThemeError(file: file, line: index + 1, role: role.rawValue, reason: error.reason)
            }
        }
        let missing = ThemeRole.allCases.filter { styles[$0] == nil }
        if let first = missing.first {
            throw ThemeError(
                file: file, line: nil, role: first.rawValue,
                reason: "missing role" + (missing.count > 1 ? " (also: \(missing.dropFirst().map(\.rawValue).joined(separator: ", ")))" : ""))
        }
        return Theme(name: name, styles: styles)
    }

    struct StyleError: Error { var reason: String }

    /// Parses `COLOUR [on COLOUR] [attributes…]`.
    static func style(_ text: String) throws(StyleError) -> Style {
        let words = text.split(separator: " ").map { $0.lowercased() }
        var style = Style()
        var index = 0
        var sawForeground = false
        while index < words.count {
            let word = words[index]
            switch word {
            case "bold": style = style.adding(.bold)
            case "dim": style = style.adding(.dim)
            case "italic": style = style.adding(.italic)
            case "underline": style = style.adding(.underline)
            case "reverse": style = style.adding(.reverse)
            case "on":
                index += 1
                guard index < words.count else { throw StyleError(reason: "'on' needs a background colour") }
                style.bg = try color(words[index])
            default:
                guard !sawForeground else { throw StyleError(reason: "unexpected '\(word)'") }
                style.fg = try color(word)
                sawForeground = true
            }
            index += 1
        }
        return style
    }

    static let names: [String: Color] = [
        "default": .default, "black": .black, "red": .red, "green": .green, "yellow": .yellow, "blue": .blue,
        "magenta": .magenta, "cyan": .cyan, "white": .white, "gray": .gray, "grey": .gray, "bright-black": .gray,
        "bright-red": .brightRed, "bright-green": .brightGreen, "bright-yellow": .brightYellow, "bright-blue": .brightBlue,
        "bright-magenta": .brightMagenta, "bright-cyan": .brightCyan, "bright-white": .brightWhite,
    ]

    /// Parses one colour.
    static func color(_ word: String) throws(StyleError) -> Color {
        if let c = names[word] { return c }
        if word.hasPrefix("color"), let n = Int(word.dropFirst(5)), (0...255).contains(n) { return .indexed(UInt8(n)) }
        if word.hasPrefix("#"), word.count == 7, let v = UInt32(word.dropFirst(), radix: 16) {
            return .rgb(UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }
        throw StyleError(reason: "unknown colour '\(word)' (use a name such as red or bright-blue, colorN or #rrggbb)")
    }
}
