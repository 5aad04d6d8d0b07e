import Foundation
import Testing
import WeftDomain
import WeftStore

@testable import WeftEngine

/// A fabric's `slots` and a job's `max_concurrent_runs` hold across processes on one workspace: slot lock files
/// (flock) and the atomic check in `Metastore.insertRun`. flock locks belong to open file descriptions, so two
/// engines (or an engine and the test) in one process contend like two processes; one test uses real `weft`
/// processes.
@Suite("Cross-process limits", .timeLimit(.minutes(2)))
struct CrossProcessLimitTests {
    /// A task that records when it ran (`<start ns> <end ns>`) in `dir`.
    private func timed(_ key: String, _ dir: String, seconds: Double = 0.1) -> ResolvedTask {
        sh(key, "s=$(date +%s%N); sleep \(seconds); e=$(date +%s%N); echo \"$s $e\" > \"\(dir)/$WEFT_RUN_ID-$WEFT_TASK\"")
    }

    /// The largest number of recorded intervals in `dir` that overlap at one instant.
    private func maxOverlap(_ dir: String) throws -> (max: Int, count: Int) {
        var points: [(Int64, Int)] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        for name in names {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int64($0) }
            guard parts.count == 2 else { continue }
            points.append((parts[0], 1))
            points.append((parts[1], -1))
        }
        // Ends before starts at the same instant.
        points.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var current = 0
        var most = 0
        for (_, d) in points {
            current += d
            most = max(most, current)
        }
        return (most, names.count)
    }

    /// Holds slot lock files like another process would (its own open file descriptions).
    private final class SlotHolder {
        private(set) var fds: [Int32] = []

        init(directory: String, slots: Range<Int>) throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for i in slots {
                let fd = open(directory + "/\(i).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw TimedOut(what: "slot lock \(i)") }
                fds.append(fd)
            }
        }

        func releaseOne() {
            guard let fd = fds.popLast() else { return }
            close(fd)
        }

        func releaseAll() { while !fds.isEmpty { releaseOne() } }

        deinit { releaseAll() }
    }

    private func eventually(_ what: String, timeout: Double = 10, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !condition() {
            if Date() > deadline { throw TimedOut(what: what) }
            usleep(10_000)
        }
    }

    // MARK: slots

    @Test func twoEnginesNeverExceedTheFabricsSlots() async throws {
        let fx = try EngineFixture(slots: 2)
        let other = try LocalEngine(metastore: fx.metastore, options: fx.engine.options)
        let marks = fx.root + "/marks"
        try FileManager.default.createDirectory(atPath: marks, withIntermediateDirectories: true)
        var a = fx.request((0..<6).map { timed("a\($0)", marks) }, job: "a")
        var b = fx.request((0..<6).map { timed("b\($0)", marks) }, job: "b")
        a.slotLockDirectory = fx.root + "/slots"
        b.slotLockDirectory = fx.root + "/slots"
        let (_, sa) = try await fx.engine.startWatching(a)
        let (_, sb) = try await other.startWatching(b)
        async let ea = collect(sa)
        async let eb = collect(sb)
        let (endA, endB) = try await (ea, eb)
        for events in [endA, endB] {
            guard case .runFinished(_, let state, _, _) = events.last else {
                Issue.record("run did not finish: \(events)")
                continue
            }
            #expect(state == .success)
        }
        let overlap = try maxOverlap(marks)
        #expect(overlap.count == 12)
        // Each engine alone allows 2; without the shared lock files the two together would reach 4.
        #expect(overlap.max <= 2)
        #expect(overlap.max >= 1)
        #expect(FileManager.default.fileExists(atPath: fx.root + "/slots/1.lock"))
    }

    @Test func aTaskWaitsWhileOtherProcessesHoldEverySlotAndStartsSoonAfterOneIsFreed() async throws {
        let fx = try EngineFixture(slots: 2)
        let dir = fx.root + "/slots"
        let holder = try SlotHolder(directory: dir, slots: 0..<2)
        var req = fx.request([sh("t", "true")])
        req.slotLockDirectory = dir
        let (_, stream) = try await fx.engine.startWatching(req)
        try await Task.sleep(for: .milliseconds(400))
        #expect(fx.engine.snapshot(runID: req.runID)?.1.state("t") == .pending)
        #expect(processes(ofRun: req.runID).isEmpty)
        let freed = Date()
        holder.releaseOne()
        let events = try await collect(stream)
        let waited = Date().timeIntervalSince(freed)
        guard case .runFinished(_, let state, _, _) = events.last else {
            Issue.record("run did not finish: \(events)")
            return
        }
        #expect(state == .success)
        // The backoff is at most 100 ms; allow for a loaded machine.
        #expect(waited < 1.0, "took \(waited) s after a slot was freed")
    }

    // MARK: max_concurrent_runs

    @Test func aTriggerIsRefusedWhileALiveForeignOwnerHoldsTheJobsRunsAndWorksAfterItDies() async throws {
        let fx = try EngineFixture()
        let foreign = Process()
        foreign.executableURL = URL(fileURLWithPath: "/bin/sleep")
        foreign.arguments = ["60"]
        try foreign.run()
        defer { if foreign.isRunning { kill(foreign.processIdentifier, SIGKILL) } }
        let pid = foreign.processIdentifier
        try eventually("the foreign owner to start") { ProcessIdentity.startIdentity(pid: pid) != nil }
        let owner = RunOwner(pid: pid, start: ProcessIdentity.startIdentity(pid: pid) ?? "")
        let foreignRun = RunRecord(
            id: "r-foreign", project: "proj", job: "job", fabric: "dev", state: .running, trigger: .manual,
            user: "bob", commit: "abc", queuedAt: Date(), startedAt: Date())
        try fx.metastore.insertRun(
            foreignRun, tasks: [TaskRunRecord(runID: "r-foreign", key: "t", state: .pending)], owner: owner)

        let refused = fx.request([sh("t", "true")], job: "job", runID: "r-refused", maxConcurrentRuns: 1)
        do {
            _ = try await fx.engine.start(refused)
            Issue.record("the trigger should have been refused")
        } catch let error as WeftError {
            #expect(error.exitCode == 4)
            #expect(
                error.description
                    == "job already has 1 run in progress (r-foreign, started by bob); max_concurrent_runs is 1 — "
                    + "wait for it or cancel it with 'weft runs cancel r-foreign'")
        }
        #expect(try fx.metastore.run(id: "r-refused") == nil)
        #expect(fx.engine.activeRunIDs.isEmpty)

        // Another job is not affected; with max_concurrent_runs 2 there is room for one more.
        let (_, _, otherJob) = try await runToEnd(fx, fx.request([sh("t", "true")], job: "other"))
        #expect(otherJob.last?.isFinished == true)
        let (roomRun, _, _) = try await runToEnd(fx, fx.request([sh("t", "true")], job: "job", maxConcurrentRuns: 2))
        #expect(roomRun.state == .success)

        kill(pid, SIGKILL)
        foreign.waitUntilExit()
        #expect(try RunRecovery.recover(metastore: fx.metastore) == ["r-foreign"])
        let (run, _, _) = try await runToEnd(fx, fx.request([sh("t", "true")], job: "job", maxConcurrentRuns: 1))
        #expect(run.state == .success)
    }

    @Test func simultaneousTriggersFromManyProcessesAdmitExactlyOne() throws {
        let fx = try EngineFixture()
        let n = 8
        // One metastore (its own connections) and owner per "process"; every owner counts as alive.
        let stores = try (0..<n).map { _ in try Metastore(path: fx.root + "/weft.sqlite") }
        let outcomes = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: n) { i in
            let run = RunRecord(
                id: "r-\(i)", project: "proj", job: "job", fabric: "dev", state: .queued, trigger: .manual,
                user: "u\(i)", commit: "abc", queuedAt: Date())
            do {
                try stores[i].insertRun(
                    run, tasks: [], owner: RunOwner(pid: Int32(900_000 + i), start: "fake"),
                    limit: ConcurrentRunLimit(maxConcurrentRuns: 1) { _ in true })
                outcomes.withLock { $0.append("ok") }
            } catch let error as WeftError {
                outcomes.withLock { $0.append(error.exitCode == 4 ? "refused" : "\(error)") }
            } catch {
                outcomes.withLock { $0.append("\(error)") }
            }
        }
        let all = outcomes.withLock { $0 }
        #expect(all.filter { $0 == "ok" }.count == 1)
        #expect(all.filter { $0 == "refused" }.count == n - 1, "\(all)")
        #expect(try fx.metastore.runs(job: "job").count == 1)
    }

    // MARK: real processes

    @Test func realWeftProcessesShareSlotsAndMaxConcurrentRuns() throws {
        let cli = try CLIProcessWorkspace()
        // This test process holds every slot of the development fabric (4), as another Weft process would.
        let holder = try SlotHolder(directory: cli.root + "/fabrics/development/slots", slots: 0..<4)
        let metastore = try Metastore(path: cli.root + "/weft.sqlite")

        let first = try cli.start(["run", "customers_daily_development", "--follow"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        var firstRun: RunRecord?
        try eventually("the first run to start", timeout: 30) {
            firstRun = try metastore.runs(job: "customers_daily_development", states: [.running]).first
            return firstRun != nil
        }
        guard let firstRun else { return }
        // No slot is free: none of its tasks may start.
        Thread.sleep(forTimeInterval: 0.5)
        let tasks = try metastore.taskRuns(runID: firstRun.id)
        #expect(!tasks.isEmpty)
        #expect(tasks.allSatisfy { $0.state == .pending }, "\(tasks)")
        #expect(processes(ofRun: firstRun.id).isEmpty)

        // A second trigger in another process is refused with the reason and what to do.
        let second = try cli.run(["run", "customers_daily_development"])
        #expect(second.status == 4, "\(second)")
        #expect(
            second.stderr.contains(
                "customers_daily_development already has 1 run in progress (\(firstRun.id), started by alice); "
                    + "max_concurrent_runs is 1 — wait for it or cancel it with 'weft runs cancel \(firstRun.id)'"),
            "\(second)")

        // The owner dies; the next process recovers its run, and a new trigger runs (slots freed) to success.
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        holder.releaseAll()
        let third = try cli.run(["run", "customers_daily_development", "--follow"], timeout: 90)
        #expect(third.status == 0, "\(third)")
        let old = try metastore.run(id: firstRun.id)
        #expect(old?.state == .failed)
        #expect(old?.message?.hasPrefix("orphaned") == true)
    }
}

/// A copy of the demo workspace driven by the `weft` executable next to the test bundle (as the CLI tests do),
/// with alice's session and an isolated HOME/XDG/TMPDIR.
private final class CLIProcessWorkspace: @unchecked Sendable {
    let base: String
    let root: String
    let weft: String

    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    init() throws {
        guard let weft = Self.binary else {
            Issue.record("the weft executable is not next to the test bundle; build it with 'swift build --build-tests'")
            throw TimedOut(what: "the weft executable")
        }
        self.weft = weft
        base = NSTemporaryDirectory() + "weft-limits-test-" + UUID().uuidString
        root = base + "/ws"
        for d in ["home", "xdg-data", "xdg-config", "tmp"] {
            try FileManager.default.createDirectory(atPath: base + "/" + d, withIntermediateDirectories: true)
        }
        try DemoWorkspace.ensure(at: root)
        let ws = try Workspace.open(at: root)
        try ws.startSession(try ws.principal(for: User(name: "alice", isAdmin: false)))
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    static let binary: String? = {
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let bundle = URL(fileURLWithPath: Bundle.main.bundlePath)
        for d in [arg0.deletingLastPathComponent().path, bundle.path, bundle.deletingLastPathComponent().path] {
            let candidate = d + "/weft"
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }()

    private var environment: [String: String] {
        var env: [String: String] = [:]
        for k in ["PATH", "LANG", "LC_ALL"] { if let v = ProcessInfo.processInfo.environment[k] { env[k] = v } }
        env["HOME"] = base + "/home"
        env["XDG_DATA_HOME"] = base + "/xdg-data"
        env["XDG_CONFIG_HOME"] = base + "/xdg-config"
        env["TMPDIR"] = base + "/tmp"
        env["SWIFT_BACKTRACE"] = "enable=no,interactive=no"
        env["NO_COLOR"] = "1"
        return env
    }

    /// Starts `weft ARGS --workspace ROOT` in the background (output discarded).
    func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: weft)
        p.arguments = args + ["--workspace", root]
        p.environment = environment
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs `weft ARGS --workspace ROOT` to its end (bounded), output captured in files.
    func run(_ args: [String], timeout: Double = 60) throws -> Result {
        let id = UUID().uuidString
        let outPath = base + "/out-\(id)"
        let errPath = base + "/err-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: weft)
        p.arguments = args + ["--workspace", root]
        p.environment = environment
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            kill(p.processIdentifier, SIGKILL)
            throw TimedOut(what: "weft \(args.joined(separator: " "))")
        }
        return Result(
            status: p.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
