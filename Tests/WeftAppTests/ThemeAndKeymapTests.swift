import Foundation
import Testing
@testable import WeftApp

@Suite("themes and the keymap")
struct ThemeAndKeymapTests {
    @Test(arguments: BuiltinThemes.names)
    func builtinThemeMatchesItsFile(_ name: String) throws {
        let file = try String(contentsOfFile: Fixtures.repoRoot + "/themes/\(name).theme", encoding: .utf8)
        #expect(file.trimmingCharacters(in: .newlines) == BuiltinThemes.text[name]?.trimmingCharacters(in: .newlines))
        let theme = try ThemeParser.parse(file, name: name, file: "\(name).theme")
        #expect(Set(theme.styles.keys) == Set(ThemeRole.allCases))
        #expect(theme[.production] != theme[.border])
    }

    @Test func invalidThemeNamesFileAndRoleAndFallsBack() throws {
        let dir = NSTemporaryDirectory() + "weft-themes-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = (BuiltinThemes.text["default"] ?? "").replacingOccurrences(of: "production = bright-red bold", with: "production = crimson bold")
        try text.write(toFile: dir + "/mine.theme", atomically: true, encoding: .utf8)
        let (theme, warning) = ThemeCatalog(userDirectory: dir).load("mine")
        #expect(theme.name == "default")
        #expect(warning?.contains("mine.theme") == true)
        #expect(warning?.contains("role production") == true)
        #expect(warning?.contains("unknown colour 'crimson'") == true)
        let missing = (BuiltinThemes.text["default"] ?? "").split(separator: "\n").filter { !$0.hasPrefix("production") }.joined(separator: "\n")
        #expect(throws: ThemeError.self) { try ThemeParser.parse(missing, name: "x", file: "x.theme") }
    }

    @Test func noColorForcesMonochromeAndOptionsWin() {
        let c = ThemeCatalog(userDirectory: nil)
        #expect(c.initialThemeName(explicit: "light", environment: ["NO_COLOR": "1"]) == "monochrome")
        #expect(c.initialThemeName(explicit: "light", environment: ["WEFT_THEME": "high-contrast"]) == "light")
        #expect(c.initialThemeName(explicit: nil, environment: ["WEFT_THEME": "high-contrast", "XDG_CONFIG_HOME": "/nonexistent"]) == "high-contrast")
        #expect(c.initialThemeName(explicit: nil, environment: ["XDG_CONFIG_HOME": "/nonexistent"]) == "default")
    }

    @Test func keybindingsDocIsGeneratedFromTheTable() throws {
        let path = Fixtures.repoRoot + "/docs/keybindings.md"
        let generated = Keymap.markdown()
        if ProcessInfo.processInfo.environment["WEFT_RECORD_SNAPSHOTS"] == "1" {
            try generated.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let doc = try String(contentsOfFile: path, encoding: .utf8)
        #expect(doc == generated, "docs/keybindings.md is out of date; run the tests with WEFT_RECORD_SNAPSHOTS=1")
    }

    @Test func noKeyIsBoundTwiceInOneContext() {
        for context in KeyContext.allCases {
            var seen: [String: KeyAction] = [:]
            for b in Keymap.bindings(in: context) {
                for k in b.keys {
                    let name = k.displayName
                    if let other = seen[name], other != b.action, !(name == "q" && context != .main) {
                        Issue.record("\(name) bound to \(other) and \(b.action) in \(context)")
                    }
                    seen[name] = b.action
                }
            }
        }
    }
}
