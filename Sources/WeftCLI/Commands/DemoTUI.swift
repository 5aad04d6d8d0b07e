extension DemoCommand {
    /// Whether this build has the TUI.
    static let canOpenTUI = false
    /// Opens the TUI on `root` (set when the TUI is present).
    static func openTUI(_ root: String) async throws {}
}
