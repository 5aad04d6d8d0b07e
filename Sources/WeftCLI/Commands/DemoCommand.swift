import ArgumentParser
import Foundation
import WeftEngine
import WeftStore

/// `weft demo`: the seed scenario as a ready workspace.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create or reuse the demo workspace (the seed scenario), print its users, then open the TUI.")

    @Option(help: "The demo workspace (default: $WEFT_HOME when set, else $XDG_DATA_HOME/weft-demo).") var workspace: String?
    @Flag(help: "Delete and recreate the demo workspace.") var reset = false
    @Flag(help: "Only create it and print how to continue; do not open the TUI.") var noTui = false

    func run() async throws {
        let root = DemoWorkspace.defaultRoot(explicit: workspace)
        let created = try DemoWorkspace.ensure(at: root, reset: reset) { ws, kind in try EngineSupport.service(ws).settingsSchema(kind) }
        print("\(created ? "Created" : "Using") the demo workspace at \(root)")
        print("Demo users (fixed demo passwords):")
        for c in DemoWorkspace.credentials { print("  \(c.user.padding(toLength: 6, withPad: " ", startingAt: 0)) \(c.password.padding(toLength: 14, withPad: " ", startingAt: 0)) \(c.role)") }
        if noTui || !DemoCommand.canOpenTUI {
            print("")
            print("Continue with the CLI (see README.md for the whole walkthrough):")
            print("  export WEFT_HOME=\(root)")
            print("  echo alice-demo-pw | weft login --user alice --password-stdin")
            print("  weft job list")
            print("  weft job show customers_daily_development")
            return
        }
        try await DemoCommand.openTUI(root)
    }
}
