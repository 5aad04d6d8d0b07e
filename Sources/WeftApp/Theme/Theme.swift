import TerminalUI
import WeftDomain

/// A theme: one style per semantic role. A value passed down to rendering, never a global.
public struct Theme: Sendable, Hashable {
    /// The theme's name (`default`, `light`, `high-contrast`, `monochrome`, or a user theme's file name).
    public var name: String
    /// The style of every role (complete: parsing fails when a role is missing).
    public var styles: [ThemeRole: Style]

    /// Creates a theme from complete styles.
    public init(name: String, styles: [ThemeRole: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style of a role (plain when missing).
    public subscript(_ role: ThemeRole) -> Style { styles[role] ?? .plain }

    /// The style of a run state.
    public func style(for state: RunState) -> Style {
        switch state {
        case .queued: return self[.runQueued]
        case .running: return self[.runRunning]
        case .success: return self[.runSuccess]
        case .failed: return self[.runFailed]
        case .cancelled: return self[.runCancelled]
        }
    }

    /// The style of a task state.
    public func style(for state: TaskState) -> Style {
        switch state {
        case .pending: return self[.taskPending]
        case .running: return self[.taskRunning]
        case .retrying: return self[.taskRetrying]
        case .success: return self[.taskSuccess]
        case .failed: return self[.taskFailed]
        case .skipped: return self[.taskSkipped]
        case .cancelled: return self[.taskCancelled]
        case .orphaned: return self[.taskOrphaned]
        }
    }

    /// The frame style of a fabric: the production role for every production fabric.
    public func frame(isProduction: Bool, focused: Bool) -> Style {
        if isProduction { return self[.production] }
        return focused ? self[.focus] : self[.border]
    }

    /// Whether the theme draws with colour at all (monochrome uses attributes only).
    public var usesColor: Bool {
        styles.values.contains { $0.fg != .default || $0.bg != .default }
    }

    /// The built-in default (dark) theme.
    public static var standard: Theme {
        (try? ThemeParser.parse(BuiltinThemes.text["default"] ?? "", name: "default", file: "default.theme")) ?? Theme(name: "default", styles: [:])
    }

    /// The built-in monochrome theme (attributes only; used for `NO_COLOR` and snapshots).
    public static var monochrome: Theme {
        (try? ThemeParser.parse(BuiltinThemes.text["monochrome"] ?? "", name: "monochrome", file: "monochrome.theme"))
            ?? Theme(name: "monochrome", styles: [:])
    }
}
