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
    @Option(
        help: ArgumentHelp(
            "head, deployed or a release version. Default: head on a development fabric; on qa and production the deployed release, else head (marked not released).",
            valueName: "revision")) var revision: String?
    @Option(help: .hidden) var runID: String?
    @Option(help: .hidden) var commit: String?
    @Flag(help: .hidden) var owner = false
    @Flag(help: "Confirm a run on a production fabric without a terminal (on one, its name is typed instead).") var yes = false

    func validate() throws {
        if !owner && (runID != nil || commit != nil) {
            throw ValidationError("--run-id and --commit are used by Weft's own background owner process only")
        }
    }

    func run() async throws {
        if owner { Self.receivePassword() }
        let (ws, p) = try global.session()
        let service = EngineSupport.service(ws)
        var selector = try revision.map { try RevisionSelector.parse($0) } ?? .stageDefault
        if owner, let commit {
            // The owner runs exactly what its caller planned: that commit, as that release when it was one.
            if case .release = selector {} else { selector = .commit(commit) }
        }
        let request = StartRunRequest(job: job, trigger: .manual, revision: selector, runID: runID)
        // Checked and planned here (a denial or an invalid job is reported at once); a production run is confirmed
        // first. Without --follow the background owner starts it (the owner is never asked: its caller was).
        var planned: RunPlan?
        if owner {
            // The owner runs only what a confirmed `weft run` handed it: on production its caller passes --yes
            // (given, or the fabric's name typed); a hand-made `--owner` call is refused like any unconfirmed run.
            let plan = try service.plan(.user(p), request)
            if plan.fabric.stage == .production && !yes {
                throw WeftError.invalid("run \(plan.project)/\(plan.job) starts on production fabric \(plan.fabric.name); without a terminal to confirm on, add --yes")
            }
            planned = plan
        } else {
            let plan = try service.plan(.user(p), request)
            if plan.fabric.stage == .production {
                let enabled = try? ws.findJob("\(plan.project)/\(plan.job)").job.enabled
                try Confirmation.productionRun(
                    plan.confirmationLines(enabled: enabled, dataRoot: ws.dataRoot(fabric: plan.fabric.name)),
                    fabric: plan.fabric.name, ref: "\(plan.project)/\(plan.job)", yes: yes)
            }
            if !follow {
                try detach(ws, service: service, principal: p, plan: plan)
                return
            }
            planned = plan
        }
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { _ in
            Task { await service.shutdown(timeout: 10) }
        }
        defer { withExtendedLifetime(signals) {} }
        if owner, let commit, case .release = selector, let planned {
            guard planned.revision.commit == commit else {
                throw WeftError.conflict("release \(planned.revision.release ?? "") now points at another commit than the one planned; start the run again")
            }
        }
        let (detail, stream) = try await service.startWatching(.user(p), request, planned: planned)
        let record = detail.run
        if owner {
            for try await _ in stream {}
            return
        }
        let printer = RunProgressPrinter(
            order: detail.tasks.map(\.key), estimator: service.estimator(p, run: record) ?? RunEstimator(runDurations: [], taskDurations: [:]))
        print("run \(record.id) of \(record.project)/\(record.job) on fabric \(record.fabric) (\(record.revision.label))")
        for try await event in stream {
            printer.handle(event)
        }
        print(printer.summary())
        if printer.finalState != .success { throw ExitCode(1) }
    }

    /// The background owner: when its caller signed in with WEFT_USER, the password arrives as one line on stdin
    /// (never in the environment); stdin is /dev/null otherwise.
    static func receivePassword() {
        guard let user = ProcessInfo.processInfo.environment["WEFT_USER"], !user.isEmpty,
            Credentials.value("WEFT_PASSWORD") == nil
        else { return }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while bytes.count < 4096, read(0, &c, 1) == 1, c != 0x0A { bytes.append(c) }
        if !bytes.isEmpty { Credentials.set("WEFT_PASSWORD", String(decoding: bytes, as: UTF8.self)) }
        bytes.withUnsafeMutableBytes { buf in if let b = buf.baseAddress { memset(b, 0, buf.count) } }
    }

    /// Starts a background owner process for the run (of the commit just planned) and returns once the run is
    /// recorded. When the owner refuses the run (e.g. the job's `max_concurrent_runs` is taken by runs of other
    /// processes), its error is passed on with its exit code.
    func detach(_ ws: Workspace, service: RunService, principal: Principal, plan: RunPlan) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        // --wait: setsid lives as long as the owner and ends with its exit status, so a refusal's code reaches us.
        p.arguments = [
            "--wait", CommandLine.arguments[0], "run", "\(plan.project)/\(plan.job)", "--owner", "--run-id", plan.runID,
            "--commit", plan.revision.commit, "--workspace", ws.root,
        ] + (plan.revision.release.map { ["--revision", $0] } ?? []) + (plan.fabric.stage == .production ? ["--yes"] : [])
        // The owner gets no credential in its environment (nor does setsid, which lives as long as it): a user
        // who signed in with WEFT_USER/WEFT_PASSWORD hands the password over on a pipe the owner reads once.
        p.environment = Credentials.childEnvironment()
        let password = ProcessInfo.processInfo.environment["WEFT_USER"].flatMap { $0.isEmpty ? nil : Credentials.value("WEFT_PASSWORD") }
        let passwordPipe = password != nil ? Pipe() : nil
        p.standardInput = passwordPipe ?? FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        // The owner's errors go to a private file (mkstemp: unpredictable name, 0600, created exclusively) that is
        // unlinked at once: nothing of it outlives the owner, and it is read only if the owner ends before
        // recording the run.
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("weft-owner-XXXXXX")).utf8CString)
        let errorFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        var readFD: Int32 = -1
        if errorFD >= 0 {
            _ = fcntl(errorFD, F_SETFD, FD_CLOEXEC)
            let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            readFD = open(path, O_RDONLY | O_CLOEXEC)
            unlink(path)
        }
        defer { if readFD >= 0 { close(readFD) } }
        let errorFile = errorFD >= 0 ? FileHandle(fileDescriptor: errorFD, closeOnDealloc: true) : nil
        p.standardError = errorFile ?? FileHandle.nullDevice
        try p.run()
        try? errorFile?.close()
        if let passwordPipe, let password {
            // A pipe's buffer (64 KiB) holds it: this never blocks, even if the owner died at once.
            signal(SIGPIPE, SIG_IGN)
            try? passwordPipe.fileHandleForWriting.write(contentsOf: Data((password + "\n").utf8))
            try? passwordPipe.fileHandleForWriting.close()
            try? passwordPipe.fileHandleForReading.close()
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? service.detail(principal, runID: plan.runID)) != nil {
                print("Started run \(plan.runID) of \(plan.project)/\(plan.job) on fabric \(plan.fabric.name) (\(plan.revision.label)).")
                print("Watch it: weft runs show \(plan.runID)   ·   weft runs logs \(plan.runID) --follow")
                return
            }
            if !p.isRunning { break }
            usleep(20_000)
        }
        if !p.isRunning {
            p.waitUntilExit()
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while readFD >= 0, bytes.count < 65_536 {
                let n = read(readFD, &buffer, buffer.count)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
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
