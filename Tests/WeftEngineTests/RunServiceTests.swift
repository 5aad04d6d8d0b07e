import Foundation
import Testing
import WeftDomain

@testable import WeftEngine
@testable import WeftStore

@Suite("Run service and drivers", .serialized, .timeLimit(.minutes(2)))
struct RunServiceTests {
    @Test func aRunReadsItsJobAndPipelinesAtTheRevisionItStartedWith() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let before = try fx.ws.headCommit(project: "probe")
        let (detail, stream) = try await service.startWatching(.user(fx.alice), StartRunRequest(job: "probe/gated"))
        // The run is recorded; now a commit changes the configuration its pipeline task will read.
        _ = try fx.ws.setPipelineConfig(fx.alice, "probe/echo_cfg", instance: "development", assignments: ["greeting=hello-two"])
        let after = try fx.ws.headCommit(project: "probe")
        #expect(after != before)
        fx.openGate()
        let events = try await collect(stream)
        #expect(events.last?.isFinished == true)
        let run = try #require(try fx.ws.metastore.run(id: detail.run.id))
        #expect(run.state == .success)
        #expect(run.commit == before)
        #expect(run.release == nil)
        #expect(run.revision.label == "HEAD \(before.prefix(10)), not released")
        let log = try service.logs(fx.alice, runID: run.id, task: "echo").first?.text ?? ""
        #expect(log.contains("greeting=hello-one"), "the task read the configuration of the commit it started with: \(log)")
        #expect(!log.contains("hello-two"))
    }

    @Test func aCommitNamedByTheOwnerMustBeInTheProjectsHistory() throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        #expect(throws: WeftError.self) {
            _ = try service.plan(.user(fx.alice), StartRunRequest(job: "probe/gated", revision: .commit(String(repeating: "a", count: 40))))
        }
        let head = try fx.ws.headCommit(project: "probe")
        let plan = try service.plan(.user(fx.alice), StartRunRequest(job: "probe/gated", revision: .commit(head)))
        #expect(plan.revision == RunRevision(commit: head))
        // The plan is a value: engine-neutral tasks, secrets as references, nothing of this machine's paths.
        #expect(plan.tasks.map(\.key) == ["gate", "echo"])
        #expect(plan.tasks[1].pipeline == PlannedPipeline(name: "echo_cfg", kind: .python, entry: "main.py", directory: "pipelines/echo_cfg"))
        #expect(plan.tasks[1].config == ["greeting": .string("hello-one")])
        let json = String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
        #expect(!json.contains(fx.root))
    }

    /// A plan handed back to start a run (the one shown and confirmed) is checked again, not trusted: another
    /// user's plan, one moved onto a fabric its user may not run on, or one with a run id that is not Weft's
    /// starts nothing.
    @Test func aPlanGivenBackIsAuthorizedAgain() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let request = StartRunRequest(job: "probe/gated")
        let alicesPlan = try service.plan(.user(fx.alice), request)
        await #expect(throws: WeftError.self) { _ = try await service.startWatching(.user(fx.bob), request, planned: alicesPlan) }
        var moved = alicesPlan
        moved.fabric = try fx.ws.fabric("production")
        await #expect(throws: WeftError.self) { _ = try await service.startWatching(.user(fx.alice), request, planned: moved) }
        var badID = alicesPlan
        badID.runID = "../../production/runs/r1"
        await #expect(throws: WeftError.self) { _ = try await service.startWatching(.user(fx.alice), request, planned: badID) }
        var otherJob = alicesPlan
        otherJob.job = "other"
        await #expect(throws: WeftError.self) { _ = try await service.startWatching(.user(fx.alice), request, planned: otherJob) }
        #expect(try fx.ws.metastore.runs().isEmpty)
    }

    @Test func aRunIDThatIsNotWeftsIsRefused() throws {
        let fx = try ServiceFixture()
        for bad in ["../../production/runs/r1", "r20261201-120000-0a1b2c/..", "x", "r20261201-120000-0A1B2C"] {
            #expect(throws: WeftError.self, "\(bad)") { _ = try fx.service().plan(.user(fx.alice), StartRunRequest(job: "probe/gated", runID: bad)) }
        }
        let ok = Workspace.newRunID()
        #expect(try fx.service().plan(.user(fx.alice), StartRunRequest(job: "probe/gated", runID: ok)).runID == ok)
    }

    @Test func eachFabricRunsInAReadOnlyExportOfItsOwn() throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let dev = LocalDriver(workspace: fx.ws)
        let plan = try service.plan(.user(fx.alice), StartRunRequest(job: "probe/gated"))
        let request = try dev.resolve(plan)
        let echo = try #require(request.tasks.first { $0.key == "echo" })
        #expect(echo.workingDirectory.hasPrefix(fx.ws.root + "/fabrics/development/checkouts/probe/\(plan.revision.commit)/"))
        let attributes = try FileManager.default.attributesOfItem(atPath: echo.workingDirectory + "/main.py")
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        #expect(mode & 0o222 == 0, "the export's files are read-only")
        // The plan was read from Weft's own export, which no task runs in.
        #expect(FileManager.default.fileExists(atPath: fx.ws.root + "/checkouts/probe/\(plan.revision.commit)/jobs/gated.yaml"))
    }

    @Test func startAndCancelAreAuditedOnceAndOnlyForTheFabricsTeam() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let carol = Principal(user: User(name: "carol"), teams: [])
        for p in [fx.admin, carol] {
            let mark = try fx.lastAuditID()
            await #expect(throws: WeftError.self) { _ = try await service.start(.user(p), StartRunRequest(job: "probe/slow")) }
            let events = try fx.audit(after: mark)
            #expect(events.map(\.action) == ["run.start"])
            #expect(events.first?.result == .denied)
        }
        let mark = try fx.lastAuditID()
        let (detail, stream) = try await service.startWatching(.user(fx.alice), StartRunRequest(job: "probe/slow"))
        try await eventuallyAsync("the task to print") { try service.logs(fx.alice, runID: detail.run.id).first?.text.contains("started") == true }
        await #expect(throws: WeftError.self) { try await service.cancel(carol, runID: detail.run.id) }
        try await service.cancel(fx.bob, runID: detail.run.id)
        let events = try await collect(stream)
        guard case .runFinished(let id, let state, _, let message)? = events.last else {
            Issue.record("the stream did not end with runFinished: \(events.last.map { "\($0)" } ?? "nothing")")
            return
        }
        #expect(id == detail.run.id && state == .cancelled && message == "cancelled by bob")
        let audit = try fx.audit(after: mark)
        let object = "run \(detail.run.id) of job slow on fabric development"
        #expect(audit.map { [$0.user, $0.action, $0.object, $0.result.rawValue] } == [
            ["alice", "run.start", object, "allowed"],
            ["carol", "run.cancel", object, "denied"],
            ["bob", "run.cancel", object, "allowed"],
        ])
        #expect(audit.first?.detail == "manual run of slow, \(detail.run.revision.label)")
        #expect(audit.allSatisfy { $0.fabric == "development" && $0.project == "probe" })
    }

    @Test func theSchedulerStartsOnlyWhatIsDeployedEnabledAndScheduled() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let dev = StartRunRequest(job: "customer_analytics/customers_daily_development", trigger: .schedule, fabric: "development")
        // Enabled with a schedule at HEAD, but nothing deployed: it waits for a release and does not fire.
        #expect(try service.scheduledJobs().isEmpty)
        #expect(try service.waitingForRelease().map(\.job.name).contains("customers_daily_development"))
        await #expect(throws: WeftError.self) { _ = try await service.start(.scheduler, dev) }

        let releases = ReleaseService(workspace: fx.ws, drivers: service.drivers)
        let outcome = try await releases.release(fx.alice, ReleaseRequest(project: "customer_analytics", version: "1.0.0"))
        #expect(outcome.deployments.map(\.fabric) == ["development"])
        #expect(try service.scheduledJobs().map(\.job) == ["customers_daily_development"])
        #expect(try !service.waitingForRelease().map(\.job.name).contains("customers_daily_development"))
        await #expect(throws: WeftError.self) {
            _ = try await service.start(.scheduler, StartRunRequest(job: "probe/slow", trigger: .schedule, fabric: "development"))
        }
        await #expect(throws: WeftError.self) {
            _ = try await service.start(.scheduler, StartRunRequest(job: "customer_analytics/customers_daily_development", trigger: .manual, fabric: "development"))
        }
        let detail = try await service.start(.scheduler, dev)
        #expect(detail.run.user == "scheduler")
        #expect(detail.run.trigger == .schedule)
        #expect(detail.run.release == "1.0.0" && detail.run.commit == outcome.commit)
        await service.shutdown(timeout: 10)
        #expect(try fx.ws.metastore.run(id: detail.run.id)?.state.isFinished == true)
    }

    @Test func aRemoteRunOutlivesItsOwnerAndANewProcessReattachesByExternalID() async throws {
        let fx = try ServiceFixture()
        let remoteRoot = fx.base + "/remote"
        // The first owner: a real process, SIGKILLed once the run is going.
        let ownerPID = try spawnProcess(["/bin/sleep", "60"])
        try eventually("owner to start") { ProcessIdentity.startIdentity(pid: ownerPID) != nil }
        let firstOwner = RunOwner(pid: ownerPID, start: ProcessIdentity.startIdentity(pid: ownerPID) ?? "")
        let first = StandInRemoteDriver(workspace: fx.ws, remoteRoot: remoteRoot, owner: firstOwner)
        let serviceA = fx.service(extra: [first])

        let detail = try await serviceA.start(.user(fx.alice), StartRunRequest(job: "probe/remote_job"))
        let runID = detail.run.id
        #expect(detail.run.driver == "airflow")
        #expect(detail.run.externalID == "ext-\(runID)")
        try await eventuallyAsync("the remote task to run") { try fx.ws.metastore.taskRuns(runID: runID).first?.state == .running }
        // The owner dies; its tracker stops with it (nothing records the run now) — the run goes on remotely.
        kill(ownerPID, SIGKILL)
        reap(ownerPID)
        await serviceA.shutdown(timeout: 1)

        // A process opening the workspace (no adoption) leaves it running; the local driver's recovery does not fail it.
        let opened = RunService.recover(workspace: fx.ws, drivers: .standard(workspace: fx.ws), adopt: false)
        #expect(opened[runID] == nil)
        #expect(try RunRecovery.recover(metastore: fx.ws.metastore).isEmpty)
        let second = StandInRemoteDriver(workspace: fx.ws, remoteRoot: remoteRoot, owner: ProcessIdentity.current)
        let serviceB = fx.service(extra: [second])
        #expect(RunService.recover(workspace: fx.ws, drivers: serviceB.drivers, adopt: false)[runID] == .leftRunning)
        #expect(try fx.ws.metastore.run(id: runID)?.state == .running)

        // A new Weft process reattaches by external id and records the run to its end.
        #expect(serviceB.recover(adopt: true)[runID] == .reattached)
        #expect(try fx.ws.metastore.owner(runID: runID) == ProcessIdentity.current)
        let (_, stream) = try serviceB.watch(fx.alice, runID: runID)
        fx.openGate()
        let events = try await collect(try #require(stream))
        #expect(events.last?.isFinished == true)
        let after = try #require(try fx.ws.metastore.runWithTasks(id: runID))
        #expect(after.0.state == .success)
        #expect(after.0.externalID == "ext-\(runID)")
        #expect(after.1.map(\.state) == [.success, .success])
        #expect(try serviceB.logs(fx.alice, runID: runID, task: "second").first?.text == "second\n")
    }

    @Test func theLocalDriverStillFailsOrphanedRunsAndKillsTheirTasks() async throws {
        let fx = try ServiceFixture()
        let ownerPID = try spawnProcess(["/bin/sleep", "60"])
        try eventually("owner to start") { ProcessIdentity.startIdentity(pid: ownerPID) != nil }
        let owner = RunOwner(pid: ownerPID, start: ProcessIdentity.startIdentity(pid: ownerPID) ?? "")
        kill(ownerPID, SIGKILL)
        reap(ownerPID)

        let runID = "run-local-orphan"
        let task = Process()
        task.executableURL = URL(fileURLWithPath: "/bin/sh")
        task.arguments = ["-c", "sleep 60 & sleep 60; wait"]
        task.environment = ["WEFT_RUN_ID": runID, "PATH": "/usr/bin:/bin"]
        try task.run()
        try eventually("task to start") { processes(ofRun: runID).count >= 2 }
        let run = RunRecord(
            id: runID, project: "probe", job: "slow", fabric: "development", state: .running, trigger: .manual, user: "alice",
            commit: "abc", queuedAt: Date(), startedAt: Date())
        try fx.ws.metastore.insertRun(run, tasks: [TaskRunRecord(runID: runID, key: "wait", state: .running, attempt: 1)], owner: owner)
        try fx.ws.metastore.updateRuns([], tasks: [(TaskRunRecord(runID: runID, key: "wait", state: .running, attempt: 1), pid: task.processIdentifier)])

        #expect(fx.service().recover(adopt: true)[runID] == .failed)
        task.waitUntilExit()
        try eventually("the task group to die") { processes(ofRun: runID).isEmpty }
        let after = try #require(try fx.ws.metastore.runWithTasks(id: runID))
        #expect(after.0.state == .failed)
        #expect(after.1.first?.state == .orphaned)
    }

    @Test func aKindWithoutADriverIsRefusedWithTheKindsThatExist() async throws {
        let fx = try ServiceFixture()
        await #expect(throws: WeftError.invalid(
            "fabrics of kind airflow have no driver in this Weft (kinds it drives: local); use a fabric of one of those kinds")) {
            _ = try await fx.service().start(.user(fx.alice), StartRunRequest(job: "probe/remote_job"))
        }
    }
}
