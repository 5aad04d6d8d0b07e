import ArgumentParser
import Foundation
import WeftDomain
import WeftEngine
import WeftStore

extension Stage: ExpressibleByArgument {}
extension FabricKind: ExpressibleByArgument {}

/// `weft fabric create|update|set-secret|list|show|check`. Settings are checked by the kind's driver (through the
/// run service) whenever a fabric is created or changed; `check` has the driver test them for real.
struct FabricCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabric", abstract: "Manage fabrics (execution environments).",
        subcommands: [Create.self, Update.self, SetSecret.self, List.self, Show.self, Check.self])

    /// `--set key=value` arguments as settings; a malformed one, or a key given twice, is a usage error.
    static func parseSettings(_ assignments: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for a in assignments {
            guard let eq = a.firstIndex(of: "=") else {
                throw ValidationError("--set '\(a)' is not key=value; write e.g. --set sandbox=on")
            }
            let key = String(a[..<eq]).trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw ValidationError("--set '\(a)' has no key before '='; write e.g. --set sandbox=on") }
            guard out[key] == nil else { throw ValidationError("--set gives setting '\(key)' more than once; give each setting once") }
            out[key] = String(a[a.index(after: eq)...])
        }
        return out
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a fabric (admins).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fabric name.") var name: String
        @Option(help: "The team that owns (and alone may use) the fabric.") var owner: String
        @Option(help: "development, qa or production.") var stage: Stage
        @Option(help: "local, spark, airflow or databricks.") var kind: FabricKind = .local
        @Option(help: "How many tasks may run at once.") var slots: Int = 4
        @Option(name: .customLong("set"), help: "A setting of the kind, key=value (repeatable; never secrets).") var settings: [String] = []

        func validate() throws { _ = try FabricCommand.parseSettings(settings) }

        func run() throws {
            let (ws, p) = try global.session()
            let dict = try FabricCommand.parseSettings(settings)
            let schema = try EngineSupport.service(ws).settingsSchema(kind)
            try ws.createFabric(p, Fabric(name: name, ownerTeam: owner, stage: stage, kind: kind, slots: slots, settings: dict), schema: schema)
            print("Created fabric \(name) (\(stage.rawValue), \(kind.rawValue), owner \(owner), \(slots) slots).")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", 
            abstract: "Change a fabric's settings or slots (admins). Its stage, kind and owner are not changed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fabric name.") var name: String
        @Option(name: .customLong("set"), help: "Add or replace a setting, key=value (repeatable; never secrets).") var settings: [String] = []
        @Option(name: .customLong("unset"), help: "Remove a setting (repeatable).") var unset: [String] = []
        @Option(help: "How many tasks may run at once.") var slots: Int?

        func validate() throws {
            let set = try FabricCommand.parseSettings(settings)
            for key in unset {
                if key.contains("=") { throw ValidationError("--unset takes a setting's key, not key=value: '\(key)'") }
                if key.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--unset needs a setting's key") }
                if set[key] != nil { throw ValidationError("setting '\(key)' is given to both --set and --unset; give it once") }
            }
            if settings.isEmpty && unset.isEmpty && slots == nil {
                throw ValidationError("nothing to change; give --set key=value, --unset KEY or --slots N")
            }
        }

        func run() throws {
            let (ws, p) = try global.session()
            let set = try FabricCommand.parseSettings(settings)
            let kind = try ws.fabric(name).kind
            let schema = try EngineSupport.service(ws).settingsSchema(kind)
            let f = try ws.updateFabric(p, name: name, set: set, unset: unset, slots: slots, schema: schema)
            if global.output == .json {
                return try global.printJSON(
                    FabricView(name: f.name, stage: f.stage.rawValue, kind: f.kind.rawValue, owner: f.ownerTeam, slots: f.slots))
            }
            // Keys only: an admin sets settings but does not read them back (they belong to the fabric's team).
            var changes: [String] = []
            if !set.isEmpty { changes.append("set " + set.keys.sorted().joined(separator: ", ")) }
            if !unset.isEmpty { changes.append("unset " + Set(unset).sorted().joined(separator: ", ")) }
            if let slots { changes.append("\(slots) slots") }
            print("Updated fabric \(name) (\(changes.joined(separator: "; "))).")
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
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List fabrics.")
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
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a fabric with its settings (members of its team).")
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

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", 
            abstract: "Test a fabric's settings for real through its driver (its team or an admin); exit 1 when a check fails.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Fabric name.") var name: String

        func run() async throws {
            let (ws, p) = try global.session()
            let checks = try await EngineSupport.service(ws).check(p, fabric: name)
            if global.output == .json {
                try global.printJSON(checks)
            } else {
                for c in checks { print("\(c.ok ? "✓" : "✗") \(c.name) — \(c.detail)") }
            }
            if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }
}
