import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

extension Stage: ExpressibleByArgument {}
extension FabricKind: ExpressibleByArgument {}

/// `weft fabric create|set-secret|list|show`.
struct FabricCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric", abstract: "Manage fabrics (execution environments).",
        subcommands: [Create.self, SetSecret.self, List.self, Show.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a fabric (admins).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fabric name.") var name: String
        @Option(help: "The team that owns (and alone may use) the fabric.") var owner: String
        @Option(help: "development, qa or production.") var stage: Stage
        @Option(help: "local, spark, airflow or databricks.") var kind: FabricKind = .local
        @Option(help: "How many tasks may run at once.") var slots: Int = 4
        @Option(name: .customLong("set"), help: "A connection setting key=value (repeatable; never secrets).") var settings: [String] = []

        func run() throws {
            let (ws, p) = try global.session()
            var dict: [String: String] = [:]
            for s in settings {
                let (k, v) = try ConfigValueParser.splitAssignment(s)
                dict[k] = v
            }
            try ws.createFabric(p, Fabric(name: name, ownerTeam: owner, stage: stage, kind: kind, slots: slots, settings: dict))
            print("Created fabric \(name) (\(stage.rawValue), \(kind.rawValue), owner \(owner), \(slots) slots).")
        }
    }

    struct SetSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-secret", abstract: "Set or replace a fabric secret (write-only; the value is read from standard input).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fabric name.") var fabric: String
        @Argument(help: "Secret name.") var secret: String
        @Flag(help: "Read the value from standard input (required: values are never arguments).") var valueStdin = false

        func validate() throws {
            if !valueStdin { throw ValidationError("pipe the value in and pass --value-stdin; secret values are never taken as arguments") }
        }

        func run() throws {
            let (ws, p) = try global.session()
            try ws.setSecret(p, fabric: fabric, secret: secret, value: Password.readAllStdin())
            print("Set secret \(secret) of fabric \(fabric).")
        }
    }

    struct FabricView: Encodable {
        var name: String
        var stage: String
        var kind: String
        var owner: String
        var slots: Int
        var settings: [String: String]?
        var secrets: [String]?
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List fabrics.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (ws, p) = try global.session()
            let views = try ws.fabrics().map {
                FabricView(name: $0.name, stage: $0.stage.rawValue, kind: $0.kind.rawValue, owner: $0.ownerTeam, slots: $0.slots)
            }
            if global.output == .json { return try global.printJSON(views) }
            Table.print(
                ["FABRIC", "STAGE", "KIND", "OWNER", "SLOTS", "YOU"],
                views.map { [$0.name, $0.stage, $0.kind, $0.owner, String($0.slots), p.isMember(of: $0.owner) ? "use" : "-"] })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a fabric with its settings (members of its team).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fabric name.") var name: String

        func run() throws {
            let (ws, p) = try global.session()
            let f = try ws.fabricDetails(p, name)
            let v = FabricView(
                name: f.name, stage: f.stage.rawValue, kind: f.kind.rawValue, owner: f.ownerTeam, slots: f.slots, settings: f.settings,
                secrets: f.secretNames)
            if global.output == .json { return try global.printJSON(v) }
            print("fabric:   \(f.name)\nstage:    \(f.stage.rawValue)\nkind:     \(f.kind.rawValue)\nowner:    \(f.ownerTeam)\nslots:    \(f.slots)")
            print("data:     \(ws.dataRoot(fabric: f.name))")
            print("settings: " + (f.settings.isEmpty ? "-" : f.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))
            print("secrets:  " + (f.secretNames.isEmpty ? "-" : f.secretNames.map { "\($0) (set)" }.joined(separator: ", ")))
        }
    }
}
