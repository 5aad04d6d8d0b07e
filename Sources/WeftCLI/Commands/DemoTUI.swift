import WeftApp

extension DemoCommand {
    /// Whether this build has the TUI.
    static let canOpenTUI = true
    /// Opens the TUI on `root`, with the demo users and passwords shown on the login screen.
    static func openTUI(_ root: String) async throws {
        try await TUICommand.open(root: root, theme: nil, demoLogins: WeftTUI.demoLogins)
    }
}
