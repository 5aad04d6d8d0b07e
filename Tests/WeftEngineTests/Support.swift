import Foundation
import Testing
import WeftDomain
import WeftStore

@testable import WeftEngine

/// A temp directory with a metastore, and helpers to build run requests.
final class EngineFixture: @unchecked Sendable {
    let root: String
    let metastore: Metastore
    let engine: LocalEngine
    let fabric: Fabric

    init(slots: Int = 4, options: LocalEngineOptions = LocalEngineOptions(killGracePeriod: 1, retryBackoff: 0.05))
        throws
    {
        root = NSTemporaryDirectory() + "weft-engine-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        metastore = try Metastore(path: root + "/weft.sqlite")
        engine = try LocalEngine(metastore: metastore, options: options)
        fabric = Fabric(name: "dev", ownerTeam: "developers", stage: .development, kind: .local, slots: slots)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func request(
        _ tasks: [ResolvedTask], job: String = "job", runID: String = "run-" + UUID().uuidString.prefix(8).lowercased(),
        maxConcurrentRuns: Int = 1, secrets: [String] = [], fabric: Fabric? = nil
    ) -> RunRequest {
        RunRequest(
            runID: runID, project: "proj", job: job, fabric: fabric ?? self.fabric, commit: "abc123", trigger: .manual,
            user: "alice", maxConcurrentRuns: maxConcurrentRuns, tasks: tasks, secretValues: secrets,
            dataRoot: root + "/data", logDirectory: root + "/runs/\(runID)")
    }

    func logPath(_ req: RunRequest, _ task: String) -> String { req.logDirectory + "/\(task).log" }
}

/// A task running a shell command line.
func sh(
    _ key: String, _ script: String, after deps: [String] = [], runIf: RunIf = .allSuccess, retries: Int = 0,
    timeout: Double? = nil, config: Data? = nil, cwd: String = "/tmp"
) -> ResolvedTask {
    ResolvedTask(
        key: key, command: ["/bin/sh", "-c", script], workingDirectory: cwd, configJSON: config, dependsOn: deps,
        runIf: runIf, retries: retries, timeout: timeout)
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body` with a deadline; a hung test fails instead of hanging.
func withTimeout<T: Sendable>(
    _ seconds: Double, _ what: String = "the operation", _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(what: what)
        }
        guard let first = try await group.next() else { throw TimedOut(what: what) }
        group.cancelAll()
        return first
    }
}

/// Collects a stream's events until it ends (bounded).
func collect(
    _ stream: AsyncThrowingStream<RunEvent, any Error>, timeout: Double = 20
) async throws -> [RunEvent] {
    try await withTimeout(timeout, "the run to finish") {
        var out: [RunEvent] = []
        for try await e in stream { out.append(e) }
        return out
    }
}

/// Starts a run and returns all of its events (a watcher attached before start's work begins).
func runToEnd(_ fx: EngineFixture, _ req: RunRequest, timeout: Double = 20) async throws -> (
    RunRecord, [TaskRunRecord], [RunEvent]
) {
    let (_, stream) = try await fx.engine.startWatching(req)
    let events = try await collect(stream, timeout: timeout)
    guard let (run, tasks) = try fx.metastore.runWithTasks(id: req.runID) else {
        throw TimedOut(what: "run row")
    }
    return (run, tasks, events)
}

extension Array where Element == TaskRunRecord {
    func state(_ key: String) -> TaskState? { first { $0.key == key }?.state }
    subscript(key key: String) -> TaskRunRecord? { first { $0.key == key } }
}

extension RunEvent {
    var isFinished: Bool { if case .runFinished = self { return true } else { return false } }
}

/// The run's processes other than its launcher and the launcher's keepers (which exit on their own once they
/// have reported: the launcher on end of input, a keeper right after its task's end).
/// The command line is read before the environment: an exiting keeper, whose memory is already gone, has an
/// empty one, and then no environment either, so it is not taken for a task.
func taskProcesses(ofRun runID: String) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return names.compactMap { Int32($0) }.filter { pid in
        let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
        guard !cmdline.split(separator: "\0").contains(where: { $0 == LaunchChannel.subcommand }) else { return false }
        return processes(among: [pid], ofRun: runID) == [pid]
    }
}

/// A finished run: none of its tasks' processes is left now, and its launcher is gone soon after.
func expectRunProcessesGone(_ runID: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let left = taskProcesses(ofRun: runID).map { pid in
        let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "?"
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? "?"
        return "\(pid) [\(cmdline.replacingOccurrences(of: "\0", with: " "))] \(stat)"
    }
    #expect(left.isEmpty, "task processes outlived their run: \(left)", sourceLocation: sourceLocation)
    let deadline = Date().addingTimeInterval(5)
    while !processes(ofRun: runID).isEmpty && Date() < deadline { usleep(5_000) }
    #expect(processes(ofRun: runID).isEmpty, "the run's launcher outlived it by 5 s", sourceLocation: sourceLocation)
}

/// Processes (pids) whose environment contains `WEFT_RUN_ID=<run>`.
func processes(ofRun runID: String) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return processes(among: names.compactMap { Int32($0) }, ofRun: runID)
}

/// Those of `pids` that are alive (not zombies) and whose environment contains `WEFT_RUN_ID=<run>`.
func processes(among pids: [Int32], ofRun runID: String) -> [Int32] {
    let marker = "WEFT_RUN_ID=\(runID)"
    return pids.filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            stat[stat.index(after: close)...].split(separator: " ").first != "Z"
        else { return false }
        return ProcessIdentity.environment(of: pid, contains: marker)
    }
}
