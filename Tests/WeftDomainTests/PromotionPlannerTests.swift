import Testing

@testable import WeftDomain

/// The seed's chain: the dev job at commit c1 (the base), its production duplicate as bob set it up (production's
/// instances, its own overrides, enabled), and the dev job changed since.
enum PromotionFixture {
    static let validate = Pipeline(
        name: "validate", kind: .python, entry: "main.py",
        schema: [ConfigField(name: "max_nulls", type: .int, defaultValue: .int(0))],
        instances: ["development": ["max_nulls": .int(10)], "production": ["max_nulls": .int(0)]])
    static let ingest2 = Pipeline(
        name: "ingest2", kind: .python, entry: "main.py",
        schema: [ConfigField(name: "source_path", type: .string, required: true)],
        instances: ["development": ["source_path": .string("raw/dev.csv")], "production": ["source_path": .string("raw/prod.csv")]])
    static var pipelines: [String: Pipeline] {
        var p = Fixture.pipelines
        p["validate"] = validate
        p["ingest2"] = ingest2
        return p
    }

    static let base = Fixture.devJob

    /// `customers_daily_production` based on the dev job at c1, as bob configured it.
    static var target: Job {
        var job = DuplicationPlanner.plan(source: base, sourceCommit: "c1", target: Fixture.production, pipelines: pipelines).job
        job.enabled = true
        job.tasks[0].action = .pipeline(
            name: "ingest", config: "production", overrides: ["batch_size": .int(500), "sample_rate": .double(0.1)])
        job.tasks[2].action = .pipeline(name: "aggregate", config: "development", overrides: ["output_dir": .string("out/prod")])
        return job
    }

    static func plan(
        base: Job = base, source: Job, target: Job = target, take: [String: PromotionSide] = [:]
    ) throws -> PromotionPlan {
        try PromotionPlanner.plan(
            base: base, source: source, target: target, sourceCommit: "c2", fabric: Fixture.production, pipelines: pipelines,
            take: take)
    }
}

struct PromotionPlannerTests {
    /// The acceptance case: the dev job gains a task and changes a dependency while production has its own
    /// overrides and instances.
    @Test func newTaskAndDependencyArePromotedKeepingProductionsOwn() throws {
        var source = PromotionFixture.base
        source.tasks.insert(
            JobTask(key: "validate", action: .pipeline(name: "validate", config: "development", overrides: [:]), dependsOn: ["clean"]),
            at: 2)
        source.tasks[3].dependsOn = ["validate"]  // aggregate
        // Changes to what belongs to the dev fabric are not promoted.
        source.tasks[0].action = .pipeline(name: "ingest", config: "development", overrides: ["batch_size": .int(9)])
        source.enabled = false

        let plan = try PromotionFixture.plan(source: source)
        let job = plan.job
        #expect(job.tasks.map(\.key) == ["ingest", "clean", "validate", "aggregate", "notify"])
        #expect(job.task("validate")?.configInstance == "production")  // mapped like duplication
        #expect(job.task("validate")?.dependsOn == ["clean"])
        #expect(job.task("aggregate")?.dependsOn == ["validate"])
        // Production's own: instances, overrides, enabled, name, fabric.
        #expect(job.task("ingest")?.configInstance == "production")
        #expect(job.task("ingest")?.overrides == ["batch_size": .int(500), "sample_rate": .double(0.1)])
        #expect(job.task("clean")?.configInstance == "production")
        #expect(job.task("aggregate")?.overrides == ["output_dir": .string("out/prod")])
        #expect(job.enabled && job.name == "customers_daily_production" && job.fabric == "production")
        #expect(job.basedOn == BasedOn(job: "customers_daily_development", commit: "c2"))
        #expect(plan.basedOn == job.basedOn)
        #expect(plan.previousBasedOn == BasedOn(job: "customers_daily_development", commit: "c1"))

        #expect(plan.changes == [
            PromotionChange(path: "tasks.aggregate.depends_on", from: "clean", to: "validate"),
            PromotionChange(path: "tasks.validate", from: nil, to: "pipeline validate [production]"),
        ])
        #expect(plan.kept == [
            "name", "fabric", "enabled", "tasks.ingest.config", "tasks.ingest.overrides.batch_size",
            "tasks.ingest.overrides.sample_rate", "tasks.clean.config", "tasks.aggregate.config",
            "tasks.aggregate.overrides.output_dir",
        ])
        #expect(plan.conflicts.isEmpty && plan.problems.isEmpty && !plan.isEmpty)
        #expect(try PromotionPlanner.apply(plan) == job)
        #expect(plan.lines == [
            "promote customers_daily_development → customers_daily_production (based_on c1 → c2)",
            "  ~ tasks.aggregate.depends_on: clean → validate",
            "  + tasks.validate: pipeline validate [production]",
            "  = keep name: customers_daily_production",
            "  = keep fabric: production",
            "  = keep enabled: true",
            "  = keep tasks.ingest.config: production",
            "  = keep tasks.ingest.overrides.batch_size: 500",
            "  = keep tasks.ingest.overrides.sample_rate: 0.1",
            "  = keep tasks.clean.config: production",
            "  = keep tasks.aggregate.config: development",
            "  = keep tasks.aggregate.overrides.output_dir: out/prod",
            "  2 to change, 0 conflicts, 9 kept",
        ])

        // Promoting again from the new commit finds nothing to do.
        let again = try PromotionPlanner.plan(
            base: source, source: source, target: job, sourceCommit: "c2", fabric: Fixture.production,
            pipelines: PromotionFixture.pipelines)
        #expect(again.isEmpty)
        #expect(again.summary.hasPrefix("nothing to promote: customers_daily_production is up to date with customers_daily_development"))
    }

    /// Every promotable field the source changes alone is applied.
    enum SourceEdit: String, CaseIterable, Sendable {
        case schedule, maxConcurrentRuns, notifications, description, runIf, retries, timeout, script, pipeline,
            removeTask, scriptToPipeline

        func apply(_ job: inout Job) {
            switch self {
            case .schedule: job.schedule = JobSchedule(cron: "30 6 * * *", timezone: "Europe/Berlin")
            case .maxConcurrentRuns: job.maxConcurrentRuns = 2
            case .notifications: job.notifications.onSuccess = ["team@example.com"]
            case .description: job.description = "customers, daily"
            case .runIf: job.tasks[1].runIf = .allDone
            case .retries: job.tasks[1].retries = 2
            case .timeout: job.tasks[1].timeout = 900
            case .script: job.tasks[3].action = .script("python3 scripts/notify.py --all")
            case .pipeline: job.tasks[0].action = .pipeline(name: "ingest2", config: "development", overrides: ["batch_size": .int(7)])
            case .removeTask: job.tasks.removeLast()
            case .scriptToPipeline: job.tasks[3].action = .pipeline(name: "validate", config: "development", overrides: [:])
            }
        }

        var paths: [String] {
            switch self {
            case .schedule: return ["schedule"]
            case .maxConcurrentRuns: return ["max_concurrent_runs"]
            case .notifications: return ["notifications.on_success"]
            case .description: return ["description"]
            case .runIf: return ["tasks.clean.run_if"]
            case .retries: return ["tasks.clean.retries"]
            case .timeout: return ["tasks.clean.timeout"]
            case .script: return ["tasks.notify.script"]
            // The target's instance exists in the new pipeline and is kept; overrides the new schema lacks are dropped.
            case .pipeline:
                return [
                    "tasks.ingest.pipeline", "tasks.ingest.values.batch_size", "tasks.ingest.values.sample_rate",
                    "tasks.ingest.overrides.batch_size", "tasks.ingest.overrides.sample_rate",
                ]
            case .removeTask: return ["tasks.notify"]
            case .scriptToPipeline: return ["tasks.notify.action"]
            }
        }
    }

    @Test(arguments: SourceEdit.allCases)
    func aSourceChangeAloneIsApplied(edit: SourceEdit) throws {
        var source = PromotionFixture.base
        edit.apply(&source)
        let plan = try PromotionFixture.plan(source: source)
        #expect(plan.changes.map(\.path) == edit.paths)
        #expect(plan.conflicts.isEmpty && plan.problems.isEmpty, "\(plan.lines)")
        let job = try PromotionPlanner.apply(plan)
        switch edit {
        case .pipeline:
            #expect(job.task("ingest")?.action == .pipeline(name: "ingest2", config: "production", overrides: [:]))
        case .scriptToPipeline:
            #expect(job.task("notify")?.action == .pipeline(name: "validate", config: "production", overrides: [:]))
        case .removeTask:
            #expect(job.task("notify") == nil)
        default:
            // Apart from what the target owns, the promoted job now matches the source.
            var expected = source
            expected.name = job.name
            expected.fabric = job.fabric
            expected.enabled = job.enabled
            expected.basedOn = job.basedOn
            expected.tasks = source.tasks.map { t in
                var t = t
                if let mine = PromotionFixture.target.task(t.key), case .pipeline = mine.action { t.action = mine.action }
                return t
            }
            #expect(job == expected)
        }
    }

    @Test func theTargetsOwnChangesAreKept() throws {
        var target = PromotionFixture.target
        target.schedule = JobSchedule(cron: "0 2 * * *", timezone: "UTC")
        target.tasks[1].retries = 5
        target.tasks.append(JobTask(key: "page_oncall", action: .script("scripts/page.sh"), dependsOn: ["notify"], runIf: .allDone))
        var source = PromotionFixture.base
        source.tasks[3].timeout = 60  // notify
        source.tasks.append(JobTask(key: "archive", action: .script("scripts/archive.sh"), dependsOn: ["aggregate"]))
        let plan = try PromotionFixture.plan(source: source, target: target)
        #expect(plan.changes.map(\.path) == ["tasks.notify.timeout", "tasks.archive"])
        #expect(plan.job.schedule == target.schedule)
        #expect(plan.job.task("clean")?.retries == 5)
        #expect(plan.job.tasks.map(\.key) == ["ingest", "clean", "aggregate", "notify", "archive", "page_oncall"])
        #expect(plan.kept.contains("schedule"))
        #expect(plan.kept.contains("tasks.clean.retries"))
        #expect(plan.kept.contains("tasks.page_oncall"))
        #expect(plan.conflicts.isEmpty)
    }

    @Test func bothChangingAFieldTheSameWayIsNoConflict() throws {
        var source = PromotionFixture.base
        source.tasks[1].retries = 2
        var target = PromotionFixture.target
        target.tasks[1].retries = 2
        let plan = try PromotionFixture.plan(source: source, target: target)
        #expect(plan.conflicts.isEmpty)
        #expect(plan.isEmpty)
    }

    @Test(arguments: [
        (PromotionSide?.none, 3),
        (PromotionSide.source, 2),
        (PromotionSide.target, 3),
    ])
    func aFieldBothSidesChangedIsAConflictResolvedByTake(side: PromotionSide?, retries: Int) throws {
        var source = PromotionFixture.base
        source.tasks[1].retries = 2
        var target = PromotionFixture.target
        target.tasks[1].retries = 3
        let take = side.map { ["tasks.clean.retries": $0] } ?? [:]
        let plan = try PromotionFixture.plan(source: source, target: target, take: take)
        #expect(plan.conflicts == [
            PromotionConflict(path: "tasks.clean.retries", base: "0", source: "2", target: "3", taken: side)
        ])
        #expect(plan.job.task("clean")?.retries == retries)
        #expect(!plan.isEmpty)
        if let side {
            #expect(plan.unresolved.isEmpty)
            #expect(try PromotionPlanner.apply(plan).task("clean")?.retries == retries)
            #expect(plan.lines.contains("  ! conflict tasks.clean.retries: base 0, source 2, target 3 — taking \(side.rawValue)"))
        } else {
            let error = #expect(throws: WeftError.self) { try PromotionPlanner.apply(plan) }
            #expect(error?.exitCode == 4)
            let text = error?.description ?? ""
            #expect(text.contains("tasks.clean.retries: base 0, source 2, target 3"), "\(text)")
            #expect(text.contains("weft job promote customers_daily_production --take source|target tasks.clean.retries"), "\(text)")
            #expect(plan.lines.contains(
                "  ! conflict tasks.clean.retries: base 0, source 2, target 3 — choose with --take source|target tasks.clean.retries"))
            #expect(plan.summary == "0 to change, 1 conflict (1 unresolved), 9 kept")
        }
    }

    @Test func everyConflictingFieldIsNamed() throws {
        var source = PromotionFixture.base
        source.schedule = JobSchedule(cron: "0 7 * * *", timezone: "Europe/Berlin")
        source.tasks[1].retries = 2
        source.tasks[2].dependsOn = ["ingest"]
        var target = PromotionFixture.target
        target.schedule = JobSchedule(cron: "0 3 * * *", timezone: "UTC")
        target.tasks[1].retries = 1
        target.tasks[2].dependsOn = ["ingest", "clean"]
        let plan = try PromotionFixture.plan(source: source, target: target, take: ["schedule": .source])
        #expect(plan.conflicts.map(\.path) == ["schedule", "tasks.clean.retries", "tasks.aggregate.depends_on"])
        #expect(plan.unresolved.map(\.path) == ["tasks.clean.retries", "tasks.aggregate.depends_on"])
        #expect(plan.job.schedule == source.schedule)
        #expect(plan.changes.map(\.path) == ["schedule"])
        let error = #expect(throws: WeftError.self) { try PromotionPlanner.apply(plan) }
        let text = error?.description ?? ""
        #expect(text.contains("these 2 fields"), "\(text)")
        #expect(text.contains("--take source|target tasks.clean.retries --take source|target tasks.aggregate.depends_on"), "\(text)")
        #expect(!text.contains("--take source|target schedule"), "\(text)")
        #expect(text.contains("tasks.aggregate.depends_on: base clean, source ingest, target ingest, clean"), "\(text)")
    }

    @Test(arguments: [PromotionSide?.none, .source, .target])
    func aTaskTheTargetRemovedButTheSourceChangedIsAConflict(side: PromotionSide?) throws {
        var source = PromotionFixture.base
        source.tasks[3].action = .script("python3 scripts/notify.py --all")
        var target = PromotionFixture.target
        target.tasks.removeLast()
        let plan = try PromotionFixture.plan(source: source, target: target, take: side.map { ["tasks.notify": $0] } ?? [:])
        #expect(plan.conflicts.map(\.path) == ["tasks.notify"])
        #expect(plan.conflicts.first?.fields == ["tasks.notify.script"])
        #expect(plan.conflicts.first?.target == nil)
        #expect(plan.conflicts.first?.description == "tasks.notify: the target removed the task, the source changed tasks.notify.script")
        switch side {
        case .source?:
            #expect(plan.job.task("notify") == source.task("notify"))
            #expect(plan.changes.map(\.path) == ["tasks.notify"])
            #expect(try PromotionPlanner.apply(plan).tasks.count == 4)
        case .target?:
            #expect(plan.job.task("notify") == nil)
            #expect(plan.changes.isEmpty)
            #expect(try PromotionPlanner.apply(plan).tasks.count == 3)
        case nil:
            #expect(plan.job.task("notify") == nil)
            let error = #expect(throws: WeftError.self) { try PromotionPlanner.apply(plan) }
            #expect(error?.description.contains("--take source|target tasks.notify") == true)
        }
    }

    @Test func aTaskTheTargetRemovedAndTheSourceLeftAloneStaysRemoved() throws {
        var source = PromotionFixture.base
        source.tasks[1].retries = 1
        var target = PromotionFixture.target
        target.tasks.removeLast()
        let plan = try PromotionFixture.plan(source: source, target: target)
        #expect(plan.conflicts.isEmpty)
        #expect(plan.job.task("notify") == nil)
        #expect(plan.changes.map(\.path) == ["tasks.clean.retries"])
    }

    @Test func aTaskTheSourceRemovedButTheTargetChangedIsAConflict() throws {
        var source = PromotionFixture.base
        source.tasks.removeLast()
        var target = PromotionFixture.target
        target.tasks[3].retries = 4
        let plan = try PromotionFixture.plan(source: source, target: target)
        #expect(plan.conflicts.map(\.description) == ["tasks.notify: the source removed the task, the target changed tasks.notify.retries"])
        #expect(plan.job.task("notify")?.retries == 4)
        let removed = try PromotionFixture.plan(source: source, target: target, take: ["tasks.notify": .source])
        #expect(removed.job.task("notify") == nil)
        // Only production's own instance or overrides changed on it: no conflict, it goes.
        var owned = PromotionFixture.target
        owned.tasks[2].action = .pipeline(name: "aggregate", config: nil, overrides: ["output_dir": .string("x")])
        var source2 = PromotionFixture.base
        source2.tasks.remove(at: 2)
        source2.tasks[2].dependsOn = ["clean"]
        let gone = try PromotionFixture.plan(source: source2, target: owned)
        #expect(gone.conflicts.isEmpty)
        #expect(gone.job.tasks.map(\.key) == ["ingest", "clean", "notify"])
        #expect(gone.changes.map(\.path) == ["tasks.aggregate", "tasks.notify.depends_on"])
    }

    @Test func tasksBothSidesAddedAreMergedFieldByField() throws {
        var source = PromotionFixture.base
        source.tasks.append(JobTask(key: "archive", action: .script("scripts/archive.sh"), dependsOn: ["notify"], retries: 1))
        var target = PromotionFixture.target
        target.tasks.append(JobTask(key: "archive", action: .script("scripts/archive.sh"), dependsOn: ["notify"], retries: 2))
        let plan = try PromotionFixture.plan(source: source, target: target)
        #expect(plan.conflicts == [PromotionConflict(path: "tasks.archive.retries", base: nil, source: "1", target: "2")])
    }

    @Test func aPromotionThatWouldBreakTheJobIsRefused() throws {
        var source = PromotionFixture.base
        source.tasks.append(JobTask(key: "report", action: .script("scripts/report.sh"), dependsOn: ["notify"]))
        var target = PromotionFixture.target
        target.tasks.removeLast()  // notify
        let plan = try PromotionFixture.plan(source: source, target: target)
        #expect(plan.conflicts.isEmpty)
        #expect(plan.problems.contains { $0.message.contains("'report' depends on 'notify', which is not a task of this job") })
        let error = #expect(throws: WeftError.self) { try PromotionPlanner.apply(plan) }
        #expect(error?.exitCode == 1)
        #expect(error?.description.contains("would leave it invalid") == true)
    }

    @Test func nothingChangedIsAnEmptyPlan() throws {
        let plan = try PromotionFixture.plan(source: PromotionFixture.base)
        #expect(plan.isEmpty && plan.changes.isEmpty && plan.conflicts.isEmpty)
        #expect(plan.job.tasks == PromotionFixture.target.tasks)
        #expect(try PromotionPlanner.apply(plan).tasks == PromotionFixture.target.tasks)
        // Changes to what the dev fabric owns (its instances, overrides, enabled flag) are not promoted.
        var source = PromotionFixture.base
        source.enabled = false
        source.tasks[1].action = .pipeline(name: "clean", config: "production", overrides: ["drop_invalid": .bool(false)])
        let owned = try PromotionFixture.plan(source: source)
        #expect(owned.isEmpty)
        #expect(owned.lines.last?.contains("nothing to promote") == true)
    }

    @Test func refusedInputs() {
        var orphan = PromotionFixture.target
        orphan.basedOn = nil
        let noBase = #expect(throws: WeftError.self) { try PromotionFixture.plan(source: PromotionFixture.base, target: orphan) }
        #expect(noBase?.description.contains("has no based_on") == true)

        var other = PromotionFixture.base
        other.name = "something_else"
        let wrong = #expect(throws: WeftError.self) { try PromotionFixture.plan(source: other) }
        #expect(wrong?.description.contains("is based on customers_daily_development, not something_else") == true)

        var source = PromotionFixture.base
        source.tasks[1].retries = 2
        var target = PromotionFixture.target
        target.tasks[1].retries = 3
        let typo = #expect(throws: WeftError.self) {
            try PromotionFixture.plan(source: source, target: target, take: ["tasks.clean.retrie": .source])
        }
        let text = typo?.description ?? ""
        #expect(text.contains("--take source tasks.clean.retrie: tasks.clean.retrie is not in conflict"), "\(text)")
        #expect(text.contains("did you mean 'tasks.clean.retries'?"), "\(text)")
        let none = #expect(throws: WeftError.self) {
            try PromotionFixture.plan(source: PromotionFixture.base, take: ["schedule": .target])
        }
        #expect(none?.description.contains("there are no conflicts") == true)
    }

    @Test func valuesOfNamedFields() {
        let job = PromotionFixture.target
        #expect(PromotionPlanner.value(at: "tasks.ingest.overrides.sample_rate", in: job) == "0.1")
        #expect(PromotionPlanner.value(at: "tasks.notify.script", in: job) == "python3 scripts/notify.py")
        #expect(PromotionPlanner.value(at: "tasks.notify.action", in: job) == "script: python3 scripts/notify.py")
        #expect(PromotionPlanner.value(at: "tasks.clean.depends_on", in: job) == "ingest")
        #expect(PromotionPlanner.value(at: "schedule", in: job) == "0 6 * * * (Europe/Berlin)")
        #expect(PromotionPlanner.value(at: "tasks.nope.retries", in: job) == nil)
    }
}
