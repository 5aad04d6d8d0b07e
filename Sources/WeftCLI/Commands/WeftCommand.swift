import ArgumentParser
import Foundation

/// `weft`: the root command.
struct WeftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weft",
        abstract: "Promote data pipelines and jobs between fabrics (development, QA, production), safely.",
        discussion: "Run 'weft' alone to open the terminal UI, or 'weft demo' for a ready-made demo workspace.",
        version: "0.1.0",
        subcommands: WeftCommand.allSubcommands,
        defaultSubcommand: WeftCommand.defaultCommand
    )
}
