import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// `weft-bench engine [--runs N] [--keep]`: the local engine's figures against the targets of issue 3.
///
/// - chain of 10 `true` tasks and 20 parallel `true` tasks with 8 slots: trigger → the run's `.runFinished`
///   event, p50/p90 over N runs (default 30) after one warm-up run;
/// - a 1,000-task graph of `true` with 8 slots: wall time, and the engine process's RSS (VmRSS sampled while it
///   runs, VmHWM after);
/// - event latency, task exit → watcher event: each task runs `exec date +%s%N` (its last act is printing the
///   time), the watcher subtracts that from the arrival time of the task's `.taskFinished` (so process teardown
///   is included: an upper bound), p50/p99.
enum EngineBenchmark {
    struct Target {
        var name: String
        var limit: Double
        var unit: String
    }

    static func run(arguments: [String]) async -> Int32 {
        var runs = 30
        var keep = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--runs":
                i += 1
                runs = i < arguments.count ? Int(arguments[i]) ?? runs : runs
            case "--keep": keep = true
            case "--child-run":
                // Internal: one chain-of-10 run in a fresh process (see `processRuns`).
                guard i + 1 < arguments.count else { return 2 }
                return await childRun(root: arguments[i + 1])
            case "-h", "--help":
                print("usage: weft-bench engine [--runs N] [--keep]")
                return 0
            default:
                FileHandle.standardError.write(Data("weft-bench engine: unknown argument \(arguments[i])\n".utf8))
                return 2
            }
            i += 1
        }
        do {
            return try await measure(runs: max(20, runs), keep: keep)
        } catch {
            FileHandle.standardError.write(Data("weft-bench engine: \(error)\n".utf8))
            return 1
        }
    }

    private static func measure(runs: Int, keep: Bool) async throws -> Int32 {
        let root = NSTemporaryDirectory() + "weft-bench-engine-\(getpid())"
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
        let metastore = try Metastore(path: root + "/weft.sqlite")
        let engine = try LocalEngine(metastore: metastore)
        let fabric = Fabric(name: "bench", ownerTeam: "bench", stage: .development, kind: .local, slots: 8)
        var counter = 0
        func request(_ job: String, _ tasks: [ResolvedTask]) -> RunRequest {
            counter += 1
            let id = "bench-\(job)-\(counter)"
            return RunRequest(
                runID: id, project: "bench", job: job, fabric: fabric, commit: "bench", trigger: .manual,
                user: "bench", maxConcurrentRuns: 1, tasks: tasks, secretValues: [], dataRoot: root + "/data",
                logDirectory: root + "/runs/\(id)", slotLockDirectory: root + "/slots")
        }
        func trueTask(_ key: String, after: [String] = []) -> ResolvedTask {
            ResolvedTask(key: key, command: ["true"], workingDirectory: root, dependsOn: after)
        }
        let chain = (0..<10).map { trueTask("t\($0)", after: $0 == 0 ? [] : ["t\($0 - 1)"]) }
        let parallel = (0..<20).map { trueTask("p\($0)") }

        print("Weft local engine benchmark (\(runs) runs each; \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        var failures = 0
        func report(_ name: String, _ samples: [Double], target: Double?, percentile: Double = 0.9) {
            let s = samples.sorted()
            let p50 = quantile(s, 0.5)
            let pX = quantile(s, percentile)
            var line =
                "  " + pad(name)
                + String(
                    format: " p50 %7.2f ms   p%.0f %7.2f ms   min %6.2f   max %6.2f", p50, percentile * 100, pX,
                    s.first ?? 0, s.last ?? 0)
            if let target {
                let ok = pX <= target
                if !ok { failures += 1 }
                line += String(format: "   target p%.0f ≤ %.0f ms: %@", percentile * 100, target, ok ? "ok" : "MISSED")
            }
            print(line)
        }

        // Warm-up (first spawn, first SQLite pages, first-use costs).
        _ = try await timeRun(engine, request("warmup", chain))

        var chainTimes: [Double] = []
        for _ in 0..<runs { chainTimes.append(try await timeRun(engine, request("chain10", chain))) }
        report("chain of 10 `true` (trigger → success)", chainTimes, target: 100, percentile: 0.9)

        var parallelTimes: [Double] = []
        for _ in 0..<runs { parallelTimes.append(try await timeRun(engine, request("parallel20", parallel))) }
        report("20 parallel `true`, 8 slots", parallelTimes, target: 50, percentile: 0.9)

        // 1,000 tasks: 100 layers of 10, each task depending on two tasks of the layer before.
        var big: [ResolvedTask] = []
        for layer in 0..<100 {
            for k in 0..<10 {
                let deps = layer == 0 ? [] : ["l\(layer - 1)_\(k)", "l\(layer - 1)_\((k + 3) % 10)"]
                big.append(trueTask("l\(layer)_\(k)", after: deps))
            }
        }
        let rssBefore = ProcessMemory.residentBytes()
        let sampler = RSSSampler()
        sampler.start()
        let bigTime = try await timeRun(engine, request("graph1000", big))
        let peakSampled = sampler.stop()
        let rssAfter = ProcessMemory.residentBytes()
        let bigOK = bigTime < 5000
        if !bigOK { failures += 1 }
        print(
            "  " + pad("1,000-task graph of `true`, 8 slots")
                + String(format: " %7.0f ms (%.2f ms/task)   target < 5000 ms: %@", bigTime, bigTime / 1000, bigOK ? "ok" : "MISSED"))
        let mb = { (b: Int) in Double(b) / 1_048_576 }
        let rssOK = mb(max(peakSampled, rssAfter.current)) < 40
        if !rssOK { failures += 1 }
        print(
            "  " + pad("engine RSS during the 1,000 tasks")
                + String(
                    format: " before %.1f MB, peak %.1f MB (VmHWM %.1f MB)   target < 40 MB: %@", mb(rssBefore.current),
                    mb(max(peakSampled, rssAfter.current)), mb(rssAfter.peak), rssOK ? "ok" : "MISSED"))

        // Event latency: task exit → watcher's taskFinished.
        let dateTask = { (key: String, after: [String]) in
            ResolvedTask(key: key, command: ["date", "+%s%N"], workingDirectory: root, dependsOn: after)
        }
        let chainLatency = try await exitLatencies(
            engine, request("latency-chain", (0..<100).map { dateTask("c\($0)", $0 == 0 ? [] : ["c\($0 - 1)"]) }))
        let parallelLatency = try await exitLatencies(
            engine, request("latency-parallel", (0..<200).map { dateTask("p\($0)", []) }))
        report("  of which a chain of 100", chainLatency.watcher, target: nil, percentile: 0.99)
        report("  of which 200 parallel, 8 slots", parallelLatency.watcher, target: nil, percentile: 0.99)
        report(
            "  (exit handled by the engine, parallel)", parallelLatency.engine, target: nil, percentile: 0.99)
        report(
            "event latency task exit → watcher (\(chainLatency.watcher.count + parallelLatency.watcher.count))",
            chainLatency.watcher + parallelLatency.watcher, target: 10, percentile: 0.99)

        // A whole process per run, as `weft run JOB` is: exec, open the metastore, recover, start the engine,
        // run the chain of 10, exit. (The CLI adds its own work: login, reading the job, the checkout.)
        var processTimes: [Double] = []
        for _ in 0..<10 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = ["engine", "--child-run", root]
            try child.run()
            child.waitUntilExit()
            guard child.terminationStatus == 0 else {
                throw WeftError.failure("the child run failed (exit \(child.terminationStatus))")
            }
            processTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        report("chain of 10 in a fresh process (exec → exit)", processTimes, target: nil, percentile: 0.9)

        print(failures == 0 ? "all targets met" : "\(failures) target(s) missed")
        return failures == 0 ? 0 : 1
    }

    /// The child of the fresh-process measurement: one chain of 10 in the metastore under `root`.
    private static func childRun(root: String) async -> Int32 {
        do {
            let metastore = try Metastore(path: root + "/weft.sqlite")
            try RunRecovery.recover(metastore: metastore)
            let engine = try LocalEngine(metastore: metastore)
            let fabric = Fabric(name: "bench", ownerTeam: "bench", stage: .development, kind: .local, slots: 8)
            let id = "bench-process-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let tasks = (0..<10).map {
                ResolvedTask(key: "t\($0)", command: ["true"], workingDirectory: root, dependsOn: $0 == 0 ? [] : ["t\($0 - 1)"])
            }
            let request = RunRequest(
                runID: id, project: "bench", job: "process-chain10", fabric: fabric, commit: "bench", trigger: .manual,
                user: "bench", maxConcurrentRuns: 1, tasks: tasks, secretValues: [], dataRoot: root + "/data",
                logDirectory: root + "/runs/\(id)", slotLockDirectory: root + "/slots")
            _ = try await timeRun(engine, request)
            return 0
        } catch {
            FileHandle.standardError.write(Data("weft-bench engine --child-run: \(error)\n".utf8))
            return 1
        }
    }

    /// Milliseconds from `startWatching` to the `.runFinished` event; throws unless the run succeeded.
    private static func timeRun(_ engine: LocalEngine, _ request: RunRequest) async throws -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let (_, stream) = try await engine.startWatching(request)
        for try await event in stream {
            if case .runFinished(_, let state, _, let message) = event {
                let t1 = DispatchTime.now().uptimeNanoseconds
                guard state == .success else {
                    throw WeftError.failure("benchmark run \(request.runID) ended \(state): \(message ?? "")")
                }
                return Double(t1 - t0) / 1e6
            }
        }
        throw WeftError.failure("benchmark run \(request.runID) ended without a finish event")
    }

    /// Per task: arrival (wall clock) of `.taskFinished` minus the time the task printed right before exiting.
    private static func exitLatencies(_ engine: LocalEngine, _ request: RunRequest) async throws -> (
        watcher: [Double], engine: [Double]
    ) {
        var printed: [String: Double] = [:]
        var out: [Double] = []
        var engineSide: [Double] = []
        let (_, stream) = try await engine.startWatching(request)
        for try await event in stream {
            let now = Date().timeIntervalSince1970
            switch event {
            case .taskLog(_, let task, let line):
                if let ns = Double(line) { printed[task] = ns / 1e9 }
            case .taskFinished(_, let task, _, _, let at, _):
                if let t = printed[task] {
                    out.append((now - t) * 1000)
                    engineSide.append((at.timeIntervalSince1970 - t) * 1000)
                }
            default: break
            }
        }
        return (out, engineSide)
    }

    private static func pad(_ s: String) -> String {
        s.count >= 44 ? s : s + String(repeating: " ", count: 44 - s.count)
    }

    private static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let i = min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded(.up)))
        return sorted[i]
    }
}

/// Samples VmRSS every 5 ms on its own thread.
final class RSSSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = false

    func start() {
        lock.lock()
        running = true
        lock.unlock()
        let t = Thread { [self] in
            while true {
                let rss = ProcessMemory.residentBytes().current
                lock.lock()
                peak = max(peak, rss)
                let go = running
                lock.unlock()
                if !go { return }
                usleep(5000)
            }
        }
        t.start()
    }

    /// Stops sampling; returns the peak seen (bytes).
    func stop() -> Int {
        lock.lock()
        defer { lock.unlock() }
        running = false
        return peak
    }
}
