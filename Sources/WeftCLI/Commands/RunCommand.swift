import ArgumentParser
import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// `weft run JOB [--follow]`: start a run (the play button).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job on its fabric. With --follow, draw live progress until it ends (exit 0 only on success).",
        discussion: """
            Without --follow the run is handed to a background Weft process that owns it until it ends; \
            watch it with 'weft runs show RUN' or 'weft runs logs RUN --follow'.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "JOB or PROJECT/JOB.") var job: String
    @Flag(help: "Stay attached and draw progress bars until the run ends.") var follow = false
    @Option(help: .hidden) var runID: String?
    @Flag(help: .hidden) var owner = false

    func run() async throws {
        let (ws, p) = try global.session()
        let request = try ws.prepareRun(p, job, trigger: .manual, runID: runID)
        if !follow && !owner {
            try detach(ws, request: request)
            return
        }
        let engine = try EngineSupport.engine(ws)
        ws.audit(p.name, Action.runJob.rawValue, .fabric(request.fabric), project: request.project, result: .allowed, detail: "run \(request.runID) of \(request.job)")
        let past = try ws.metastore.pastDurations(project: request.project, job: request.job)
        let printer = RunProgressPrinter(order: TaskGraph.topologicalOrder(request.tasks.map { JobTask(key: $0.key, action: .script(""), dependsOn: $0.dependsOn) }), estimator: RunEstimator(runDurations: past.runs, taskDurations: past.tasks))
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { _ in
            Task { _ = await engine.cancelAll(timeout: 10) }
        }
        defer { withExtendedLifetime(signals) {} }
        let (record, stream) = try await engine.startWatching(request)
        if !owner { print("run \(record.id) of \(record.project)/\(record.job) on fabric \(record.fabric) (commit \(record.commit.prefix(10)))") }
        for try await event in stream where !owner {
            printer.handle(event)
        }
        if owner { return }
        print(printer.summary())
        if printer.finalState != .success { throw ExitCode(1) }
    }

    /// Starts a background owner process for the run and returns once the run is recorded. When the owner
    /// refuses the run (e.g. the job's `max_concurrent_runs` is taken by runs of other processes), its error is
    /// passed on with its exit code.
    func detach(_ ws: Workspace, request: RunRequest) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        // --wait: setsid lives as long as the owner and ends with its exit status, so a refusal's code reaches us.
        p.arguments = ["--wait", CommandLine.arguments[0], "run", job, "--owner", "--run-id", request.runID, "--workspace", ws.root]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        // The owner's errors go to a file read only if it ends before recording the run (unlinked otherwise).
        let errorPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("weft-owner-\(request.runID).err")
        let errorFile = FileManager.default.createFile(atPath: errorPath, contents: nil, attributes: [.posixPermissions: 0o600])
            ? FileHandle(forWritingAtPath: errorPath) : nil
        defer { unlink(errorPath) }
        p.standardError = errorFile ?? FileHandle.nullDevice
        try p.run()
        try? errorFile?.close()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try ws.metastore.run(id: request.runID) != nil {
                print("Started run \(request.runID) of \(request.project)/\(request.job) on fabric \(request.fabric.name).")
                print("Watch it: weft runs show \(request.runID)   ·   weft runs logs \(request.runID) --follow")
                return
            }
            if !p.isRunning { break }
            usleep(20_000)
        }
        if !p.isRunning {
            p.waitUntilExit()
            let text = ((try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let message = text.hasPrefix("weft: ") ? String(text.dropFirst(6)) : text
            if p.terminationStatus == WeftError.conflict("").exitCode, !message.isEmpty {
                throw WeftError.conflict(message)
            }
            if !message.isEmpty { throw WeftError.failure("the run did not start: \(message)") }
        }
        throw WeftError.failure("the run did not start; try 'weft run \(job) --follow' to see why")
    }
}

/// Calls a handler on the main dispatch queue when one of the signals arrives.
final class SignalWatcher {
    private var sources: [any DispatchSourceSignal] = []

    init(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        for s in signals {
            signal(s, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: s, queue: .global())
            src.setEventHandler { handler(s) }
            src.resume()
            sources.append(src)
        }
    }

    deinit {
        for s in sources { s.cancel() }
    }
}
