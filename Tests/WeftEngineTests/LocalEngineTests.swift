import Foundation
import Testing
import WeftDomain
import WeftStore

@testable import WeftEngine

@Suite("LocalEngine", .timeLimit(.minutes(1)))
struct LocalEngineTests {
    @Test func diamondGraphRunsInDependencyOrder() async throws {
        let fx = try EngineFixture()
        let marks = fx.root + "/order"
        let req = fx.request([
            sh("a", "echo a >> \(marks)"),
            sh("b", "echo b >> \(marks)", after: ["a"]),
            sh("c", "echo c >> \(marks)", after: ["a"]),
            sh("d", "echo d >> \(marks)", after: ["b", "c"]),
        ])
        let (run, tasks, events) = try await runToEnd(fx, req)
        #expect(run.state == .success)
        #expect(tasks.allSatisfy { $0.state == .success && $0.exitCode == 0 && $0.attempt == 1 })
        let order = try String(contentsOfFile: marks, encoding: .utf8).split(separator: "\n")
        #expect(order.first == "a" && order.last == "d" && Set(order[1...2]) == ["b", "c"])
        #expect(events.last?.isFinished == true)
        if case .snapshot = events.first {} else { Issue.record("first event must be a snapshot") }
    }

    @Test func failureSkipsAllSuccessButRunsAllDone() async throws {
        let fx = try EngineFixture()
        let req = fx.request([
            sh("bad", "echo boom; exit 3"),
            sh("strict", "true", after: ["bad"]),
            sh("cleanup", "true", after: ["bad"], runIf: .allDone),
            sh("after_strict", "true", after: ["strict"], runIf: .allDone),
        ])
        let (run, tasks, _) = try await runToEnd(fx, req)
        #expect(run.state == .failed)
        #expect(run.message?.contains("bad") == true)
        #expect(tasks[key: "bad"]?.state == .failed)
        #expect(tasks[key: "bad"]?.exitCode == 3)
        #expect(tasks.state("strict") == .skipped)
        #expect(tasks.state("cleanup") == .success)
        #expect(tasks.state("after_strict") == .success)
        let log = try String(contentsOfFile: fx.logPath(req, "bad"), encoding: .utf8)
        #expect(log.contains("boom"))
    }

    @Test func retriesThenSuccess() async throws {
        let fx = try EngineFixture()
        let counter = fx.root + "/count"
        // Fails on attempts 1 and 2, succeeds on 3.
        let script = "n=$(cat \(counter) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(counter); [ $n -ge 3 ]"
        let req = fx.request([sh("flaky", script, retries: 2)])
        let (run, tasks, events) = try await runToEnd(fx, req)
        #expect(run.state == .success)
        #expect(tasks[key: "flaky"]?.attempt == 3)
        let retries = events.filter { if case .taskRetrying = $0 { return true } else { return false } }
        #expect(retries.count == 2)
        let log = try String(contentsOfFile: fx.logPath(req, "flaky"), encoding: .utf8)
        #expect(log.components(separatedBy: "attempt").count - 1 >= 6)  // 3 headers + 3 footers
    }

    @Test func retriesExhaustedFails() async throws {
        let fx = try EngineFixture()
        let req = fx.request([sh("never", "exit 1", retries: 1)])
        let (run, tasks, _) = try await runToEnd(fx, req)
        #expect(run.state == .failed)
        #expect(tasks[key: "never"]?.attempt == 2)
        #expect(tasks[key: "never"]?.message?.contains("after 2 attempts") == true)
    }

    @Test func timeoutStopsTheTask() async throws {
        let fx = try EngineFixture()
        let start = Date()
        let req = fx.request([sh("slow", "sleep 30", timeout: 0.3)])
        let (run, tasks, _) = try await runToEnd(fx, req)
        #expect(run.state == .failed)
        #expect(tasks[key: "slow"]?.message?.contains("timed out") == true)
        #expect(Date().timeIntervalSince(start) < 5)
        expectRunProcessesGone(req.runID)
    }

    @Test func cancelMidRunLeavesNoProcesses() async throws {
        let fx = try EngineFixture()
        let req = fx.request([
            sh("first", "sleep 30 & sleep 30; wait"),
            sh("second", "sleep 30"),
            sh("later", "true", after: ["first"]),
        ])
        _ = try await fx.engine.start(req)
        let stream = fx.engine.events(runID: req.runID)
        let events = try await withTimeout(20, "cancel") {
            var out: [RunEvent] = []
            // Both tasks may already run when the watcher attaches: its snapshot counts them.
            var running = Set<String>()
            var cancelled = false
            for try await e in stream {
                out.append(e)
                if case .snapshot(_, let tasks) = e { running.formUnion(tasks.filter { $0.state == .running }.map(\.key)) }
                if case .taskStarted(_, let key, _, _) = e { running.insert(key) }
                if running.count == 2 && !cancelled {
                    cancelled = true
                    try await fx.engine.cancel(runID: req.runID)
                }
            }
            return out
        }
        guard case .runFinished(_, let state, _, _) = events.last else {
            Issue.record("no runFinished")
            return
        }
        #expect(state == .cancelled)
        let tasks = try fx.metastore.taskRuns(runID: req.runID)
        #expect(tasks.state("first") == .cancelled)
        #expect(tasks.state("second") == .cancelled)
        #expect(tasks.state("later") == .cancelled)
        #expect(try fx.metastore.run(id: req.runID)?.state == .cancelled)
        expectRunProcessesGone(req.runID)
    }

    @Test func cancelEscalatesToSIGKILL() async throws {
        let fx = try EngineFixture(options: LocalEngineOptions(killGracePeriod: 0.3, retryBackoff: 0.05))
        let req = fx.request([sh("stubborn", "trap '' TERM; echo ready; while :; do sleep 0.05; done")])
        _ = try await fx.engine.start(req)
        let stream = fx.engine.events(runID: req.runID)
        let events = try await withTimeout(20, "cancel") {
            var out: [RunEvent] = []
            for try await e in stream {
                out.append(e)
                if case .taskLog(_, _, "ready") = e { try await fx.engine.cancel(runID: req.runID) }
            }
            return out
        }
        guard case .runFinished(_, .cancelled, _, _) = events.last else {
            Issue.record("expected cancelled, got \(String(describing: events.last))")
            return
        }
        expectRunProcessesGone(req.runID)
    }

    @Test func maxConcurrentRunsQueuesTheSecondRun() async throws {
        let fx = try EngineFixture()
        let marks = fx.root + "/marks"
        let script = "echo start $WEFT_RUN_ID >> \(marks); sleep 0.3; echo end $WEFT_RUN_ID >> \(marks)"
        let r1 = fx.request([sh("t", script)], runID: "run-one", maxConcurrentRuns: 1)
        let r2 = fx.request([sh("t", script)], runID: "run-two", maxConcurrentRuns: 1)
        _ = try await fx.engine.start(r1)
        _ = try await fx.engine.start(r2)
        let s1 = fx.engine.events(runID: r1.runID)
        let s2 = fx.engine.events(runID: r2.runID)
        var sawQueuedMessage = false
        for e in try await collect(s2) {
            if case .snapshot(let r, _) = e, r.message?.contains("max_concurrent_runs") == true {
                sawQueuedMessage = true
            }
        }
        _ = try await collect(s1)
        #expect(sawQueuedMessage)
        let lines = try String(contentsOfFile: marks, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == ["start run-one", "end run-one", "start run-two", "end run-two"])
        #expect(try fx.metastore.run(id: "run-two")?.state == .success)
    }

    @Test func cancellingAQueuedRunAndAFinishedRun() async throws {
        let fx = try EngineFixture()
        let gate = fx.root + "/gate"
        let first = fx.request([sh("t", "while [ ! -e \(gate) ]; do sleep 0.02; done")], runID: "run-a")
        let second = fx.request([sh("t", "true"), sh("u", "true", after: ["t"])], runID: "run-b")
        let (_, s1) = try await fx.engine.startWatching(first)
        let (_, s2) = try await fx.engine.startWatching(second)
        try await fx.engine.cancel(runID: "run-b")
        let e2 = try await collect(s2)
        guard case .runFinished(_, .cancelled, _, _) = e2.last else {
            Issue.record("queued run should end cancelled, got \(String(describing: e2.last))")
            return
        }
        #expect(try fx.metastore.taskRuns(runID: "run-b").allSatisfy { $0.state == .cancelled })
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        _ = try await collect(s1)
        #expect(try fx.metastore.run(id: "run-a")?.state == .success)
        await #expect(throws: WeftError.self) { try await fx.engine.cancel(runID: "run-a") }
        await #expect(throws: WeftError.self) { try await fx.engine.cancel(runID: "no-such-run") }
    }

    @Test func slotsAreNeverExceededAcrossRuns() async throws {
        let fx = try EngineFixture(slots: 3)
        let log = fx.root + "/concurrency"
        let lockdir = fx.root + "/counter"
        try FileManager.default.createDirectory(atPath: lockdir, withIntermediateDirectories: true)
        // Each task adds a file to the counter dir, records how many are there, waits, removes its file.
        let script = "touch \(lockdir)/$WEFT_RUN_ID-$WEFT_TASK; ls \(lockdir) | wc -l >> \(log); sleep 0.1; rm \(lockdir)/$WEFT_RUN_ID-$WEFT_TASK"
        let tasks = (0..<8).map { sh("t\($0)", script) }
        let r1 = fx.request(tasks, job: "a", maxConcurrentRuns: 1)
        let r2 = fx.request(tasks, job: "b", maxConcurrentRuns: 1)
        _ = try await fx.engine.start(r1)
        _ = try await fx.engine.start(r2)
        _ = try await collect(fx.engine.events(runID: r1.runID))
        _ = try await collect(fx.engine.events(runID: r2.runID))
        let counts = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        #expect(counts.count == 16)
        #expect(counts.max() ?? 99 <= 3)
        #expect(counts.max() == 3)  // the slots were used
    }

    @Test func secretsNeverReachTheLogAndConfigIsPrivate() async throws {
        let fx = try EngineFixture()
        let secret = "s3cr3t-Pa55"
        let config = Data(#"{"password": "\#(secret)", "n": 1}"#.utf8)
        let script = """
            echo "config: $(cat $WEFT_CONFIG)"; echo "path=$WEFT_CONFIG"; echo "fabric=$WEFT_FABRIC task=$WEFT_TASK"; \
            (echo '{}' > $WEFT_CONFIG) 2>/dev/null && echo "config writable" || echo "config sealed"; \
            echo "again: $(cat $WEFT_CONFIG)"; echo "env secret: \(secret)" >&2
            """
        let req = fx.request([sh("leaky", script, config: config)], secrets: [secret])
        let (run, _, events) = try await runToEnd(fx, req)
        #expect(run.state == .success)
        let log = try String(contentsOfFile: fx.logPath(req, "leaky"), encoding: .utf8)
        #expect(!log.contains(secret))
        #expect(log.contains("****"))
        // A sealed memfd, not a file: nothing on disk to outlive the task or to redirect, and it cannot be changed.
        #expect(log.contains("path=/dev/fd/"), "\(log)")
        #expect(log.contains("config sealed"), "\(log)")
        #expect(log.contains(#"again: {"password": "****", "n": 1}"#), "\(log)")
        #expect(log.contains("fabric=dev task=leaky"))
        for case .taskLog(_, _, let line) in events { #expect(!line.contains(secret)) }
        #expect(((try? FileManager.default.attributesOfItem(atPath: fx.logPath(req, "leaky"))[.posixPermissions]) as? Int) == 0o600)
    }

    @Test func environmentFollowsTheContract() async throws {
        let fx = try EngineFixture()
        var task = sh("env", "env | sort > \(fx.root)/env; pwd >> \(fx.root)/env", cwd: fx.root + "/data")
        task.environment = ["EXTRA": "1", "PATH": "/usr/bin:/bin", "WEFT_TASK": "spoofed"]
        let req = fx.request([task])
        let (run, _, _) = try await runToEnd(fx, req)
        #expect(run.state == .success)
        let lines = try String(contentsOfFile: fx.root + "/env", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.contains("EXTRA=1"))
        #expect(lines.filter { $0.hasPrefix("PATH=") } == ["PATH=/usr/bin:/bin"])
        #expect(lines.filter { $0.hasPrefix("WEFT_TASK=") } == ["WEFT_TASK=env"])
        #expect(lines.contains("WEFT_RUN_ID=\(req.runID)"))
        #expect(lines.contains("WEFT_FABRIC=dev"))
        #expect(lines.contains("WEFT_DATA=\(fx.root)/data"))
        #expect(!lines.contains { $0.hasPrefix("WEFT_CONFIG=") })  // no configuration given
        #expect(!lines.contains { $0.hasPrefix("WEFT_PASSWORD=") })
        #expect(lines.last == fx.root + "/data")
    }

    @Test func progressLinesBecomeEvents() async throws {
        let fx = try EngineFixture()
        let req = fx.request([sh("p", "echo '::progress 0.25 loading'; echo hello; echo '::progress 0.9'")])
        let (_, tasks, events) = try await runToEnd(fx, req)
        let progress = events.compactMap { e -> Double? in
            if case .taskProgress(_, _, let f, _) = e { return f } else { return nil }
        }
        #expect(progress == [0.25, 0.9])
        #expect(events.contains(.taskProgress(runID: req.runID, task: "p", fraction: 0.25, message: "loading")))
        #expect(events.contains(.taskLog(runID: req.runID, task: "p", line: "hello")))
        #expect(tasks[key: "p"]?.progress == 1)
        let log = try String(contentsOfFile: fx.logPath(req, "p"), encoding: .utf8)
        #expect(log.contains("::progress 0.25 loading"))
    }

    @Test func lateWatcherGetsSnapshotThenLiveEvents() async throws {
        let fx = try EngineFixture()
        let gate = fx.root + "/gate"
        let req = fx.request([
            sh("a", "true"),
            sh("b", "while [ ! -e \(gate) ]; do sleep 0.02; done", after: ["a"]),
        ])
        _ = try await fx.engine.start(req)
        // Wait until b runs, through a first watcher.
        let first = fx.engine.events(runID: req.runID)
        try await withTimeout(10, "b to start") {
            for try await e in first { if case .taskStarted(_, "b", _, _) = e { return } }
        }
        let late = fx.engine.events(runID: req.runID)
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        let events = try await collect(late)
        guard case .snapshot(let run, let tasks) = events.first else {
            Issue.record("late watcher must get a snapshot first")
            return
        }
        #expect(run.state == .running)
        #expect(tasks.state("a") == .success)
        #expect(tasks.state("b") == .running)
        #expect(events.last?.isFinished == true)
        // A watcher of a finished run gets the snapshot and ends.
        let after = try await collect(fx.engine.events(runID: req.runID))
        #expect(after.count == 1)
        if case .snapshot(let r, _) = after.first { #expect(r.state == .success) } else { Issue.record("no snapshot") }
    }

    @Test func unknownRunAndBadGraphGiveClearErrors() async throws {
        let fx = try EngineFixture()
        await #expect(throws: WeftError.self) { try await collect(fx.engine.events(runID: "nope")) }
        let cyclic = fx.request([sh("a", "true", after: ["b"]), sh("b", "true", after: ["a"])])
        await #expect(throws: WeftError.self) { try await fx.engine.start(cyclic) }
        let missing = fx.request([
            ResolvedTask(key: "x", command: ["/no/such/binary"], workingDirectory: "/tmp"),
            ResolvedTask(key: "y", command: ["true"], workingDirectory: "/no/such/dir"),
        ])
        let (run, tasks, _) = try await runToEnd(fx, missing)
        #expect(run.state == .failed)
        #expect(tasks[key: "x"]?.message?.contains("cannot start") == true)
        #expect(tasks[key: "y"]?.message?.contains("working directory /no/such/dir does not exist") == true)
    }
}

@Suite("LocalEngine: a task's first line", .timeLimit(.minutes(1)))
struct FirstLineTests {
    /// A task that prints progress at once: its start is published before that line, and the line's progress
    /// stays on the task (the start, reported by the launcher after the task may have written, resets nothing).
    @Test func progressPrintedAtOnceComesAfterTheStartAndStays() async throws {
        let fx = try EngineFixture(slots: 24)
        let gate = fx.root + "/gate"
        let keys = (0..<24).map { "t\($0)" }
        let req = fx.request(
            keys.map { sh($0, "echo '::progress 0.5 half'; while [ ! -e \(gate) ]; do sleep 0.02; done") })
        let (_, stream) = try await fx.engine.startWatching(req)
        let engine = fx.engine
        let events = try await withTimeout(20, "the run") {
            var out: [RunEvent] = []
            var progressed = Set<String>()
            for try await e in stream {
                out.append(e)
                if case .taskProgress(_, let key, _, _) = e {
                    progressed.insert(key)
                    if progressed.count == keys.count {
                        // Every task has printed; what the engine holds for each still says so.
                        let tasks = engine.snapshot(runID: req.runID)?.1 ?? []
                        let lost = keys.filter { tasks[key: $0]?.progress != 0.5 || tasks[key: $0]?.progressMessage != "half" }
                        #expect(lost.isEmpty, "progress lost on \(lost)")
                        _ = FileManager.default.createFile(atPath: gate, contents: nil)
                    }
                }
            }
            return out
        }
        #expect(events.last?.isFinished == true)
        for key in keys {
            let started = events.firstIndex { if case .taskStarted(_, key, _, _) = $0 { return true } else { return false } }
            let firstLine = events.firstIndex { if case .taskLog(_, key, _) = $0 { return true } else { return false } }
            #expect(started != nil && firstLine != nil && started! < firstLine!, "\(key): started at \(String(describing: started)), first line at \(String(describing: firstLine))")
        }
        let stored = try fx.metastore.taskRuns(runID: req.runID)
        #expect(stored.allSatisfy { $0.state == .success && $0.progress == 1 })
    }
}

@Suite("LocalEngine: the task launcher", .timeLimit(.minutes(1)))
struct TaskLauncherTests {
    /// The small `weft-launcher` built beside the tests is the one used by default.
    @Test func theSmallLauncherBesideTheProgramIsPreferred() throws {
        let path = try #require(SandboxSupport.launcherPath, "no launcher found next to the tests")
        if ProcessInfo.processInfo.environment["WEFT_LAUNCHER"] == nil {
            #expect((path as NSString).lastPathComponent == "weft-launcher")
        }
    }

    /// Both launchers start a run's tasks, one after another and side by side; each task's parent (its keeper, a
    /// fork of the launcher) is the launcher asked for.
    @Test(arguments: ["weft-launcher", "weft"])
    func eitherLauncherRunsTheTasks(launcher: String) async throws {
        let dir = try #require(SandboxSupport.launcherPath.map { ($0 as NSString).deletingLastPathComponent })
        let path = (dir as NSString).appendingPathComponent(launcher)
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is not built")
        var options = LocalEngineOptions(killGracePeriod: 1, retryBackoff: 0.05)
        options.launcherPath = path
        let fx = try EngineFixture(options: options)
        let parent = "tr '\\000' ' ' < /proc/$PPID/cmdline; echo"
        let req = fx.request([sh("a", parent), sh("b", parent, after: ["a"]), sh("c", parent, after: ["a"])])
        let (run, tasks, events) = try await runToEnd(fx, req)
        #expect(run.state == .success)
        #expect(tasks.allSatisfy { $0.state == .success })
        let lines = events.compactMap { e -> String? in if case .taskLog(_, _, let l) = e { return l } else { return nil } }
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.hasPrefix(path + " __task-launcher ") }, "\(lines)")
    }

    /// A `weft-launcher` that is not installed like the program beside it (writable by others) is not used.
    @Test func aLauncherOthersCouldWriteIsNotUsed() throws {
        let dir = NSTemporaryDirectory() + "weft-launcher-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exe = dir + "/weft"
        let launcher = dir + "/weft-launcher"
        for path in [exe, launcher] { #expect(FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8))) }
        chmod(exe, 0o755)
        chmod(launcher, 0o755)
        #expect(SandboxSupport.installedAlike(launcher, exe))
        chmod(launcher, 0o775)
        #expect(!SandboxSupport.installedAlike(launcher, exe))
        chmod(launcher, 0o757)
        #expect(!SandboxSupport.installedAlike(launcher, exe))
    }

    @Test func theSmallLauncherRefusesToStartByHand() throws {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = ((exe as NSString).deletingLastPathComponent as NSString).appendingPathComponent("weft-launcher")
        try #require(FileManager.default.isExecutableFile(atPath: path), "\(path) is not built")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = []
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("started by Weft's local engine only"))
    }
}
