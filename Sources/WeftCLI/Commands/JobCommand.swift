import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft job list|show|duplicate|config|enable|disable|diff`.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Read, duplicate, configure, enable and compare jobs.",
        subcommands: [List.self, Show.self, Duplicate.self, Config.self, Enable.self, Disable.self, Diff.self, Promote.self])

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
            for b in broken { for pr in b.problems { TerminalText.writeError("warning: \(b.project)/\(pr)\n") } }
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
            print(Self.deployedLine(ws, r))
        }

        /// `deployed: release 1.0.0 at commit abc… (by bob, 2026-…); HEAD differs`, or what waits for a release.
        static func deployedLine(_ ws: Workspace, _ r: JobRecord) -> String {
            guard let d = try? ws.deployedJob(fabric: r.job.fabric, project: r.project, job: r.job.name) else {
                if r.job.enabled && r.job.schedule != nil {
                    return "deployed: nothing on \(r.job.fabric) — the schedule waits for a release ('weft release \(r.project) --version V')"
                }
                return "deployed: nothing on \(r.job.fabric) yet ('weft release \(r.project) --version V')"
            }
            let head = (try? ws.headCommit(project: r.project)) ?? d.commit
            let state =
                d.definition != r.job
                ? "; the job at HEAD differs from it (the next release deploys the change)"
                : head != d.commit ? "; HEAD \(head.prefix(10)) is later (its changes reach \(r.job.fabric) with the next release)" : "; HEAD is this release"
            return "deployed: release \(d.version) at commit \(d.commit.prefix(10)) (by \(d.deployedBy), \(UTCTime.iso8601(d.deployedAt)))" + state
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

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Apply the source job's changes since based_on, keeping this job's fabric settings (plan first).",
            discussion: """
                Tasks added or removed, dependencies, pipelines, run_if, retries, timeouts and the schedule come from \
                the job it was duplicated from; its configuration instances, overrides, enabled flag and name stay. \
                Where both changed a field it stops with the field names (exit 4) unless --take says which side wins.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "JOB or PROJECT/JOB (the job to bring up to date).") var job: String
        @Flag(help: "Print the plan only.") var dryRun = false
        @Option(parsing: .upToNextOption, help: "--take source|target FIELD ... : which side wins a conflict.") var take: [String] = []
        @Flag(help: "Confirm promoting into a production job without a terminal.") var yes = false

        func run() throws {
            let (ws, p) = try global.session()
            var sides: [String: PromotionSide] = [:]
            var side: PromotionSide?
            for word in take {
                if let s = PromotionSide(rawValue: word) { side = s; continue }
                guard let side else { throw ValidationError("--take needs a side first: --take source FIELD or --take target FIELD") }
                sides[word] = side
            }
            let (target, plan) = try ws.planPromotion(p, job, take: sides)
            if global.output == .json && dryRun { return try global.printJSON(plan) }
            if global.output != .json { plan.lines.forEach { print($0) } }
            if dryRun || plan.isEmpty { return }
            if !plan.unresolved.isEmpty { _ = try PromotionPlanner.apply(plan) }
            let fabric = try ws.fabric(target.job.fabric)
            if fabric.stage == .production {
                try Confirmation.production([fabric.name], action: "promote into \(target.job.name)", yes: yes)
            }
            let record = try ws.promote(p, target: target, plan: plan)
            if global.output == .json { return try global.printJSON(JobView(record)) }
            print("Promoted \(plan.source) into \(record.qualifiedName): based_on is now \(plan.basedOn.commit.prefix(10)).")
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
    /// Tasks deeper than this are drawn at this depth, flat (`weft job show`).
    static let maxDrawnDepth = 8

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
        // Linear in tasks and edges; the depth drawn is capped (a 10,000-task chain would indent off the screen):
        // deeper tasks are drawn flat at the cap, each with its depth.
        let (order, levels) = TaskGraph.orderAndLevels(j.tasks)
        var byKey: [String: JobTask] = [:]
        for t in j.tasks where byKey[t.key] == nil { byKey[t.key] = t }
        var flat = false
        for key in order {
            guard let t = byKey[key] else { continue }
            let level = levels[key] ?? 0
            let indent = String(repeating: "  ", count: min(level, maxDrawnDepth) + 1)
            if level >= maxDrawnDepth && !flat {
                flat = true
                lines.append("\(indent)… (depth \(maxDrawnDepth)+, drawn flat)")
            }
            var s = "\(indent)└ \(t.key)" + (level >= maxDrawnDepth ? "  (depth \(level))" : "")
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
