import ArgumentParser

extension WeftCommand {
    /// Commands added by the engine and TUI layers.
    static let extraSubcommands: [any ParsableCommand.Type] = []
    /// The TUI command (the default), once present.
    static let tuiCommand: (any ParsableCommand.Type)? = nil
}
