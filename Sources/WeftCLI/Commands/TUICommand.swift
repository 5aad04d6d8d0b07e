import ArgumentParser
import Foundation
import Logging
import TerminalUI
import TerminalUICurses
import WeftApp
import WeftStore

/// `weft` (no arguments) and `weft tui`: the terminal UI, starting at the login screen.
struct TUICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui", abstract: "Open the terminal UI (the default command).", shouldDisplay: false)

    @Option(help: "The workspace directory (default: $WEFT_HOME, else $XDG_DATA_HOME/weft).") var workspace: String?
    @Option(help: "Theme: default, light, high-contrast, monochrome, or a file in $XDG_CONFIG_HOME/weft/themes (also WEFT_THEME; NO_COLOR forces monochrome).")
    var theme: String?

    func run() async throws {
        let root = Workspace.defaultRoot(explicit: workspace)
        guard Workspace.exists(at: root) else {
            FileHandle.standardError.write(
                Data("weft: no workspace at \(root); create one with 'weft init --admin NAME --password-stdin', or try 'weft demo'\n".utf8))
            throw ExitCode(1)
        }
        try await TUICommand.open(root: root, theme: theme, demoLogins: [])
    }

    /// Opens the TUI on a workspace and runs it until the user quits. Exit status 2 without a usable terminal.
    @MainActor
    static func open(root: String, theme: String?, demoLogins: [DemoLogin]) async throws {
        // A long-lived process: two malloc arenas instead of one per thread keep less freed memory resident.
        MallocArenas.limit(2)
        FileLogHandler.bootstrap(path: FileLogHandler.defaultPath())
        let logger = Logger(label: "weft.tui")
        let ws = try Workspace.open(at: root)
        let env = ProcessInfo.processInfo.environment
        let monochrome = (env["NO_COLOR"].map { !$0.isEmpty } ?? false) || theme == "monochrome"
        let backend: CursesBackend
        do {
            backend = try CursesBackend(colorMode: monochrome ? .monochrome : .automatic)
        } catch {
            TerminalText.writeError("weft: \(error.description)\n")
            throw ExitCode(2)
        }
        logger.info("TUI started on \(root) (\(backend.size.width)x\(backend.size.height), \(backend.colorCount) colours)")
        do {
            let runtime = try WeftTUI.makeRuntime(workspace: ws, backend: backend, themeName: theme, demoLogins: demoLogins)
            backend.addWakeDescriptor(runtime.mailbox.wakeDescriptor)
            await runtime.run()
        } catch {
            backend.shutdown()
            throw error
        }
        backend.shutdown()
        logger.info("TUI stopped")
    }
}
