import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft team create|add-member|include|list|show`.
struct TeamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team", abstract: "Manage teams (admins); membership is transitive through included teams.",
        subcommands: [Create.self, AddMember.self, Include.self, List.self, Show.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a team.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Team name.") var name: String
        @Option(name: .customLong("include"), help: "A team whose members also belong to this one (repeatable).") var includes: [String] = []

        func run() throws {
            let (ws, p) = try global.session()
            try ws.createTeam(p, name: name, includes: includes)
            print("Created team \(name)" + (includes.isEmpty ? "" : " including \(includes.joined(separator: ", "))") + ".")
        }
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add a user to a team.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Team name.") var team: String
        @Argument(help: "User name.") var user: String

        func run() throws {
            let (ws, p) = try global.session()
            try ws.addMember(p, team: team, user: user)
            print("Added \(user) to team \(team).")
        }
    }

    struct Include: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "include", abstract: "Make every member of another team a member of this one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Team name.") var team: String
        @Argument(help: "The team to include.") var included: String

        func run() throws {
            let (ws, p) = try global.session()
            try ws.includeTeam(p, team: team, included: included)
            print("Team \(team) now includes \(included).")
        }
    }

    struct TeamView: Encodable {
        var name: String
        var includes: [String]
        var members: [String]
        var allMembers: [String]
    }

    static func views(_ ws: Workspace) throws -> [TeamView] {
        let teams = try ws.teams()
        let graph = TeamGraph(teams)
        return teams.map { TeamView(name: $0.name, includes: $0.includes, members: $0.members, allMembers: graph.members(of: $0.name).sorted()) }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List teams.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (ws, _) = try global.session()
            let views = try TeamCommand.views(ws)
            if global.output == .json { return try global.printJSON(views) }
            Table.print(
                ["TEAM", "INCLUDES", "MEMBERS (ALL)"],
                views.map { [$0.name, $0.includes.joined(separator: ", "), $0.allMembers.joined(separator: ", ")] })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a team.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Team name.") var name: String

        func run() throws {
            let (ws, _) = try global.session()
            _ = try ws.team(name)
            guard let v = try TeamCommand.views(ws).first(where: { $0.name == name }) else { return }
            if global.output == .json { return try global.printJSON(v) }
            print("team:      \(v.name)")
            print("includes:  \(v.includes.isEmpty ? "-" : v.includes.joined(separator: ", "))")
            print("members:   \(v.members.isEmpty ? "-" : v.members.joined(separator: ", "))")
            print("all users: \(v.allMembers.isEmpty ? "-" : v.allMembers.joined(separator: ", "))")
        }
    }
}
