import ArgumentParser

extension WeftCommand {
    /// Commands added by the engine and TUI layers.
    static let extraSubcommands: [any ParsableCommand.Type] = [TUICommand.self]
    /// The TUI command (the default).
    static let tuiCommand: (any ParsableCommand.Type)? = TUICommand.self
}
