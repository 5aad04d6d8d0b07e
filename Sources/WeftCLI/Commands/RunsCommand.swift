import ArgumentParser
import Foundation
import WeftDomain
import WeftEngine
import WeftStore

extension RunState: ExpressibleByArgument {}

/// `weft runs list|show|logs|cancel`.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "Run history, logs and cancellation (fabrics of your teams only).",
        subcommands: [List.self, Show.self, Logs.self, Cancel.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only runs of this job (JOB or PROJECT/JOB).") var job: String?
        @Option(help: "Only runs on this fabric.") var fabric: String?
        @Option(help: "Only runs in this state.") var state: RunState?
        @Option(help: "At most this many.") var limit: Int = 30

        func run() throws {
            let (ws, p) = try global.session()
            var fabrics = try ws.readableFabrics(p)
            if let fabric {
                let f = try ws.fabric(fabric)
                try ws.authorize(p, .readRuns, .fabric(f))
                fabrics = [fabric]
            }
            var project: String?, jobName: String?
            if let job {
                let r = try ws.job(p, job)
                let f = try ws.fabric(r.job.fabric)
                try ws.authorize(p, .readRuns, .fabric(f))
                project = r.project
                jobName = r.job.name
            }
            let runs = try ws.metastore.runs(project: project, job: jobName, fabrics: fabrics, states: state.map { [$0] }, limit: limit)
            if global.output == .json { return try global.printJSON(runs) }
            let f = ISO8601DateFormatter()
            Table.print(
                ["RUN", "JOB", "FABRIC", "STATE", "TRIGGER", "BY", "STARTED", "DURATION"],
                runs.map { r in
                    [r.id, r.job, r.fabric, r.state.rawValue, r.trigger.rawValue, r.user, r.startedAt.map { f.string(from: $0) } ?? "-",
                     r.duration().map { RunProgressPrinter.duration($0) } ?? "-"]
                })
        }
    }

    static func load(_ ws: Workspace, _ p: Principal, _ id: String, action: Action = .readRuns) throws -> (RunRecord, [TaskRunRecord]) {
        guard let (run, tasks) = try ws.metastore.runWithTasks(id: id) else {
            throw WeftError.notFound(kind: "run", name: id, hint: "list runs with 'weft runs list'")
        }
        try ws.authorizeRun(p, run, action)
        return (run, tasks)
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run and its tasks.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var id: String

        func run() throws {
            let (ws, p) = try global.session()
            let (r, tasks) = try RunsCommand.load(ws, p, id)
            struct Out: Encodable { var run: RunRecord; var tasks: [TaskRunRecord] }
            if global.output == .json { return try global.printJSON(Out(run: r, tasks: tasks)) }
            print("run:      \(r.id)\njob:      \(r.project)/\(r.job)\nfabric:   \(r.fabric)\nstate:    \(r.state.rawValue)\ntrigger:  \(r.trigger.rawValue) by \(r.user)\ncommit:   \(r.commit)")
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
            print("logs:     \(ws.runDirectory(fabric: r.fabric, runID: r.id))")
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a run's task logs (secrets masked); --follow keeps printing until it ends.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var id: String
        @Argument(help: "Only this task.") var task: String?
        @Flag(help: "Keep printing new lines until the run ends.") var follow = false

        func run() async throws {
            let (ws, p) = try global.session()
            let (r, tasks) = try RunsCommand.load(ws, p, id)
            let dir = ws.runDirectory(fabric: r.fabric, runID: r.id)
            let keys = task.map { [$0] } ?? tasks.map(\.key)
            if let task, !tasks.contains(where: { $0.key == task }) {
                throw WeftError.notFound(kind: "task", name: task, hint: "tasks of this run: \(tasks.map(\.key).joined(separator: ", "))")
            }
            if !follow || r.state.isFinished {
                for k in keys {
                    guard let text = try? String(contentsOfFile: dir + "/\(k).log", encoding: .utf8) else { continue }
                    if keys.count > 1 { print("==> \(k) <==") }
                    print(text, terminator: text.hasSuffix("\n") || text.isEmpty ? "" : "\n")
                }
                return
            }
            let follower = RunFollower(metastore: ws.metastore, runID: r.id, logDirectory: dir, replayBytes: 1 << 20)
            for try await e in follower.events() {
                if case .taskLog(_, let k, let line) = e, keys.contains(k) { print(keys.count > 1 ? "[\(k)] \(line)" : line) }
                if case .runFinished(_, let state, _, _) = e { FileHandle.standardError.write(Data("run \(r.id) \(state.rawValue)\n".utf8)) }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a run: its tasks are stopped (SIGTERM, then SIGKILL).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Run id.") var id: String

        func run() async throws {
            let (ws, p) = try global.session()
            let (r, _) = try RunsCommand.load(ws, p, id, action: .cancelRun)
            let engine = try EngineSupport.engine(ws)
            try await engine.cancel(runID: r.id)
            ws.audit(p.name, Action.cancelRun.rawValue, .run(id: r.id, job: r.job, fabric: try ws.fabric(r.fabric)), project: r.project, result: .allowed)
            print("Cancel requested for run \(r.id).")
        }
    }
}
