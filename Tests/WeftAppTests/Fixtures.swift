import Foundation
import TerminalUI
import WeftDomain
@testable import WeftApp

/// Deterministic states for update and snapshot tests.
enum Fixtures {
    static let epoch = Date(timeIntervalSince1970: 1_764_000_000)  // 2025-11-24 16:00 UTC

    static let developers = Team(name: "developers", includes: ["prod_support"], members: ["alice"])
    static let prodSupport = Team(name: "prod_support", members: ["bob"])
    static let development = Fabric(
        name: "development", ownerTeam: "developers", stage: .development, kind: .local, slots: 4, settings: ["description": "dummy customer data"],
        secretNames: ["anonymisation_salt"])
    static let production = Fabric(
        name: "production", ownerTeam: "prod_support", stage: .production, kind: .local, slots: 8, settings: ["description": "real customer data"],
        secretNames: ["anonymisation_salt"])
    static let project = Project(name: "customer_analytics", ownerTeam: "developers", description: "Customer reports")

    static func principal(_ name: String) -> Principal {
        let graph = TeamGraph([developers, prodSupport])
        return Principal(user: User(name: name, isAdmin: name == "admin"), teams: graph.effectiveTeams(of: name))
    }

    static let tasks: [JobTask] = [
        JobTask(key: "ingest", action: .pipeline(name: "ingest", config: "development", overrides: [:]), retries: 1, timeout: 600),
        JobTask(key: "clean", action: .pipeline(name: "clean", config: "development", overrides: [:]), dependsOn: ["ingest"], timeout: 600),
        JobTask(key: "aggregate", action: .pipeline(name: "aggregate", config: "development", overrides: [:]), dependsOn: ["clean"], timeout: 600),
        JobTask(key: "notify", action: .script("python3 scripts/notify.py"), dependsOn: ["aggregate"], runIf: .allDone),
    ]

    static let devJob = JobRecord(
        project: "customer_analytics",
        job: Job(name: "customers_daily_development", fabric: "development", schedule: JobSchedule(cron: "0 6 * * *", timezone: "Europe/Berlin"), enabled: true, tasks: tasks),
        path: "jobs/customers_daily_development.yaml", blob: "b1")

    static var prodJob: JobRecord {
        var job = devJob.job
        job.name = "customers_daily_production"
        job.fabric = "production"
        job.enabled = false
        job.basedOn = BasedOn(job: "customers_daily_development", commit: "0123456789abcdef")
        job.tasks = job.tasks.map { t in
            var t = t
            if case .pipeline(let n, _, let o) = t.action { t.action = .pipeline(name: n, config: "production", overrides: o) }
            return t
        }
        return JobRecord(project: "customer_analytics", job: job, path: "jobs/customers_daily_production.yaml", blob: "b2")
    }

    static var data: MainData {
        MainData(
            teams: [developers, prodSupport],
            fabrics: [FabricRow(fabric: development, jobCount: 1, lastRun: .success), FabricRow(fabric: production, jobCount: 1, lastRun: nil)],
            projects: [project], allProjects: [project],
            jobs: [
                JobRow(record: devJob, nextFire: Date(timeIntervalSince1970: 1_764_050_400), lastRun: .success, lastRunAt: epoch),
                JobRow(record: prodJob, nextFire: nil, lastRun: nil, lastRunAt: nil),
            ])
    }

    static let ingest = Pipeline(
        name: "ingest", kind: .python, entry: "main.py",
        schema: [
            ConfigField(name: "source_path", type: .string, required: true, description: "CSV file"),
            ConfigField(name: "output_dir", type: .string, required: true, description: "Output folder"),
            ConfigField(name: "sample_rate", type: .double, defaultValue: .double(1), min: 0, max: 1, description: "Fraction of rows to keep"),
            ConfigField(name: "batch_size", type: .int, defaultValue: .int(100), min: 1, max: 100_000, description: "Rows per progress step"),
        ],
        instances: [
            "development": ["source_path": .string("raw/customers.csv"), "output_dir": .string("customer_analytics"), "sample_rate": .double(0.5), "batch_size": .int(50)],
            "production": ["source_path": .string("raw/customers.csv"), "output_dir": .string("customer_analytics"), "sample_rate": .double(1), "batch_size": .int(500)],
        ])

    static let clean = Pipeline(
        name: "clean", kind: .python, entry: "main.py",
        schema: [
            ConfigField(name: "output_dir", type: .string, required: true),
            ConfigField(name: "salt", type: .secret, required: true, description: "Salt for hashing"),
            ConfigField(name: "drop_invalid", type: .bool, defaultValue: .bool(true)),
        ],
        instances: ["production": ["output_dir": .string("customer_analytics"), "salt": .secret("anonymisation_salt"), "drop_invalid": .bool(true)]])

    /// A logged-in main screen at 100×30, monochrome, UTC.
    static func main(_ user: String = "bob") -> AppState {
        var s = AppState(workspace: "/tmp/demo", size: Size(width: 100, height: 30), theme: .monochrome, now: epoch)
        s.timeZone = TimeZone(identifier: "UTC") ?? .current
        s.principal = principal(user)
        _ = AppUpdate.update(&s, .mainLoaded(data))
        _ = AppUpdate.update(&s, .runsLoaded(ref: devJob.qualifiedName, runs: [run], hidden: nil))
        s.status = nil
        return s
    }

    static let run = RunRecord(
        id: "r20251124-160000-abc123", project: "customer_analytics", job: "customers_daily_development", fabric: "development", state: .success,
        trigger: .manual, user: "alice", commit: "0123456789abcdef", queuedAt: epoch, startedAt: epoch, finishedAt: epoch.addingTimeInterval(7))

    /// Renders a state into a 100×30 buffer.
    static func render(_ s: AppState) -> [String] {
        var frame = Frame(buffer: Buffer(width: s.size.width, height: s.size.height))
        AppView.render(s, into: &frame)
        return frame.buffer.textLines()
    }

    /// The frame as a styled buffer.
    static func buffer(_ s: AppState) -> Buffer {
        var frame = Frame(buffer: Buffer(width: s.size.width, height: s.size.height))
        AppView.render(s, into: &frame)
        return frame.buffer
    }

    static var repoRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
