import ArgumentParser
import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// `weft schedule next EXPR`.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Cron schedules: 5 fields as Airflow reads them, 6/7-field Quartz as Databricks reads them.",
        subcommands: [Next.self])

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "next", abstract: "Print the next fire times strictly after --from, one ISO 8601 time with offset per line.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The cron expression (quote it).") var expression: String
        @Option(help: "IANA timezone the expression is read in.") var timezone: String = "UTC"
        @Option(help: "Start (ISO 8601; without an offset it is read in the timezone). Default: now.") var from: String?
        @Option(help: "How many fire times.") var count: Int = 5

        func run() throws {
            guard let tz = TimeZone(identifier: timezone) else {
                throw WeftError.invalid("unknown timezone '\(timezone)'; use an IANA name such as Europe/Berlin or UTC")
            }
            guard (1...10_000).contains(count) else { throw ValidationError("--count must be between 1 and 10000") }
            let start: Date
            if let from {
                guard let d = parseISO8601(from, defaultTimeZone: tz) else {
                    throw WeftError.invalid("--from '\(from)' is not an ISO 8601 time, e.g. 2026-03-29T01:30:00+01:00 or 2026-03-29T01:30")
                }
                start = d
            } else {
                start = Date()
            }
            let schedule: CronSchedule
            do { schedule = try CronSchedule(parsing: expression) } catch { throw WeftError.invalid("\(error)") }
            let times = schedule.nextFireTimes(after: start, in: tz, count: count)
            if times.isEmpty { throw WeftError.invalid("'\(expression)' never fires after \(iso8601WithOffset(start, in: tz))") }
            for t in times { print(iso8601WithOffset(t, in: tz)) }
        }
    }
}

/// `weft scheduler`: fire enabled jobs on their schedules, through the run service.
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run enabled jobs at their fire times (fabrics whose driver Weft schedules) until stopped (SIGTERM/SIGINT stop it cleanly).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Seconds between re-reads of the job list.") var reload: Double = 30

    func run() async throws {
        let ws = try global.open()
        let service = EngineSupport.service(ws)
        service.recover(adopt: true)
        let f = ISO8601DateFormatter()
        let scheduler = Scheduler(
            metastore: ws.metastore, source: WorkspaceSchedulerSource(service: service), reloadInterval: reload,
            log: { line in
                print("\(ISO8601DateFormatter().string(from: Date())) \(line)")
                fflush(nil)
            })
        print("\(f.string(from: Date())) scheduler started on \(ws.root) (pid \(getpid()))")
        for r in (try? service.waitingForRelease()) ?? [] {
            print("\(f.string(from: Date())) \(r.qualifiedName) on \(r.job.fabric) is enabled with a schedule but nothing of it is deployed there: it waits for a release ('weft release \(r.project) --version V')")
        }
        fflush(nil)
        let signals = SignalWatcher([SIGINT, SIGTERM, SIGHUP]) { _ in scheduler.stop() }
        defer { withExtendedLifetime(signals) {} }
        await scheduler.run()
        print("\(f.string(from: Date())) scheduler stopping; cancelling runs it owns")
        await service.shutdown(timeout: 30)
        print("\(f.string(from: Date())) scheduler stopped")
    }
}
