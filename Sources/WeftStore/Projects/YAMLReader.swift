import Foundation
import WeftDomain
import Yams

/// Reads YAML into nodes and reports every problem with file and line.
struct YAMLReader {
    let file: String
    var problems: [Problem] = []

    init(file: String) { self.file = file }

    /// Parses `text`; nil (with a problem recorded) when it is not YAML or not a mapping.
    mutating func root(_ text: String) -> Node? {
        do {
            // The basic resolver: scalars are typed by the helpers below, not by Yams' regular expressions (which cost
            // milliseconds per file).
            guard let node = try Yams.compose(yaml: text, .basic) else {
                fail(nil, "the file is empty")
                return nil
            }
            guard case .mapping = node else {
                fail(node, "expected a mapping of fields at the top level")
                return nil
            }
            return node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            for key in duplicates {
                let lines = Self.lines(ofKey: key, text: context.text, first: context.mark)
                let at = lines.count > 1 ? " (lines \(lines.map(String.init).joined(separator: " and ")))" : ""
                problems.append(
                    Problem(file: file, line: lines.last ?? context.mark.line, "field '\(key)' appears twice in the same mapping\(at); keep one of them"))
            }
            return nil
        } catch {
            let (line, reason) = Self.describe(error)
            problems.append(Problem(file: file, line: line, "not valid YAML: \(reason)"))
            return nil
        }
    }

    /// The lines (1-based) where `key` is written at the column of its first occurrence `first`: the first
    /// occurrence and the ones after it in the same block mapping (Yams reports only the first). A flow mapping's
    /// duplicates (`{a: 1, a: 2}`) are on the first one's line.
    static func lines(ofKey key: String, text: String, first: Mark) -> [Int] {
        var out = [first.line]
        let column = first.column - 1
        let forms = [key, "\"\(key)\"", "'\(key)'"]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where i + 1 > first.line {
            let indent = raw.prefix(while: { $0 == " " }).count
            let rest = raw.dropFirst(indent)
            if rest.isEmpty || rest.hasPrefix("#") { continue }
            if indent < column { break }  // a shallower line (or the next list item) ends the mapping
            guard indent == column else { continue }
            if forms.contains(where: { f in rest.hasPrefix(f) && rest.dropFirst(f.count).drop(while: { $0 == " " }).first == ":" }) {
                out.append(i + 1)
            }
        }
        return out
    }

    static func describe(_ error: any Error) -> (Int?, String) {
        let text = String(describing: error)
        // Yams reports "LINE:COLUMN: error: …".
        let parts = text.split(separator: ":", maxSplits: 3).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count >= 4, let line = Int(parts[0]), Int(parts[1]) != nil {
            let reason = parts[3].split(separator: "\n").first.map(String.init) ?? parts[3]
            return (line, reason)
        }
        return (nil, text.split(separator: "\n").first.map(String.init) ?? text)
    }

    mutating func fail(_ node: Node?, _ message: String) {
        problems.append(Problem(file: file, line: node?.mark?.line, message))
    }

    /// The mapping's entries in order, rejecting keys outside `allowed`.
    mutating func fields(_ node: Node, allowed: Set<String>, context: String) -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            fail(node, "\(context) must be a mapping")
            return []
        }
        var out: [(String, Node, Node)] = []
        var seen = Set<String>()
        for (k, v) in mapping {
            guard let key = k.string else {
                fail(k, "\(context): keys must be text")
                continue
            }
            if !allowed.contains(key) {
                let near = Self.suggestion(for: key, in: allowed)
                fail(k, "unknown field '\(key)' in \(context)" + (near.map { "; did you mean '\($0)'?" } ?? "; allowed: \(allowed.sorted().joined(separator: ", "))"))
                continue
            }
            if !seen.insert(key).inserted { fail(k, "field '\(key)' appears twice in \(context)") }
            out.append((key, k, v))
        }
        return out
    }

    static func suggestion(for key: String, in allowed: Set<String>) -> String? {
        Suggestion.closest(to: key, in: allowed)
    }

    mutating func string(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let s) = node else {
            fail(node, "\(field) must be text")
            return nil
        }
        return s.string
    }

    /// A plain (unquoted) scalar read as YAML 1.1 reads booleans.
    static func plainBool(_ node: Node) -> Bool? {
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any else { return nil }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A plain scalar read as a decimal integer (underscores allowed).
    static func plainInt(_ node: Node) -> Int? {
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any else { return nil }
        return Int(s.string.replacingOccurrences(of: "_", with: ""))
    }

    /// A plain scalar read as a number.
    static func plainDouble(_ node: Node) -> Double? {
        guard case .scalar(let s) = node, s.style == .plain || s.style == .any else { return nil }
        let text = s.string.replacingOccurrences(of: "_", with: "")
        guard let d = Double(text), d.isFinite, text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true else {
            return nil
        }
        return d
    }

    mutating func int(_ node: Node, _ field: String) -> Int? {
        guard case .scalar = node, let v = Self.plainInt(node) else {
            fail(node, "\(field) must be a whole number, not \(Self.show(node))")
            return nil
        }
        return v
    }

    mutating func double(_ node: Node, _ field: String) -> Double? {
        guard case .scalar = node, let v = Self.plainDouble(node) else {
            fail(node, "\(field) must be a number, not \(Self.show(node))")
            return nil
        }
        return v
    }

    mutating func bool(_ node: Node, _ field: String) -> Bool? {
        guard case .scalar = node, let v = Self.plainBool(node) else {
            fail(node, "\(field) must be true or false, not \(Self.show(node))")
            return nil
        }
        return v
    }

    mutating func stringList(_ node: Node, _ field: String) -> [String] {
        switch node {
        case .sequence(let seq): return seq.compactMap { string($0, field) }
        case .scalar(let s) where !s.string.isEmpty: return [s.string]
        default:
            fail(node, "\(field) must be a list of names")
            return []
        }
    }

    /// A configuration value as written: scalars by their YAML type, `{secret: NAME}`, or a list.
    mutating func configValue(_ node: Node, _ field: String) -> ConfigValue? {
        switch node {
        case .scalar(let s):
            if s.style == .plain {
                if let b = Self.plainBool(node) { return .bool(b) }
                if let i = Self.plainInt(node) { return .int(i) }
                if let d = Self.plainDouble(node) { return .double(d) }
                if ConfigValueParser.isDate(s.string) { return .date(s.string) }
            }
            return .string(s.string)
        case .mapping:
            let f = fields(node, allowed: ["secret"], context: "\(field) (a secret reference is {secret: NAME})")
            guard let entry = f.first, let name = string(entry.2, "\(field).secret") else { return nil }
            return .secret(name)
        case .sequence(let seq):
            return .array(seq.compactMap { configValue($0, field) })
        case .alias:
            fail(node, "\(field): YAML aliases are not supported here")
            return nil
        }
    }

    static func show(_ node: Node) -> String {
        if case .scalar(let s) = node { return "'\(s.string)'" }
        if case .sequence = node { return "a list" }
        return "a mapping"
    }
}
