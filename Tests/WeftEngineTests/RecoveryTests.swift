import Foundation
import Testing
import WeftDomain
import WeftStore

@testable import WeftEngine

@Suite("Recovery, cross-process cancel and following", .timeLimit(.minutes(1)))
struct RecoveryTests {
    /// Starts `argv` (absolute path first) in its own process group (Foundation's Process makes the child a group
    /// leader) with WEFT_RUN_ID set, as a task of a dead owner would be.
    private func startTaskLike(runID: String, _ argv: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        p.environment = ["WEFT_RUN_ID": runID, "PATH": "/usr/bin:/bin"]
        try p.run()
        return p
    }

    /// Waits (bounded) until `condition` holds.
    private func eventually(_ what: String, timeout: Double = 5, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { throw TimedOut(what: what) }
            usleep(10_000)
        }
    }

    @Test func orphanedRunOfAKilledOwnerIsFailedAndItsTasksKilled() async throws {
        let fx = try EngineFixture()
        // The "owner": a real process, identified by pid + start time, then SIGKILLed.
        let ownerProcess = try startTaskLike(runID: "none", ["/bin/sleep", "30"])
        let ownerPID = ownerProcess.processIdentifier
        try eventually("owner to start") { ProcessIdentity.startIdentity(pid: ownerPID) != nil }
        let owner = RunOwner(pid: ownerPID, start: ProcessIdentity.startIdentity(pid: ownerPID) ?? "")
        kill(ownerPID, SIGKILL)
        ownerProcess.waitUntilExit()

        let runID = "run-orphan"
        let task = try startTaskLike(runID: runID, ["/bin/sh", "-c", "sleep 30 & sleep 30; wait"])
        try eventually("task to start") { processes(ofRun: runID).count >= 2 }
        let run = RunRecord(
            id: runID, project: "proj", job: "job", fabric: "dev", state: .running, trigger: .manual, user: "alice",
            commit: "abc", queuedAt: Date(), startedAt: Date())
        try fx.metastore.insertRun(
            run,
            tasks: [
                TaskRunRecord(runID: runID, key: "t", state: .running, attempt: 1, startedAt: Date()),
                TaskRunRecord(runID: runID, key: "u", state: .pending),
                TaskRunRecord(runID: runID, key: "done", state: .success),
            ], owner: owner)
        try fx.metastore.updateRuns(
            [], tasks: [(TaskRunRecord(runID: runID, key: "t", state: .running, attempt: 1), pid: task.processIdentifier)])

        let recovered = try RunRecovery.recover(metastore: fx.metastore)
        #expect(recovered == [runID])
        let after = try fx.metastore.run(id: runID)
        #expect(after?.state == .failed)
        #expect(after?.message == "orphaned: the Weft process that owned this run (pid \(ownerPID)) died")
        let tasks = try fx.metastore.taskRuns(runID: runID)
        #expect(tasks.state("t") == .orphaned)
        #expect(tasks.state("u") == .orphaned)
        #expect(tasks.state("done") == .success)
        task.waitUntilExit()
        try eventually("task processes to go") { processes(ofRun: runID).isEmpty }
        // Nothing left to do: a second recovery is a no-op.
        #expect(try RunRecovery.recover(metastore: fx.metastore).isEmpty)
    }

    @Test func reusedPIDCountsAsDeadAndLiveOwnerIsLeftAlone() async throws {
        let fx = try EngineFixture()
        let me = ProcessIdentity.current
        for (id, owner) in [("run-live", me), ("run-reused", RunOwner(pid: me.pid, start: "other-boot:1"))] {
            try fx.metastore.insertRun(
                RunRecord(
                    id: id, project: "p", job: "j", fabric: "dev", state: .running, trigger: .manual, user: "u",
                    commit: "c", queuedAt: Date()), tasks: [], owner: owner)
        }
        #expect(try RunRecovery.recover(metastore: fx.metastore) == ["run-reused"])
        #expect(try fx.metastore.run(id: "run-live")?.state == .running)
    }

    @Test func cancelThroughTheMetastoreReachesTheOwningEngine() async throws {
        let fx = try EngineFixture()
        let req = fx.request([sh("long", "echo started; sleep 30")])
        let (_, stream) = try await fx.engine.startWatching(req)
        // A second "process": its own Metastore connection, cancelling by request + signal.
        let other = try Metastore(path: fx.root + "/weft.sqlite")
        let events = try await withTimeout(20, "remote cancel") {
            var out: [RunEvent] = []
            for try await e in stream {
                out.append(e)
                if case .taskLog(_, _, "started") = e {
                    try RunCanceller.requestCancel(runID: req.runID, metastore: other, by: "bob")
                }
            }
            return out
        }
        guard case .runFinished(_, .cancelled, _, let message) = events.last else {
            Issue.record("expected cancelled, got \(String(describing: events.last))")
            return
        }
        #expect(message == "cancelled by bob")
        expectRunProcessesGone(req.runID)
    }

    @Test func followerRecoversARunWhoseOwnerDies() async throws {
        let fx = try EngineFixture()
        let ownerProcess = try startTaskLike(runID: "none", ["/bin/sleep", "30"])
        let ownerPID = ownerProcess.processIdentifier
        try eventually("owner to start") { ProcessIdentity.startIdentity(pid: ownerPID) != nil }
        let owner = RunOwner(pid: ownerPID, start: ProcessIdentity.startIdentity(pid: ownerPID) ?? "")
        let runID = "run-owner-dies"
        try fx.metastore.insertRun(
            RunRecord(
                id: runID, project: "p", job: "j", fabric: "dev", state: .running, trigger: .manual, user: "u",
                commit: "c", queuedAt: Date(), startedAt: Date()),
            tasks: [TaskRunRecord(runID: runID, key: "t", state: .running, attempt: 1, startedAt: Date())], owner: owner)
        let follower = RunFollower(metastore: fx.metastore, runID: runID, logDirectory: nil, minInterval: 0.01, maxInterval: 0.02)
        let stream = follower.events()
        kill(ownerPID, SIGKILL)
        ownerProcess.waitUntilExit()
        let events = try await collect(stream, timeout: 10)
        guard case .runFinished(_, .failed, _, let message) = events.last else {
            Issue.record("expected failed (orphaned), got \(String(describing: events.last))")
            return
        }
        #expect(message?.hasPrefix("orphaned") == true)
        #expect(events.contains { if case .taskFinished(_, "t", .orphaned, _, _, _) = $0 { return true } else { return false } })
    }

    @Test func followerSeesAnotherOwnersRun() async throws {
        let fx = try EngineFixture()
        let gate = fx.root + "/gate"
        let req = fx.request([
            sh("a", "echo one; echo '::progress 0.5 half'; while [ ! -e \(gate) ]; do sleep 0.02; done; echo two"),
            sh("b", "echo bee", after: ["a"]),
        ])
        _ = try await fx.engine.start(req)
        let other = try Metastore(path: fx.root + "/weft.sqlite")
        let follower = RunFollower(metastore: other, runID: req.runID, logDirectory: req.logDirectory, minInterval: 0.02)
        let stream = follower.events()
        let seen = SeenEvents()
        let events: [RunEvent]
        do {
            events = try await withTimeout(20, "follower") {
                var out: [RunEvent] = []
                for try await e in stream {
                    out.append(e)
                    seen.add(e)
                    // Open the gate once the task has reported progress (seen live, or already in the snapshot).
                    var progressed = false
                    if case .taskProgress(_, "a", _, _) = e { progressed = true }
                    if case .snapshot(_, let tasks) = e, tasks[key: "a"]?.progress != nil { progressed = true }
                    if progressed { _ = FileManager.default.createFile(atPath: gate, contents: nil) }
                }
                return out
            }
        } catch {
            let owner = fx.engine.snapshot(runID: req.runID).map { "\($0.0.state) \($0.1.map { "\($0.key)=\($0.state)/\($0.progress ?? -1)" })" }
            let stored = try? other.taskRuns(runID: req.runID).map { "\($0.key)=\($0.state)/\($0.progress ?? -1)" }
            Issue.record("\(error); the follower saw: \(seen.summary); the owner's engine: \(owner ?? "no run"); the metastore: \(stored ?? [])")
            return
        }
        if case .snapshot = events.first {} else { Issue.record("first event must be a snapshot") }
        let lines = events.compactMap { e -> String? in if case .taskLog(_, _, let l) = e { return l } else { return nil } }
        #expect(lines.contains("one") && lines.contains("two") && lines.contains("bee"))
        let sawProgress = events.contains { e in
            switch e {
            case .taskProgress(_, "a", 0.5, "half"): return true
            case .snapshot(_, let tasks): return tasks[key: "a"]?.progress == 0.5 && tasks[key: "a"]?.progressMessage == "half"
            default: return false
            }
        }
        #expect(sawProgress)
        #expect(events.contains { if case .taskFinished(_, "b", .success, _, _, _) = $0 { return true } else { return false } })
        guard case .runFinished(_, .success, _, _) = events.last else {
            Issue.record("expected success at the end, got \(String(describing: events.last))")
            return
        }
    }
}

/// What a stream delivered so far, readable when waiting for it times out.
final class SeenEvents: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []
    func add(_ e: RunEvent) { lock.withLock { events.append(String(describing: e).prefix(160).description) } }
    var summary: String { lock.withLock { events.isEmpty ? "nothing" : events.joined(separator: " | ") } }
}
