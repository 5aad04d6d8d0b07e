import Foundation
import WeftDomain
import WeftStore

/// An enabled, scheduled job the scheduler fires.
public struct ScheduledJob: Sendable, Hashable {
    /// The project holding the job.
    public var project: String
    /// The job's name.
    public var job: String
    /// The fabric the job runs on.
    public var fabric: String
    /// Cron expression, timezone and catch-up flag.
    public var schedule: JobSchedule

    /// A scheduled job.
    public init(project: String, job: String, fabric: String, schedule: JobSchedule) {
        self.project = project
        self.job = job
        self.fabric = fabric
        self.schedule = schedule
    }

    /// `project/job`.
    public var qualifiedName: String { "\(project)/\(job)" }
}

/// What the scheduler needs from the workspace: the jobs to fire and a way to start a run.
public protocol SchedulerSource: Sendable {
    /// Enabled jobs with a schedule, on fabrics this scheduler serves (local ones).
    func enabledJobs() async throws -> [ScheduledJob]
    /// Starts a run of a job (as the user "scheduler") and returns it once recorded.
    func startRun(_ job: ScheduledJob, trigger: RunTrigger) async throws -> RunRecord
}

/// Fires every enabled job at its cron fire times (`weft scheduler`).
///
/// - One trigger per fire time, even across restarts and with two schedulers: a fire time is claimed in
///   `scheduler_state` (compare-and-set on `last_fire`) before the run starts.
/// - Fire times missed while no scheduler ran are logged; a job whose schedule has `catchup: true` runs once for
///   them (trigger `catchup`) at start. A fire time up to `lateTolerance` late still counts as on time.
/// - A job seen for the first time starts counting from now (no catch-up for times before it was known).
/// - The job list is re-read at least every `reloadInterval` seconds, so new, changed and disabled jobs are
///   picked up without a restart.
/// - `stop()` (or cancelling the task that awaits `run()`) ends the loop; running runs are not touched
///   (the caller decides: wait for them, or `LocalEngine.cancelAll`).
public final class Scheduler: Sendable {
    /// Where fire times are claimed (`scheduler_state`).
    public let metastore: Metastore
    /// The jobs to fire and how to start their runs.
    public let source: any SchedulerSource
    /// Longest sleep (seconds) before the job list is read again.
    public let reloadInterval: TimeInterval
    /// How late (seconds) a fire time may be handled and still count as on time rather than missed.
    public let lateTolerance: TimeInterval
    private let log: @Sendable (String) -> Void
    private let now: @Sendable () -> Date
    private let state = Locked(SchedulerState())

    private struct SchedulerState {
        var loop: Task<Void, Never>?
        var stopped = false
        var reportedInvalid: Set<String> = []
    }

    /// - Parameters:
    ///   - log: receives one line per thing the scheduler does (fired, missed, skipped, errors).
    ///   - now: the clock (injectable for tests).
    public init(
        metastore: Metastore, source: any SchedulerSource, reloadInterval: TimeInterval = 60,
        lateTolerance: TimeInterval = 60, log: @escaping @Sendable (String) -> Void,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.metastore = metastore
        self.source = source
        self.reloadInterval = reloadInterval
        self.lateTolerance = lateTolerance
        self.log = log
        self.now = now
    }

    /// Runs until `stop()` is called or the calling task is cancelled.
    public func run() async {
        let loop = Task { [self] in
            log("scheduler started (pid \(getpid()))")
            while !Task.isCancelled {
                let t = now()
                let next = await tick(now: t)
                let wait = min(max(0, (next ?? .distantFuture).timeIntervalSince(now())), reloadInterval)
                do { try await Task.sleep(for: .seconds(max(0.001, wait))) } catch { break }
            }
            log("scheduler stopped")
        }
        let alreadyStopped = state.withLock { s -> Bool in
            s.loop = loop
            return s.stopped
        }
        if alreadyStopped { loop.cancel() }
        await withTaskCancellationHandler {
            await loop.value
        } onCancel: {
            loop.cancel()
        }
    }

    /// Ends `run()` (safe from any thread, e.g. a SIGTERM handler).
    public func stop() {
        let loop = state.withLock { s -> Task<Void, Never>? in
            s.stopped = true
            return s.loop
        }
        loop?.cancel()
    }

    /// Runs `run()` until SIGTERM or SIGINT arrives, then stops cleanly. For `weft scheduler`.
    public func runUntilTerminated() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [self] in
                log("received \(sig == SIGTERM ? "SIGTERM" : "SIGINT"); stopping")
                stop()
            }
            s.resume()
            return s
        }
        await run()
        for s in sources { s.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }

    /// One pass at time `now`: fires what is due, reports what was missed. Returns the next fire time of any job.
    @discardableResult
    public func tick(now: Date) async -> Date? {
        let jobs: [ScheduledJob]
        do {
            jobs = try await source.enabledJobs()
        } catch {
            log("cannot list enabled jobs: \(error); retrying in \(Int(reloadInterval)) s")
            return nil
        }
        var earliest: Date?
        for job in jobs {
            if let next = await handle(job, now: now) {
                earliest = min(earliest ?? next, next)
            }
        }
        return earliest
    }

    /// Fires one job if due; returns its next fire time after `now`.
    private func handle(_ job: ScheduledJob, now: Date) async -> Date? {
        let cron: CronSchedule
        do {
            cron = try CronSchedule(parsing: job.schedule.cron)
        } catch {
            reportInvalidOnce(job, "invalid cron '\(job.schedule.cron)': \(error); fix the job's schedule")
            return nil
        }
        guard let zone = TimeZone(identifier: job.schedule.timezone) else {
            reportInvalidOnce(
                job, "unknown timezone '\(job.schedule.timezone)'; use an IANA name such as Europe/Paris")
            return nil
        }
        do {
            guard let last = try metastore.lastFire(project: job.project, job: job.job) else {
                // First sight: count from now.
                _ = try metastore.claimFire(project: job.project, job: job.job, fire: now)
                let next = cron.next(after: now, in: zone)
                log("watching \(job.qualifiedName) (\(job.schedule.cron) \(job.schedule.timezone)); next \(Self.text(next, zone))")
                return next
            }
            var due: [Date] = []
            var cursor = last
            while due.count < 10_000, let n = cron.next(after: cursor, in: zone), n <= now {
                due.append(n)
                cursor = n
            }
            if let latest = due.last {
                let onTime = due.count == 1 && now.timeIntervalSince(latest) <= lateTolerance
                if onTime {
                    if try metastore.claimFire(project: job.project, job: job.job, fire: latest) {
                        await trigger(job, .schedule, because: "fire time \(Self.text(latest, zone))")
                    }
                } else {
                    let count = due.count >= 10_000 ? "10000+" : "\(due.count)"
                    log(
                        "missed \(count) fire time(s) of \(job.qualifiedName) while the scheduler was not running "
                            + "(\(Self.text(due.first, zone)) … \(Self.text(latest, zone)))"
                            + (job.schedule.catchup ? "; running it once now (catchup)" : "; not run (no catchup)"))
                    if try metastore.claimFire(project: job.project, job: job.job, fire: latest), job.schedule.catchup {
                        await trigger(job, .catchup, because: "catch-up for \(Self.text(latest, zone))")
                    }
                }
            }
            return cron.next(after: max(now, due.last ?? last), in: zone)
        } catch {
            log("\(job.qualifiedName): \(error)")
            return nil
        }
    }

    private func trigger(_ job: ScheduledJob, _ trigger: RunTrigger, because why: String) async {
        do {
            let run = try await source.startRun(job, trigger: trigger)
            log("started run \(run.id) of \(job.qualifiedName) on \(job.fabric) (\(trigger.rawValue), \(why))")
        } catch {
            log("could not start \(job.qualifiedName) (\(why)): \(error)")
        }
    }

    private func reportInvalidOnce(_ job: ScheduledJob, _ message: String) {
        let key = "\(job.qualifiedName) \(job.schedule.cron) \(job.schedule.timezone)"
        let first = state.withLock { $0.reportedInvalid.insert(key).inserted }
        if first { log("\(job.qualifiedName): \(message)") }
    }

    private static func text(_ date: Date?, _ zone: TimeZone) -> String {
        guard let date else { return "never" }
        return iso8601WithOffset(date, in: zone)
    }
}
