import Foundation
import Logging
import TerminalUI
import WeftEngine
import WeftStore

/// Builds the TUI for a workspace and a backend (the CLI supplies the curses backend; tests a `TestBackend`).
public enum WeftTUI {
    /// Creates a runtime on the login screen.
    @MainActor
    public static func makeRuntime(
        workspace: Workspace, backend: any Backend, themeName: String?, demoLogins: [DemoLogin] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment, runs: RunService? = nil
    ) throws -> AppRuntime {
        let catalog = ThemeCatalog.standard(environment: environment)
        let name = catalog.initialThemeName(explicit: themeName, environment: environment)
        let (theme, warning) = catalog.load(name)
        var state = AppState(workspace: workspace.root, size: backend.size, theme: theme, demoLogins: demoLogins)
        if let warning {
            state.login.error = warning
            Logger(label: "weft.tui").warning("\(warning)")
        }
        let runner = EffectRunner(workspace: workspace, runs: runs ?? RunService(workspace: workspace), themes: catalog)
        guard let runtime = AppRuntime(state: state, backend: backend, runner: runner) else {
            throw TUIError.mailbox
        }
        return runtime
    }

    /// The demo logins of `DemoWorkspace`.
    public static var demoLogins: [DemoLogin] {
        DemoWorkspace.credentials.map { DemoLogin(user: $0.user, password: $0.password, role: $0.role) }
    }
}

/// Why the TUI could not start.
public enum TUIError: Error, CustomStringConvertible {
    /// The wake pipe could not be created.
    case mailbox

    /// A readable message.
    public var description: String {
        switch self {
        case .mailbox: return "cannot create the TUI's wake pipe (too many open files?)"
        }
    }
}
