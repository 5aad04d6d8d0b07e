import Testing

@testable import WeftDomain

/// Jobs of a release of the demo project: the dev job and its production duplicate (enabled, with production's own
/// instance and overrides).
enum ReleaseFixture {
    static let qa = Fabric(name: "qa", ownerTeam: "qa", stage: .qa, kind: .local)
    static let fabrics = [Fixture.production, Fixture.development, qa]

    static var prodJob: Job {
        var job = DuplicationPlanner.plan(
            source: Fixture.devJob, sourceCommit: "c0", target: Fixture.production, pipelines: Fixture.pipelines
        ).job
        job.enabled = true
        job.tasks[0].action = .pipeline(name: "ingest", config: "production", overrides: ["sample_rate": .double(0.1)])
        return job
    }

    static func named(_ name: String, on fabric: String) -> Job {
        var job = Fixture.devJob
        job.name = name
        job.fabric = fabric
        return job
    }

    static func plan(
        _ jobs: [Job], deployed: [String: Job], fabric: Fabric = Fixture.production, version: String = "1.0.0",
        deployedPipelines: [String: Pipeline]? = nil, only: Set<String>? = nil
    ) throws -> DeploymentPlan {
        try ReleasePlanner.plan(
            project: "customer_analytics", version: version, commit: "abcdef0123456789", fabric: fabric, jobs: jobs,
            deployed: deployed, pipelines: Fixture.pipelines, deployedPipelines: deployedPipelines, only: only)
    }
}

struct ReleasePlannerTests {
    @Test func addModifyDeleteUnchangedByJobName() throws {
        var old = ReleaseFixture.prodJob
        old.schedule = JobSchedule(cron: "0 5 * * *", timezone: "Europe/Berlin")
        old.tasks[1].dependsOn = []
        let same = ReleaseFixture.named("same_production", on: "production")
        let jobs = [
            Fixture.devJob, ReleaseFixture.prodJob, same, ReleaseFixture.named("report_production", on: "production"),
            ReleaseFixture.named("moved", on: "qa"),
        ]
        let deployed = [
            "customers_daily_production": old, "same_production": same, "gone_production": same,
            "moved": ReleaseFixture.named("moved", on: "production"),
        ]
        let plan = try ReleaseFixture.plan(jobs, deployed: deployed)
        #expect(plan.changes.map(\.job) == ["customers_daily_production", "gone_production", "moved", "report_production", "same_production"])
        #expect(plan.changes.map(\.change) == [.modify, .delete, .delete, .add, .unchanged])
        #expect(plan.changes[0].fields == ["schedule", "tasks.clean.depends_on"])
        #expect(plan.changes[0].definition == ReleaseFixture.prodJob)
        #expect(plan.changes[1].definition == nil)
        #expect(plan.changes[3].definition?.name == "report_production")
        #expect(plan.lines == [
            "~ modify customers_daily_production: schedule, tasks.clean.depends_on",
            "- delete gone_production (not in release customer_analytics/1.0.0)",
            "- delete moved (moved to fabric qa)",
            "+ add report_production",
            "= unchanged same_production",
        ])
        #expect(plan.summary == "1 to add, 1 to modify, 2 to delete, 1 unchanged")
        #expect(plan.title == "customer_analytics/1.0.0 (commit abcdef0123) → fabric production")
        #expect(plan.rendered.first == plan.title)
        #expect(plan.rendered.last == "  " + plan.summary)
        #expect(!plan.isEmpty)
        // The dev job belongs to another fabric's plan.
        #expect(!plan.changes.contains { $0.job == Fixture.devJob.name })
    }

    /// One change to the deployed job, and the fields the plan must name for it.
    enum Edit: String, CaseIterable, Sendable {
        case enabled, cron, catchup, maxConcurrentRuns, notifications, description, basedOn, retries, runIf, timeout,
            script, config, override, addTask, removeTask, reorder, pipelineToScript

        func apply(_ job: inout Job) {
            switch self {
            case .enabled: job.enabled = false
            case .cron: job.schedule?.cron = "0 7 * * *"
            case .catchup: job.schedule?.catchup = true
            case .maxConcurrentRuns: job.maxConcurrentRuns = 3
            case .notifications: job.notifications.onFailure = ["oncall@example.com"]
            case .description: job.description = "daily customers"
            case .basedOn: job.basedOn = BasedOn(job: "customers_daily_development", commit: "c9")
            case .retries: job.tasks[1].retries = 2
            case .runIf: job.tasks[1].runIf = .allDone
            case .timeout: job.tasks[1].timeout = 600
            case .script: job.tasks[3].action = .script("python3 scripts/notify.py --prod")
            case .config: job.tasks[2].action = .pipeline(name: "aggregate", config: nil, overrides: [:])
            case .override: job.tasks[0].action = .pipeline(name: "ingest", config: "production", overrides: ["sample_rate": .double(0.2)])
            case .addTask: job.tasks.append(JobTask(key: "audit", action: .script("true"), dependsOn: ["notify"]))
            case .removeTask: job.tasks.removeLast()
            case .reorder: job.tasks.swapAt(2, 3)
            case .pipelineToScript: job.tasks[2].action = .script("true")
            }
        }

        var fields: [String] {
            switch self {
            case .enabled: return ["enabled"]
            case .cron, .catchup: return ["schedule"]
            case .maxConcurrentRuns: return ["max_concurrent_runs"]
            case .notifications: return ["notifications.on_failure"]
            case .description: return ["description"]
            case .basedOn: return ["based_on"]
            case .retries: return ["tasks.clean.retries"]
            case .runIf: return ["tasks.clean.run_if"]
            case .timeout: return ["tasks.clean.timeout"]
            case .script: return ["tasks.notify.script"]
            case .config: return ["tasks.aggregate.config", "tasks.aggregate.values.output_dir"]
            case .override: return ["tasks.ingest.values.sample_rate", "tasks.ingest.overrides.sample_rate"]
            case .addTask: return ["tasks.audit"]
            case .removeTask: return ["tasks.notify"]
            case .reorder: return ["tasks"]
            case .pipelineToScript: return ["tasks.aggregate.action"]
            }
        }
    }

    @Test(arguments: Edit.allCases)
    func everyFieldOfTheDefinitionCounts(edit: Edit) throws {
        var release = ReleaseFixture.prodJob
        edit.apply(&release)
        let plan = try ReleaseFixture.plan([release], deployed: ["customers_daily_production": ReleaseFixture.prodJob])
        #expect(plan.changes.map(\.change) == [.modify])
        #expect(plan.changes.first?.fields == edit.fields)
        // Every path JobDiff reports is named the same way in the plan.
        let jobDiff = JobDiff.compute(left: ReleaseFixture.prodJob, right: release, pipelines: Fixture.pipelines).map(\.path)
        #expect(jobDiff.allSatisfy { plan.changes.first?.fields.contains($0) == true }, "\(jobDiff)")
    }

    @Test func aChangedInstanceShowsWithTheDeployedPipelines() throws {
        var before = Fixture.pipelines
        before["ingest"]?.instances["production"]?["batch_size"] = .int(50)
        let job = ReleaseFixture.prodJob
        let plan = try ReleaseFixture.plan([job], deployed: [job.name: job], deployedPipelines: before)
        #expect(plan.changes.first?.change == .modify)
        #expect(plan.changes.first?.fields == ["tasks.ingest.values.batch_size"])
        // Compared with the release's pipelines on both sides, the definition alone is unchanged.
        #expect(try ReleaseFixture.plan([job], deployed: [job.name: job]).changes.first?.change == .unchanged)
    }

    @Test func deployingTheSameReleaseAgainChangesNothing() throws {
        let jobs = [Fixture.devJob, ReleaseFixture.prodJob, ReleaseFixture.named("report_production", on: "production")]
        let first = try ReleaseFixture.plan(jobs, deployed: [:])
        #expect(first.changes.map(\.change) == [.add, .add])
        #expect(first.summary == "2 to add, 0 to modify, 0 to delete, 0 unchanged")
        let again = try ReleaseFixture.plan(jobs, deployed: first.deployedJobs)
        #expect(again.changes.allSatisfy { $0.change == .unchanged })
        #expect(again.isEmpty)
        #expect(again.summary == "0 to add, 0 to modify, 0 to delete, 2 unchanged")
        #expect(again.deployedJobs == first.deployedJobs)

        // A next release that modifies and deletes, applied, then planned again: unchanged too.
        var changed = ReleaseFixture.prodJob
        changed.tasks[1].retries = 3
        let next = try ReleaseFixture.plan([changed], deployed: again.deployedJobs, version: "1.1.0")
        #expect(next.changes.map(\.change) == [.modify, .delete])
        #expect(next.deployedJobs.keys.sorted() == ["customers_daily_production"])
        let repeated = try ReleaseFixture.plan([changed], deployed: next.deployedJobs, version: "1.1.0")
        #expect(repeated.changes.map(\.change) == [.unchanged])
        #expect(repeated.lines == ["= unchanged customers_daily_production"])
    }

    @Test func onlyTheSelectedJobs() throws {
        let jobs = [ReleaseFixture.prodJob, ReleaseFixture.named("report_production", on: "production")]
        let deployed = ["gone_production": ReleaseFixture.prodJob]
        let plan = try ReleaseFixture.plan(jobs, deployed: deployed, only: ["report_production"])
        #expect(plan.lines == ["+ add report_production"])
    }

    @Test func invalidVersionOrTwiceUsedNameIsRefused() throws {
        let badVersion = #expect(throws: WeftError.self) { try ReleaseFixture.plan([], deployed: [:], version: "1..0") }
        #expect(badVersion?.description.contains("'..'") == true)
        let twice = #expect(throws: WeftError.self) {
            try ReleaseFixture.plan([ReleaseFixture.prodJob, ReleaseFixture.prodJob], deployed: [:])
        }
        #expect(twice?.description.contains("defines job customers_daily_production more than once") == true)
    }

    @Test func emptyFabricPlan() throws {
        let plan = try ReleaseFixture.plan([Fixture.devJob], deployed: [:])
        #expect(plan.changes.isEmpty && plan.isEmpty)
        #expect(plan.summary == "0 to add, 0 to modify, 0 to delete, 0 unchanged")
    }
}

struct ReleaseTargetTests {
    let jobs = [
        ReleaseFixture.prodJob, Fixture.devJob, ReleaseFixture.named("a_production", on: "production"),
        ReleaseFixture.named("etl_qa", on: "qa"),
    ]

    @Test func jobsGroupedByFabric() {
        let groups = ReleasePlanner.jobsByFabric(jobs)
        #expect(groups.keys.sorted() == ["development", "production", "qa"])
        #expect(groups["production"]?.map(\.name) == ["a_production", "customers_daily_production"])
    }

    @Test func defaultTargetsAreTheJobsFabricsInStageOrder() throws {
        let targets = try ReleasePlanner.targets(jobs: jobs, fabrics: ReleaseFixture.fabrics)
        #expect(targets.map(\.fabric.name) == ["development", "qa", "production"])
        #expect(targets.map { $0.jobs.map(\.name) } == [["customers_daily_development"], ["etl_qa"], ["a_production", "customers_daily_production"]])
    }

    @Test func requestedFabricsAndSelectedJobs() throws {
        let one = try ReleasePlanner.targets(jobs: jobs, fabrics: ReleaseFixture.fabrics, requested: ["production", "production"])
        #expect(one.map(\.fabric.name) == ["production"])
        #expect(one.first?.jobs.count == 2)
        // A fabric with no job of the release is a target too (its plan only deletes).
        let empty = try ReleasePlanner.targets(jobs: [Fixture.devJob], fabrics: ReleaseFixture.fabrics, requested: ["qa"])
        #expect(empty == [ReleaseTarget(fabric: ReleaseFixture.qa, jobs: [])])
        let selected = try ReleasePlanner.targets(jobs: jobs, fabrics: ReleaseFixture.fabrics, only: ["etl_qa"])
        #expect(selected.map(\.fabric.name) == ["qa"])
    }

    @Test(arguments: [
        (["prodution"], Set<String>?.none, "no fabric named 'prodution'; did you mean 'production'?"),
        ([], Set(["customers_daily_productio"]), "no job named 'customers_daily_productio'; did you mean 'customers_daily_production'?"),
    ])
    func unknownNames(requested: [String], only: Set<String>?, message: String) {
        let error = #expect(throws: WeftError.self) {
            try ReleasePlanner.targets(jobs: jobs, fabrics: ReleaseFixture.fabrics, requested: requested, only: only)
        }
        #expect(error?.description.hasPrefix(message) == true, "\(String(describing: error))")
    }

    @Test func jobOnAFabricTheWorkspaceDoesNotHave() {
        let error = #expect(throws: WeftError.self) {
            try ReleasePlanner.targets(jobs: [ReleaseFixture.named("x", on: "staging")], fabrics: ReleaseFixture.fabrics)
        }
        #expect(error?.description.contains("job x is bound to it") == true)
    }

    @Test func aliceDeploysToDevelopmentAndSkipsProductionWithTheReason() throws {
        let auth = ReleasePlanner.authorize(Seed.alice, fabrics: [Seed.development, Seed.production])
        #expect(auth.deployable == [Seed.development])
        #expect(auth.skipped.map(\.fabric) == [Seed.production])
        let reason = try #require(auth.skipped.first?.reason)
        #expect(reason.contains("alice may not deploy a release to fabric production"))
        #expect(reason.contains("prod_support"))
        #expect(auth.lines == ["skip production: \(reason)"])
        #expect(try auth.requireDeployable() == [Seed.development])
    }

    @Test func onlyRefusedTargetsIsAPermissionDenial() {
        let auth = ReleasePlanner.authorize(Seed.alice, fabrics: [Seed.production])
        let error = #expect(throws: WeftError.self) { try auth.requireDeployable() }
        #expect(error?.exitCode == 3)
        if case .permissionDenied(let d)? = error {
            #expect(d.action == .deployRelease && d.neededTeam == "prod_support")
        } else {
            Issue.record("expected a permission denial, got \(String(describing: error))")
        }
    }

    @Test(arguments: [
        ("bob", ["development", "production"], [String]()),
        ("alice", ["development"], ["production"]),
        ("carol", [], ["development", "production"]),
        ("admin", [], ["development", "production"]),
    ])
    func splitPerUser(user: String, deployable: [String], skipped: [String]) {
        let principal = Seed.everyone.first { $0.name == user } ?? Seed.carol
        let auth = ReleasePlanner.authorize(principal, fabrics: [Seed.development, Seed.production])
        #expect(auth.deployable.map(\.name) == deployable)
        #expect(auth.skipped.map(\.fabric.name) == skipped)
    }
}

struct ReleaseVersionTests {
    @Test(arguments: ["1.0.0", "v2", "2024.06.01", "1.0.0-rc.1", "1.0.0+build.7", "1_0", "0", String(repeating: "9", count: 64)])
    func valid(version: String) throws {
        try ReleaseVersion.validate(version)
        #expect(ReleaseVersion.problem(version) == nil)
    }

    @Test(arguments: [
        ("", "the release version is empty; give one with --version"),
        (".1", "starts with '.'"),
        ("-1", "starts with '-'"),
        ("+1", "starts with '+'"),
        ("1..0", "contains '..'"),
        ("1.0.", "ends in '.'"),
        ("1.0.lock", "ends in '.lock'"),
        ("1.0 final", "contains a space"),
        ("1/0", "contains '/' (the tag is PROJECT/VERSION"),
        ("1.0~1", "contains '~'"),
        ("1.0@{1}", "contains '@'"),
        ("1.0\u{7}", "contains a control character"),
        ("é1", "contains 'é'"),
        (String(repeating: "1", count: 65), "longer than 64 characters"),
    ])
    func invalid(version: String, message: String) {
        let error = #expect(throws: WeftError.self) { try ReleaseVersion.validate(version) }
        let text = error?.description ?? ""
        #expect(text.contains(message), "\(text)")
        #expect(error?.exitCode == 1)
        if !version.isEmpty && version.count <= 64 {
            #expect(text.contains("e.g. 1.0.0") || text.contains("drop the trailing dot"), "\(text)")
        }
    }

    @Test func tags() throws {
        #expect(try ReleaseVersion.tag(project: "customer_analytics", version: "1.0.0") == "customer_analytics/1.0.0")
        #expect(throws: WeftError.self) { try ReleaseVersion.tag(project: "customer_analytics", version: "1.0/x") }
        let badProject = #expect(throws: WeftError.self) { try ReleaseVersion.tag(project: "a..b", version: "1.0") }
        #expect(badProject?.description.contains("project name 'a..b'") == true)
        #expect(ReleaseVersion.parse(tag: "customer_analytics/1.0.0")?.version == "1.0.0")
        #expect(ReleaseVersion.parse(tag: "customer_analytics/1.0.0")?.project == "customer_analytics")
        #expect(ReleaseVersion.parse(tag: "customer_analytics") == nil)
        #expect(ReleaseVersion.parse(tag: "a/b/c") == nil)
        #expect(ReleaseVersion.parse(tag: "a/1..0") == nil)
    }
}
