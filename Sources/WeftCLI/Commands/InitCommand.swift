import ArgumentParser
import Foundation
import WeftStore

/// `weft init`: a new workspace with its first admin.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new workspace with its first admin.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The first admin's user name.") var admin: String
    @Flag(help: "Read the admin's password from standard input.") var passwordStdin = false

    func run() throws {
        let password = try Password.read(stdin: passwordStdin, prompt: "Password for \(admin): ")
        let ws = try Workspace.create(at: global.root, admin: admin, password: password)
        print("Created workspace \(ws.root) with admin \(admin).")
        print("Next: weft login --user \(admin)")
    }
}
