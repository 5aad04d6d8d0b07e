import Foundation

/// Finds themes: a user's `$XDG_CONFIG_HOME/weft/themes/NAME.theme` first, then the built-in ones.
public struct ThemeCatalog: Sendable {
    /// The folder of user theme files (`$XDG_CONFIG_HOME/weft/themes`), nil for built-ins only.
    public var userDirectory: String?

    /// Creates a catalog over a user theme folder.
    public init(userDirectory: String?) {
        self.userDirectory = userDirectory
    }

    /// The catalog of this environment (`$XDG_CONFIG_HOME`, else `~/.config`).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ThemeCatalog {
        ThemeCatalog(userDirectory: AppPaths.configDirectory(environment: environment) + "/themes")
    }

    /// Every theme name: built-ins, then user themes.
    public func names() -> [String] {
        var names = BuiltinThemes.names
        if let userDirectory, let files = try? FileManager.default.contentsOfDirectory(atPath: userDirectory) {
            for f in files.sorted() where f.hasSuffix(".theme") {
                let n = String(f.dropLast(6))
                if !names.contains(n) { names.append(n) }
            }
        }
        return names
    }

    /// Loads a theme; on any problem returns the default theme and the problem as a readable message.
    public func load(_ name: String) -> (theme: Theme, warning: String?) {
        if let userDirectory {
            let path = userDirectory + "/\(name).theme"
            if let data = FileManager.default.contents(atPath: path) {
                do {
                    return (try ThemeParser.parse(String(decoding: data, as: UTF8.self), name: name, file: path), nil)
                } catch {
                    return (.standard, error.description)
                }
            }
        }
        guard let text = BuiltinThemes.text[name] else {
            return (.standard, "no theme named '\(name)' (themes: \(names().joined(separator: ", "))); using the default theme")
        }
        do {
            return (try ThemeParser.parse(text, name: name, file: "themes/\(name).theme"), nil)
        } catch {
            return (.standard, error.description)
        }
    }

    /// The theme to start with: `--theme`, then `WEFT_THEME`, then the config file's `theme = NAME`, else default;
    /// `NO_COLOR` (set and non-empty) forces monochrome.
    public func initialThemeName(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return "monochrome" }
        if let explicit, !explicit.isEmpty { return explicit }
        if let env = environment["WEFT_THEME"], !env.isEmpty { return env }
        let config = AppPaths.configDirectory(environment: environment) + "/config"
        if let data = FileManager.default.contents(atPath: config) {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == "theme", !parts[1].isEmpty { return parts[1] }
            }
        }
        return "default"
    }
}

/// Where Weft keeps its configuration and state files (XDG).
public enum AppPaths {
    /// `$XDG_CONFIG_HOME/weft`, else `~/.config/weft`.
    public static func configDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
        return base + "/weft"
    }

    /// `$XDG_STATE_HOME/weft`, else `~/.local/state/weft`.
    public static func stateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/state")
        return base + "/weft"
    }
}
