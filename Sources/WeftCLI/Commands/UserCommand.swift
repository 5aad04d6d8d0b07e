import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft user create|list`.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users (admins).", subcommands: [Create.self, List.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a user.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "User name.") var name: String
        @Flag(help: "Make the user a workspace admin.") var admin = false
        @Flag(help: "Read the password from standard input.") var passwordStdin = false

        func run() throws {
            let (ws, p) = try global.session()
            let password = try Password.read(stdin: passwordStdin, prompt: "Password for \(name): ")
            try ws.createUser(p, name: name, password: password, admin: admin)
            print("Created user \(name)\(admin ? " (admin)" : "").")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (ws, _) = try global.session()
            let users = try ws.users()
            let teams = try ws.teams()
            let graph = TeamGraph(teams)
            struct Row: Encodable { var name: String; var admin: Bool; var teams: [String] }
            let rows = users.map { Row(name: $0.name, admin: $0.isAdmin, teams: graph.effectiveTeams(of: $0.name).sorted()) }
            if global.output == .json { return try global.printJSON(rows) }
            Table.print(["USER", "ADMIN", "TEAMS"], rows.map { [$0.name, $0.admin ? "yes" : "", $0.teams.joined(separator: ", ")] })
        }
    }
}
