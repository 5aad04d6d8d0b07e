import ArgumentParser
import Foundation
import WeftDomain
import WeftEngine
import WeftStore

extension RunState: ExpressibleByArgument {}

/// `weft runs list|show|logs|cancel`, through the run service.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Run history, logs and cancellation (fabrics of your teams only).",
        subcommands: [List.self, Show.self, Logs.self, Cancel.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only runs of this job (JOB or PROJECT/JOB).") var job: String?
        @Option(help: "Only runs on this fabric.") var fabric: String?
        @Option(help: "Only runs in this state.") var state: RunState?
        @Option(help: "At most this many.") var limit: Int = 30

        func run() throws {
            let (ws, p) = try global.session()
            let runs = try EngineSupport.service(ws).list(p, RunQuery(job: job, fabric: fabric, state: state, limit: limit))
            if global.output == .json { return try global.printJSON(runs) }
            let f = ISO8601DateFormatter()
            Table.print(
                ["RUN", "JOB", "FABRIC", "STATE", "TRIGGER", "BY", "REVISION", "STARTED", "DURATION"],
                runs.map { r in
                    [r.id, r.job, r.fabric, r.state.rawValue, r.trigger.rawValue, r.user, r.release ?? String(r.commit.prefix(10)),
                     r.startedAt.map { f.string(from: $0) } ?? "-", r.duration().map { RunProgressPrinter.duration($0) } ?? "-"]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run and its tasks.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var id: String

        func run() throws {
            let (ws, p) = try global.session()
            let detail = try EngineSupport.service(ws).detail(p, runID: id)
            let (r, tasks) = (detail.run, detail.tasks)
            struct Out: Encodable { var run: RunRecord; var tasks: [TaskRunRecord] }
            if global.output == .json { return try global.printJSON(Out(run: r, tasks: tasks)) }
            print(
                "run:      \(r.id)\njob:      \(r.project)/\(r.job)\nfabric:   \(r.fabric) (driver \(r.driver)\(r.externalID.map { ", external id \($0)" } ?? ""))\nstate:    \(r.state.rawValue)\ntrigger:  \(r.trigger.rawValue) by \(r.user)\nrevision: \(r.revision.label)\ncommit:   \(r.commit)"
            )
            if let d = r.duration() { print("duration: \(RunProgressPrinter.duration(d))") }
            if let m = r.message { print("message:  \(m)") }
            Table.print(
                ["TASK", "STATE", "ATTEMPT", "EXIT", "PROGRESS", "DURATION", "MESSAGE"],
                tasks.map { t in
                    [t.key, t.state.rawValue, String(t.attempt), t.exitCode.map { String($0) } ?? "-",
                     t.progress.map { "\(Int($0 * 100))%" } ?? "-",
                     t.startedAt.map { RunProgressPrinter.duration((t.finishedAt ?? Date()).timeIntervalSince($0)) } ?? "-",
                     t.message ?? t.progressMessage ?? ""]
                })
            if let logs = detail.logLocation { print("logs:     \(logs)") }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a run's task logs (secrets masked); --follow keeps printing until it ends.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var id: String
        @Argument(help: "Only this task.") var task: String?
        @Flag(help: "Keep printing new lines until the run ends.") var follow = false

        func run() async throws {
            let (ws, p) = try global.session()
            let service = EngineSupport.service(ws)
            let logs = try service.logs(p, runID: id, task: task)
            let keys = logs.map(\.task)
            let (detail, stream) = follow ? try service.watch(p, runID: id, replayLogs: true) : (try service.detail(p, runID: id), nil)
            guard let stream else {
                for log in logs where !log.text.isEmpty || keys.count == 1 {
                    if keys.count > 1 { print("==> \(log.task) <==") }
                    print(log.text, terminator: log.text.hasSuffix("\n") || log.text.isEmpty ? "" : "\n")
                }
                return
            }
            for try await e in stream {
                if case .taskLog(_, let k, let line) = e, keys.contains(k) { print(keys.count > 1 ? "[\(k)] \(line)" : line) }
                if case .runFinished(_, let state, _, _) = e { FileHandle.standardError.write(Data("run \(detail.run.id) \(state.rawValue)\n".utf8)) }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a run: its tasks are stopped (SIGTERM, then SIGKILL).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var id: String

        func run() async throws {
            let (ws, p) = try global.session()
            try await EngineSupport.service(ws).cancel(p, runID: id)
            print("Cancel requested for run \(id).")
        }
    }
}
