import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft pipeline list|show|config`.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "Read pipelines and set values of their configuration instances.",
        subcommands: [List.self, Show.self, Config.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List pipelines of projects you can read.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this project.") var project: String?

        func run() throws {
            let (ws, p) = try global.session()
            let (items, problems) = try ws.listPipelines(p, project: project)
            for pr in problems { TerminalText.writeError("warning: \(pr)\n") }
            struct Row: Encodable { var project: String; var name: String; var kind: String; var entry: String; var instances: [String] }
            let rows = items.map { Row(project: $0.project, name: $0.pipeline.name, kind: $0.pipeline.kind.rawValue, entry: $0.pipeline.entry, instances: $0.pipeline.instances.keys.sorted()) }
            if global.output == .json { return try global.printJSON(rows) }
            Table.print(["PROJECT", "PIPELINE", "KIND", "ENTRY", "INSTANCES"], rows.map { [$0.project, $0.name, $0.kind, $0.entry, $0.instances.joined(separator: ", ")] })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a pipeline's schema and instances.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "PROJECT/PIPELINE or PIPELINE.") var pipeline: String

        func run() throws {
            let (ws, p) = try global.session()
            let (project, pl) = try ws.pipeline(p, pipeline)
            if global.output == .json { return try global.printJSON(pl) }
            print("pipeline: \(project.name)/\(pl.name) (\(pl.kind.rawValue), entry \(pl.entry))")
            if !pl.description.isEmpty { print(pl.description) }
            Table.print(
                ["FIELD", "TYPE", "REQUIRED", "DEFAULT", "RANGE", "DESCRIPTION"],
                pl.schema.map { f in
                    [f.name, f.type.rawValue, f.required ? "yes" : "", f.defaultValue?.display ?? "",
                     (f.min != nil || f.max != nil) ? "\(f.min.map { String($0) } ?? "")..\(f.max.map { String($0) } ?? "")" : "", f.description]
                })
            for name in pl.instances.keys.sorted() {
                print("\ninstance \(name):")
                for (k, v) in (pl.instances[name] ?? [:]).sorted(by: { $0.key < $1.key }) { print("  \(k) = \(v.display)") }
            }
        }
    }

    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "config", abstract: "Set values of a configuration instance (validated against the schema).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "PROJECT/PIPELINE or PIPELINE.") var pipeline: String
        @Option(help: "The configuration instance (created when new).") var instance: String
        @Option(name: .customLong("set"), help: "key=value (repeatable); secrets as key=secret:NAME.") var assignments: [String] = []

        func run() throws {
            let (ws, p) = try global.session()
            if assignments.isEmpty { throw ValidationError("give at least one --set key=value") }
            let updated = try ws.setPipelineConfig(p, pipeline, instance: instance, assignments: assignments)
            print("Set \(assignments.count) value(s) of instance \(instance) of pipeline \(updated.name).")
        }
    }
}
