import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft job list|show|duplicate|config|enable|disable|diff`.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Read, duplicate, configure, enable and compare jobs.",
        subcommands: [List.self, Show.self, Duplicate.self, Config.self, Enable.self, Disable.self, Diff.self])

    struct JobView: Encodable {
        var project: String
        var name: String
        var fabric: String
        var enabled: Bool
        var schedule: String?
        var timezone: String?
        var tasks: Int
        var basedOn: BasedOn?
        var blob: String

        init(_ r: JobRecord) {
            project = r.project
            name = r.job.name
            fabric = r.job.fabric
            enabled = r.job.enabled
            schedule = r.job.schedule?.cron
            timezone = r.job.schedule?.timezone
            tasks = r.job.tasks.count
            basedOn = r.job.basedOn
            blob = r.blob
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs of projects you can read.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only jobs on this fabric.") var fabric: String?
        @Option(help: "Only jobs of this project.") var project: String?

        func run() throws {
            let (ws, p) = try global.session()
            let (jobs, broken) = try ws.listJobs(p, fabric: fabric, project: project)
            for b in broken { for pr in b.problems { FileHandle.standardError.write(Data("warning: \(b.project)/\(pr)\n".utf8)) } }
            if global.output == .json { return try global.printJSON(jobs.map(JobView.init)) }
            Table.print(
                ["PROJECT", "JOB", "FABRIC", "ENABLED", "SCHEDULE", "TASKS", "BASED ON"],
                jobs.map { r in
                    [r.project, r.job.name, r.job.fabric, r.job.enabled ? "yes" : "no",
                     r.job.schedule.map { "\($0.cron) \($0.timezone)" } ?? "-", String(r.job.tasks.count), r.job.basedOn?.job ?? ""]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a job: tasks, configuration and based_on.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB.") var job: String

        func run() throws {
            let (ws, p) = try global.session()
            let r = try ws.job(p, job)
            if global.output == .json { return try global.printJSON(r) }
            print(JobText.describe(r))
        }
    }

    struct Duplicate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "duplicate", 
            abstract: "Duplicate a job onto a fabric (disabled, configuration instances mapped, based_on recorded).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB.") var job: String
        @Option(help: "The target fabric.") var fabric: String
        @Option(help: "The new job's name (default: the _development/_dev suffix replaced by the fabric's name).") var name: String?

        func run() throws {
            let (ws, p) = try global.session()
            let (record, plan) = try ws.duplicateJob(p, job, fabric: fabric, name: name)
            if global.output == .json { return try global.printJSON(JobView(record)) }
            print("Created \(record.qualifiedName) on fabric \(fabric) (disabled), based on \(plan.job.basedOn?.job ?? "") at \(plan.job.basedOn?.commit.prefix(10) ?? "").")
            for (key, m) in plan.mapped.sorted(by: { $0.key < $1.key }) { print("  task \(key): configuration \(m.from ?? "-") → \(m.to)") }
            for key in plan.unmapped { print("  task \(key): no '\(fabric)' configuration instance — still uses the source's; set one with 'weft job config \(record.job.name) --task \(key) --instance …'") }
            print("Next: review with 'weft job diff \(record.job.name)', then 'weft job enable \(record.job.name)'.")
        }
    }

    struct Config: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "config", abstract: "Set a task's configuration instance and overrides.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB.") var job: String
        @Option(help: "The task key.") var task: String
        @Option(help: "Use this configuration instance of the pipeline.") var instance: String?
        @Option(name: .customLong("set"), help: "Override key=value (repeatable); secrets as key=secret:NAME.") var assignments: [String] = []
        @Option(name: .customLong("unset"), help: "Remove an override (repeatable).") var unset: [String] = []
        @Option(help: "Fail with a conflict unless the job file is still this blob (optimistic concurrency).") var ifMatch: String?

        func run() throws {
            let (ws, p) = try global.session()
            if instance == nil && assignments.isEmpty && unset.isEmpty { throw ValidationError("give --instance, --set or --unset") }
            let r = try ws.configureTask(p, job, task: task, instance: instance, assignments: assignments, unset: unset, expectedBlob: ifMatch)
            if global.output == .json { return try global.printJSON(JobView(r)) }
            print("Configured task \(task) of \(r.qualifiedName).")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a job (validated first).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB.") var job: String
        @Option(help: "Fail with a conflict unless the job file is still this blob.") var ifMatch: String?

        func run() throws {
            let (ws, p) = try global.session()
            let r = try ws.setEnabled(p, job, enabled: true, expectedBlob: ifMatch)
            print("Enabled \(r.qualifiedName) on fabric \(r.job.fabric).")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a job.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB.") var job: String
        @Option(help: "Fail with a conflict unless the job file is still this blob.") var ifMatch: String?

        func run() throws {
            let (ws, p) = try global.session()
            let r = try ws.setEnabled(p, job, enabled: false, expectedBlob: ifMatch)
            print("Disabled \(r.qualifiedName).")
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "diff", 
            abstract: "Compare a job with another (default: the job it was duplicated from): tasks, values, schedule, enabled.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB.") var job: String
        @Argument(help: "The job to compare with (default: based_on).") var other: String?

        func run() throws {
            let (ws, p) = try global.session()
            let (l, r, diffs) = try ws.diff(p, job, other: other)
            if global.output == .json { return try global.printJSON(diffs) }
            if diffs.isEmpty {
                print("\(l.job.name) and \(r.job.name) do not differ.")
                return
            }
            Table.print(["WHERE", l.job.name, r.job.name], diffs.map { [$0.path, $0.left ?? "(none)", $0.right ?? "(none)"] })
        }
    }
}

/// Human renderings of jobs shared by commands.
enum JobText {
    static func describe(_ r: JobRecord) -> String {
        var lines: [String] = []
        let j = r.job
        lines.append("job:        \(r.qualifiedName)")
        lines.append("fabric:     \(j.fabric)")
        lines.append("enabled:    \(j.enabled ? "yes" : "no")")
        lines.append("schedule:   \(j.schedule.map { "\($0.cron) (\($0.timezone))" } ?? "-")")
        lines.append("max runs:   \(j.maxConcurrentRuns)")
        if let b = j.basedOn { lines.append("based on:   \(b.job) @ \(b.commit.prefix(12))") }
        lines.append("file:       \(r.path) (blob \(r.blob.prefix(12)))")
        lines.append("tasks:")
        let levels = TaskGraph.levels(j.tasks)
        for key in TaskGraph.topologicalOrder(j.tasks) {
            guard let t = j.task(key) else { continue }
            let indent = String(repeating: "  ", count: (levels[key] ?? 0) + 1)
            var s = "\(indent)└ \(t.key)"
            switch t.action {
            case .pipeline(let name, let config, let overrides):
                s += "  pipeline \(name)" + (config.map { " [\($0)]" } ?? "")
                if !overrides.isEmpty { s += "  overrides: " + overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.display)" }.joined(separator: ", ") }
            case .script(let cmd): s += "  script: \(cmd)"
            }
            if !t.dependsOn.isEmpty { s += "  ← \(t.dependsOn.joined(separator: ", "))" }
            if t.runIf != .allSuccess { s += "  (\(t.runIf.rawValue))" }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }
}
