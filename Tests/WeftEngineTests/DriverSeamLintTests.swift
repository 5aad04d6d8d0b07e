import Foundation
import Testing

/// Nothing outside the drivers switches on the fabric kind: a new kind is a new folder under
/// `Sources/WeftEngine/Drivers/` plus one line in `DriverRegistry.standard`, never a `switch` elsewhere.
@Suite struct DriverSeamLintTests {
    static let sources: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// Source text without comments and string literals (so prose and messages may name kinds).
    static func code(_ text: String) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i...].hasPrefix("//") {
                i = text[i...].firstIndex(of: "\n") ?? text.endIndex
            } else if text[i...].hasPrefix("\"\"\"") {
                let after = text.index(i, offsetBy: 3)
                i = text[after...].range(of: "\"\"\"")?.upperBound ?? text.endIndex
                out += "\"\""
            } else if text[i] == "\"" {
                var j = text.index(after: i)
                while j < text.endIndex, text[j] != "\"", text[j] != "\n" {
                    if text[j] == "\\" { j = text.index(after: j) }
                    if j < text.endIndex { j = text.index(after: j) }
                }
                i = j < text.endIndex ? text.index(after: j) : j
                out += "\"\""
            } else {
                out.append(text[i])
                i = text.index(after: i)
            }
        }
        return out
    }

    static let patterns: [String] = [
        #"(==|!=)\s*(FabricKind)?\.(local|spark|airflow|databricks)\b"#,
        #"\bcase\s+(FabricKind)?\.(local|spark|airflow|databricks)\b"#,
        #"\bswitch\s+[\w.]*\bkind\b"#,
        #"\bif\s+case\s+\.(local|spark|airflow|databricks)\b"#,
    ]

    @Test func noKindSwitchesOutsideTheDrivers() throws {
        let regexes = try Self.patterns.map { try NSRegularExpression(pattern: $0) }
        var offenders: [String] = []
        var scanned = 0
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let rel = String(url.path.dropFirst(Self.sources.path.count + 1))
            if rel.hasPrefix("WeftEngine/Drivers/") { continue }
            scanned += 1
            let text = Self.code(try String(contentsOf: url, encoding: .utf8))
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let s = String(line)
                if regexes.contains(where: { $0.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }) {
                    offenders.append("Sources/\(rel):\(n + 1): \(s.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(scanned > 50, "the lint found the sources at \(Self.sources.path)")
        #expect(offenders.isEmpty, "switch on the fabric kind only inside a driver:\n\(offenders.joined(separator: "\n"))")
    }

    @Test func theLintCatchesWhatItLooksFor() throws {
        let regexes = try Self.patterns.map { try NSRegularExpression(pattern: $0) }
        func flagged(_ s: String) -> Bool {
            let c = Self.code(s)
            return regexes.contains { $0.firstMatch(in: c, range: NSRange(c.startIndex..., in: c)) != nil }
        }
        #expect(flagged("guard fabric.kind == .local else {"))
        #expect(!flagged("guard schema.kind == fabric.kind else {"), "comparing two kinds for consistency is not a switch")
        #expect(flagged("switch fabric.kind {"))
        #expect(flagged("    case .databricks: return x"))
        #expect(flagged("if f.kind != FabricKind.spark {"))
        #expect(!flagged("let s = \"kind == local\" // kind == .local"))
        #expect(!flagged("Fabric(name: \"dev\", kind: .local)"))
    }
}
