import Foundation
import Testing
import WeftDomain
import WeftStore

@testable import WeftEngine

/// A tiny real SchedulerSource: fixed jobs, runs recorded in the metastore through a LocalEngine.
final class TestSchedulerSource: SchedulerSource, @unchecked Sendable {
    let fx: EngineFixture
    let jobs: Locked<[ScheduledJob]>
    let started = Locked<[(String, RunTrigger)]>([])

    init(_ fx: EngineFixture, jobs: [ScheduledJob]) {
        self.fx = fx
        self.jobs = Locked(jobs)
    }

    func enabledJobs() async throws -> [ScheduledJob] { jobs.withLock { $0 } }

    func startRun(_ scheduled: ScheduledJob, trigger: RunTrigger) async throws -> RunRecord {
        let job = scheduled.job
        var req = fx.request([sh("t", "true")], job: job, maxConcurrentRuns: 10)
        req.trigger = trigger
        req.user = "scheduler"
        let run = try await fx.engine.start(req)
        started.withLock { $0.append((job, trigger)) }
        return run
    }

    var triggers: [(String, RunTrigger)] { started.withLock { $0 } }
}

@Suite("Scheduler", .timeLimit(.minutes(1)))
struct SchedulerTests {
    let utc = TimeZone(identifier: "UTC") ?? .current

    private func date(_ s: String) -> Date { ISO8601DateFormatter().date(from: s) ?? .distantPast }

    @Test func oneTriggerPerFireTimeAcrossARestart() async throws {
        let fx = try EngineFixture()
        let job = ScheduledJob(project: "p", job: "every5", fabric: "dev", schedule: JobSchedule(cron: "*/5 * * * *"))
        let source = TestSchedulerSource(fx, jobs: [job])
        let lines = Locked<[String]>([])
        func scheduler() -> Scheduler {
            Scheduler(metastore: fx.metastore, source: source, log: { l in lines.withLock { $0.append(l) } })
        }
        let s1 = scheduler()
        let next = await s1.tick(now: date("2026-03-01T10:02:00Z"))  // first sight
        #expect(next == date("2026-03-01T10:05:00Z"))
        #expect(source.triggers.isEmpty)
        await s1.tick(now: date("2026-03-01T10:05:00Z"))
        #expect(source.triggers.count == 1)
        // The same fire time seen again (same scheduler, or a restarted one) does not trigger again.
        await s1.tick(now: date("2026-03-01T10:05:01Z"))
        let s2 = scheduler()
        await s2.tick(now: date("2026-03-01T10:05:02Z"))
        #expect(source.triggers.count == 1)
        // The next fire time, by the restarted scheduler.
        await s2.tick(now: date("2026-03-01T10:10:01Z"))
        #expect(source.triggers.map(\.1) == [.schedule, .schedule])
    }

    @Test func missedFireTimesAreReportedAndCaughtUpOnce() async throws {
        let fx = try EngineFixture()
        let plain = ScheduledJob(project: "p", job: "plain", fabric: "dev", schedule: JobSchedule(cron: "0 * * * *"))
        let catchup = ScheduledJob(
            project: "p", job: "catchup", fabric: "dev", schedule: JobSchedule(cron: "0 * * * *", catchup: true))
        let source = TestSchedulerSource(fx, jobs: [plain, catchup])
        let lines = Locked<[String]>([])
        let log: @Sendable (String) -> Void = { l in lines.withLock { $0.append(l) } }
        await Scheduler(metastore: fx.metastore, source: source, log: log).tick(now: date("2026-03-01T10:30:00Z"))
        // "Down" from 10:30 to 14:20: fire times 11:00, 12:00, 13:00, 14:00 were missed.
        let restarted = Scheduler(metastore: fx.metastore, source: source, log: log)
        await restarted.tick(now: date("2026-03-01T14:20:00Z"))
        #expect(source.triggers.map(\.0) == ["catchup"])
        #expect(source.triggers.map(\.1) == [.catchup])
        let text = lines.withLock { $0 }.joined(separator: "\n")
        #expect(text.contains("missed 4 fire time(s) of p/plain"))
        #expect(text.contains("not run (no catchup)"))
        #expect(text.contains("missed 4 fire time(s) of p/catchup"))
        // Another restart right away: nothing new is due, nothing runs twice.
        await Scheduler(metastore: fx.metastore, source: source, log: log).tick(now: date("2026-03-01T14:21:00Z"))
        #expect(source.triggers.count == 1)
        // Then both fire on time at 15:00.
        await restarted.tick(now: date("2026-03-01T15:00:00Z"))
        #expect(source.triggers.count == 3)
    }

    @Test func runLoopFiresOnTheClockAndStops() async throws {
        let fx = try EngineFixture()
        // Quartz with seconds: every second.
        let job = ScheduledJob(project: "p", job: "secondly", fabric: "dev", schedule: JobSchedule(cron: "* * * * * ?"))
        let source = TestSchedulerSource(fx, jobs: [job])
        let s = Scheduler(metastore: fx.metastore, source: source, reloadInterval: 0.5, log: { _ in })
        let loop = Task { await s.run() }
        try await withTimeout(10, "two scheduled runs") {
            while source.triggers.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        }
        s.stop()
        try await withTimeout(5, "the scheduler to stop") { await loop.value }
        #expect(source.triggers.allSatisfy { $0.1 == .schedule })
    }

    @Test func invalidScheduleIsLoggedOnce() async throws {
        let fx = try EngineFixture()
        let job = ScheduledJob(project: "p", job: "bad", fabric: "dev", schedule: JobSchedule(cron: "61 * * * *"))
        let source = TestSchedulerSource(fx, jobs: [job])
        let lines = Locked<[String]>([])
        let s = Scheduler(metastore: fx.metastore, source: source, log: { l in lines.withLock { $0.append(l) } })
        await s.tick(now: Date())
        await s.tick(now: Date())
        #expect(lines.withLock { $0 }.filter { $0.contains("invalid cron") }.count == 1)
    }
}
