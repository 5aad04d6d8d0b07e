import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft login`: start a CLI session (a token file, mode 0600, that expires).
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Log in; later commands act as this user.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "User name (asked when omitted).") var user: String?
    @Flag(help: "Read the password from standard input.") var passwordStdin = false

    func run() throws {
        let ws = try global.open()
        var name = user
        if name == nil {
            guard isatty(0) == 1 else { throw WeftError.invalid("give --user NAME") }
            FileHandle.standardError.write(Data("User: ".utf8))
            name = readLine()
        }
        guard let name, !name.isEmpty else { throw WeftError.invalid("give --user NAME") }
        let password = try Password.read(stdin: passwordStdin, prompt: "Password for \(name): ")
        let principal = try ws.login(user: name, password: password)
        try ws.startSession(principal)
        print("Logged in as \(name)" + (principal.teams.isEmpty ? "" : " (teams: \(principal.teams.sorted().joined(separator: ", ")))") + ".")
    }
}

/// `weft logout`.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "End the CLI session.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.open().logout()
        print("Logged out.")
    }
}

/// `weft whoami`.
struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show who you are acting as, and your teams.")
    @OptionGroup var global: GlobalOptions

    struct Output: Encodable {
        var user: String
        var admin: Bool
        var teams: [String]
        var workspace: String
    }

    func run() throws {
        let (ws, p) = try global.session()
        let out = Output(user: p.name, admin: p.isAdmin, teams: p.teams.sorted(), workspace: ws.root)
        if global.output == .json { return try global.printJSON(out) }
        print("\(p.name)\(p.isAdmin ? " (admin)" : "") — teams: \(p.teams.isEmpty ? "none" : p.teams.sorted().joined(separator: ", ")) — workspace: \(ws.root)")
    }
}
