import Testing

@testable import WeftDomain

/// Pipelines and jobs shaped like the demo project.
enum Fixture {
    static let ingest = Pipeline(
        name: "ingest", kind: .python, entry: "main.py",
        schema: [
            ConfigField(name: "source_path", type: .string, required: true),
            ConfigField(name: "sample_rate", type: .double, defaultValue: .double(1), min: 0, max: 1),
            ConfigField(name: "batch_size", type: .int, defaultValue: .int(100), min: 1, max: 100_000),
        ],
        instances: [
            "development": ["source_path": .string("raw/dev.csv"), "sample_rate": .double(0.5)],
            "production": ["source_path": .string("raw/prod.csv")],
            "prod-eu": ["source_path": .string("raw/eu.csv")],
        ])
    static let clean = Pipeline(
        name: "clean", kind: .python, entry: "main.py",
        schema: [
            ConfigField(name: "salt", type: .secret, required: true),
            ConfigField(name: "drop_invalid", type: .bool, defaultValue: .bool(true)),
            ConfigField(name: "since", type: .date),
        ],
        instances: [
            "development": ["salt": .secret("anonymisation_salt")],
            "production": ["salt": .secret("anonymisation_salt")],
        ])
    static let aggregate = Pipeline(
        name: "aggregate", kind: .python, entry: "main.py",
        schema: [
            ConfigField(name: "output_dir", type: .string, required: true),
            ConfigField(name: "top_n", type: .int, defaultValue: .int(5), min: 1, max: 100),
        ],
        instances: ["development": ["output_dir": .string("out")]])
    static let pipelines = ["ingest": ingest, "clean": clean, "aggregate": aggregate]

    static let devJob = Job(
        name: "customers_daily_development", fabric: "development", schedule: JobSchedule(cron: "0 6 * * *", timezone: "Europe/Berlin"),
        enabled: true,
        tasks: [
            JobTask(key: "ingest", action: .pipeline(name: "ingest", config: "development", overrides: ["batch_size": .int(7)])),
            JobTask(key: "clean", action: .pipeline(name: "clean", config: "development", overrides: [:]), dependsOn: ["ingest"]),
            JobTask(key: "aggregate", action: .pipeline(name: "aggregate", config: "development", overrides: [:]), dependsOn: ["clean"]),
            JobTask(key: "notify", action: .script("python3 scripts/notify.py"), dependsOn: ["aggregate"], runIf: .allDone),
        ])
    static let development = Seed.development
    static var production: Fabric {
        var f = Seed.production
        f.secretNames = ["anonymisation_salt"]
        return f
    }
}

struct DuplicationPlannerTests {
    @Test(arguments: [
        ("customers_daily_development", "development", "production", "customers_daily_production"),
        ("customers_daily_dev", "development", "production", "customers_daily_production"),
        ("etl_qa1", "qa1", "production", "etl_production"),
        ("etl", "development", "qa", "etl_qa"),
        ("_dev", "development", "production", "_dev_production"),
        ("daily_development_report", "development", "production", "daily_development_report_production"),
    ])
    func proposedName(source: String, sourceFabric: String, target: String, expected: String) {
        let job = Job(name: source, fabric: sourceFabric)
        let t = Fabric(name: target, ownerTeam: "t", stage: .production, kind: .local)
        #expect(DuplicationPlanner.proposedName(source: job, target: t) == expected)
    }

    @Test func planMapsInstancesByFabricNameThenStage() {
        let target = Fabric(name: "prod-eu", ownerTeam: "prod_support", stage: .production, kind: .local)
        let plan = DuplicationPlanner.plan(source: Fixture.devJob, sourceCommit: "abc123", target: target, pipelines: Fixture.pipelines)
        #expect(plan.job.name == "customers_daily_prod-eu")
        #expect(plan.job.fabric == "prod-eu")
        #expect(plan.job.enabled == false)
        #expect(plan.job.basedOn == BasedOn(job: "customers_daily_development", commit: "abc123"))
        // ingest has an instance named like the fabric; clean only one named like the stage; aggregate neither.
        #expect(plan.job.task("ingest")?.configInstance == "prod-eu")
        #expect(plan.job.task("clean")?.configInstance == "production")
        #expect(plan.job.task("aggregate")?.configInstance == "development")
        #expect(plan.mapped["ingest"] == .init(from: "development", to: "prod-eu"))
        #expect(plan.mapped["clean"] == .init(from: "development", to: "production"))
        #expect(plan.mapped["aggregate"] == nil)
        #expect(plan.unmapped == ["aggregate"])
        // Overrides, dependencies, schedule and the script task are copied as they are.
        #expect(plan.job.task("ingest")?.overrides == ["batch_size": .int(7)])
        #expect(plan.job.task("notify") == Fixture.devJob.task("notify"))
        #expect(plan.job.tasks.map(\.dependsOn) == Fixture.devJob.tasks.map(\.dependsOn))
        #expect(plan.job.schedule == Fixture.devJob.schedule)
    }

    @Test func planWithExplicitNameUnknownPipelineAndAlreadyMatchingInstance() {
        var source = Fixture.devJob
        source.tasks[1].action = .pipeline(name: "clean", config: "production", overrides: [:])
        source.tasks.append(JobTask(key: "ghost", action: .pipeline(name: "nope", config: "development", overrides: [:])))
        let plan = DuplicationPlanner.plan(
            source: source, sourceCommit: "c", target: Fixture.production, pipelines: Fixture.pipelines, name: "custom")
        #expect(plan.job.name == "custom")
        #expect(plan.mapped["clean"] == nil)  // already on the production instance: nothing to report
        #expect(plan.job.task("clean")?.configInstance == "production")
        #expect(plan.unmapped == ["aggregate", "ghost"])
        #expect(plan.job.task("ghost")?.configInstance == "development")
    }
}

struct JobValidatorTests {
    func messages(_ ps: [Problem]) -> String { ps.map(\.description).joined(separator: "\n") }

    @Test func theDevJobIsValidAndEnablable() {
        #expect(JobValidator.structuralProblems(Fixture.devJob, pipelines: Fixture.pipelines).isEmpty)
        var dev = Fixture.development
        dev.secretNames = ["anonymisation_salt"]
        #expect(JobValidator.enableProblems(Fixture.devJob, pipelines: Fixture.pipelines, fabric: dev) == [])
    }

    @Test func cycleInDependsOn() {
        var job = Fixture.devJob
        job.tasks[0].dependsOn = ["notify"]
        let ps = JobValidator.structuralProblems(job, pipelines: Fixture.pipelines, file: "jobs/x.yaml")
        #expect(ps.contains { $0.message.contains("cycle") && $0.message.contains("ingest") && $0.file == "jobs/x.yaml" }, "\(messages(ps))")
        #expect(TaskGraph.cycle(job.tasks) != nil)
        #expect(TaskGraph.cycle(Fixture.devJob.tasks) == nil)
        var selfDep = Fixture.devJob
        selfDep.tasks[2].dependsOn = ["aggregate"]
        #expect(JobValidator.structuralProblems(selfDep, pipelines: Fixture.pipelines).contains { $0.message.contains("depends on itself") })
    }

    @Test func danglingDependencyAndDuplicateKeys() {
        var job = Fixture.devJob
        job.tasks[1].dependsOn = ["ingset"]
        job.tasks.append(JobTask(key: "notify", action: .script("true")))
        let ps = JobValidator.structuralProblems(job, pipelines: Fixture.pipelines)
        #expect(ps.contains { $0.message == "task 'clean' depends on 'ingset', which is not a task of this job" }, "\(messages(ps))")
        #expect(ps.contains { $0.message.contains("'notify' is used twice") })
    }

    @Test func unknownPipelineAndInstance() {
        var job = Fixture.devJob
        job.tasks[0].action = .pipeline(name: "ingestt", config: "development", overrides: [:])
        job.tasks[1].action = .pipeline(name: "clean", config: "staging", overrides: [:])
        let ps = JobValidator.structuralProblems(job, pipelines: Fixture.pipelines)
        #expect(ps.contains { $0.message.contains("no pipeline named 'ingestt'") }, "\(messages(ps))")
        #expect(ps.contains { $0.message.contains("no configuration instance 'staging'") && $0.message.contains("development, production") })
    }

    @Test func badOverrides() {
        var job = Fixture.devJob
        job.tasks[0].action = .pipeline(
            name: "ingest", config: "development",
            overrides: ["sample_rate": .double(7), "batch_size": .string("many"), "colour": .string("red")])
        job.tasks[1].action = .pipeline(name: "clean", config: "development", overrides: ["salt": .string("hunter2")])
        let ps = JobValidator.structuralProblems(job, pipelines: Fixture.pipelines)
        let text = messages(ps)
        #expect(text.contains("sample_rate is 7, above the maximum 1"), "\(text)")
        #expect(text.contains("batch_size must be of type int"), "\(text)")
        #expect(text.contains("unknown field 'colour'"), "\(text)")
        #expect(text.contains("plain-text secrets are rejected"), "\(text)")
        #expect(ps.count == 4, "\(text)")
    }

    @Test func structuralBasics() {
        let empty = Job(name: "9bad", fabric: "development", maxConcurrentRuns: 0)
        let text = messages(JobValidator.structuralProblems(empty, pipelines: [:]))
        #expect(text.contains("not a valid job name"))
        #expect(text.contains("max_concurrent_runs must be at least 1"))
        #expect(text.contains("the job has no tasks"))
        var job = Fixture.devJob
        job.tasks[3].retries = -1
        job.tasks[3].timeout = 0
        job.tasks[3].action = .script("  ")
        let t2 = messages(JobValidator.structuralProblems(job, pipelines: Fixture.pipelines))
        #expect(t2.contains("retries must be between 0 and 100"))
        #expect(t2.contains("timeout must be a positive number"))
        #expect(t2.contains("the script is empty"))
    }

    @Test func enableProblemsMissingRequiredValues() {
        var job = Fixture.devJob
        // aggregate without an instance: output_dir (required, no default) is missing.
        job.tasks[2].action = .pipeline(name: "aggregate", config: nil, overrides: [:])
        // ingest: an instance without source_path.
        var pipelines = Fixture.pipelines
        pipelines["ingest"]?.instances["bare"] = [:]
        job.tasks[0].action = .pipeline(name: "ingest", config: "bare", overrides: [:])
        let ps = JobValidator.enableProblems(job, pipelines: pipelines, fabric: Fixture.production)
        let text = messages(ps)
        #expect(text.contains("task 'aggregate': no configuration instance chosen for pipeline aggregate"), "\(text)")
        #expect(text.contains("task 'aggregate': required value 'output_dir' of pipeline aggregate is not set"), "\(text)")
        #expect(text.contains("task 'ingest': required value 'source_path' of pipeline ingest is not set"), "\(text)")
        // An override fills the gap.
        job.tasks[0].action = .pipeline(name: "ingest", config: "bare", overrides: ["source_path": .string("x.csv")])
        job.tasks[2].action = .pipeline(name: "aggregate", config: "development", overrides: [:])
        #expect(JobValidator.enableProblems(job, pipelines: pipelines, fabric: Fixture.production) == [])
    }

    @Test func enableProblemsSecretNotOnFabric() {
        var fabric = Fixture.production
        fabric.secretNames = []
        let ps = JobValidator.enableProblems(Fixture.devJob, pipelines: Fixture.pipelines, fabric: fabric)
        #expect(ps.count == 1)
        #expect(ps.first?.message.contains("names secret 'anonymisation_salt', which fabric production does not have") == true)
        #expect(ps.first?.message.contains("weft fabric set-secret production anonymisation_salt --value-stdin") == true)
    }

    @Test(arguments: [
        ("61 6 * * *", "Europe/Berlin", "schedule:"),
        ("0 6 * *", "UTC", "schedule:"),
        ("0 6 * * *", "Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
    ])
    func enableProblemsBadSchedule(cron: String, tz: String, expected: String) {
        var job = Fixture.devJob
        job.schedule = JobSchedule(cron: cron, timezone: tz)
        let ps = JobValidator.enableProblems(job, pipelines: Fixture.pipelines, fabric: Fixture.production)
        #expect(ps.count == 1, "\(messages(ps))")
        #expect(ps.first?.message.contains(expected) == true, "\(messages(ps))")
        #expect(!JobValidator.structuralProblems(job, pipelines: Fixture.pipelines).isEmpty)
        #expect(!JobValidator.scheduleProblems(job.schedule!).isEmpty)
    }

    @Test func validSchedulesIncludingQuartz() {
        for (c, tz) in [("0 6 * * *", "Europe/Berlin"), ("0 0 6 ? * MON-FRI", "America/New_York"), ("*/5 * * * *", "UTC")] {
            #expect(JobValidator.scheduleProblems(JobSchedule(cron: c, timezone: tz)).isEmpty, "\(c)")
        }
    }
}

struct ConfigValueTests {
    let rate = ConfigField(name: "sample_rate", type: .double, min: 0, max: 1)
    let topN = ConfigField(name: "top_n", type: .int, min: 1, max: 100)
    let salt = ConfigField(name: "salt", type: .secret, required: true)

    @Test func parseTypes() throws {
        #expect(try ConfigValueParser.parse("0.25", for: rate) == .double(0.25))
        #expect(try ConfigValueParser.parse("42", for: topN) == .int(42))
        #expect(try ConfigValueParser.parse("yes", for: ConfigField(name: "b", type: .bool)) == .bool(true))
        #expect(try ConfigValueParser.parse("off", for: ConfigField(name: "b", type: .bool)) == .bool(false))
        #expect(try ConfigValueParser.parse("2024-02-29", for: ConfigField(name: "d", type: .date)) == .date("2024-02-29"))
        #expect(try ConfigValueParser.parse("secret:anonymisation_salt", for: salt) == .secret("anonymisation_salt"))
        #expect(try ConfigValueParser.parse("[a, b]", for: ConfigField(name: "a", type: .array)) == .array([.string("a"), .string("b")]))
        #expect(try ConfigValueParser.parse(" spaced ", for: ConfigField(name: "s", type: .string)) == .string(" spaced "))
    }

    @Test(arguments: [
        ("abc", "int", "top_n must be a whole number, not 'abc'"),
        ("1.5", "int", "top_n must be a whole number"),
        ("x", "double", "sample_rate must be a number"),
        ("inf", "double", "sample_rate must be a number"),
        ("maybe", "bool", "must be true or false"),
        ("2023-02-29", "date", "must be a date YYYY-MM-DD"),
        ("2024-13-01", "date", "must be a date YYYY-MM-DD"),
        ("hunter2", "secret", "plain-text secrets are rejected"),
        ("secret:", "secret", "plain-text secrets are rejected"),
    ])
    func parseErrors(text: String, type: String, expected: String) {
        let field: ConfigField
        switch type {
        case "int": field = topN
        case "double": field = rate
        case "secret": field = salt
        default: field = ConfigField(name: type, type: ConfigFieldType(rawValue: type)!)
        }
        #expect {
            try ConfigValueParser.parse(text, for: field)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func splitAssignment() throws {
        let (k, v) = try ConfigValueParser.splitAssignment("where=a=b")
        #expect(k == "where" && v == "a=b")
        #expect(throws: WeftError.self) { try ConfigValueParser.splitAssignment("novalue") }
        #expect(throws: WeftError.self) { try ConfigValueParser.splitAssignment("=x") }
    }

    @Test func validatorRanges() {
        #expect(ConfigValidator.problems(of: .double(0.9), for: rate, context: "c").isEmpty)
        #expect(ConfigValidator.problems(of: .int(1), for: rate, context: "c").isEmpty)
        #expect(ConfigValidator.problems(of: .double(7), for: rate, context: "c").map(\.message) == ["c: sample_rate is 7, above the maximum 1"])
        #expect(ConfigValidator.problems(of: .double(-0.5), for: rate, context: "c").map(\.message) == ["c: sample_rate is -0.5, below the minimum 0"])
        #expect(ConfigValidator.problems(of: .int(0), for: topN, context: "c").map(\.message) == ["c: top_n is 0, below the minimum 1"])
        #expect(ConfigValidator.problems(of: .int(101), for: topN, context: "c").count == 1)
        #expect(ConfigValidator.problems(of: .string("3"), for: topN, context: "c").first?.message.contains("must be of type int") == true)
    }

    @Test func validatorRejectsPlainTextSecrets() {
        for plain: ConfigValue in [.string("hunter2"), .int(1234), .bool(true)] {
            let ps = ConfigValidator.problems(of: plain, for: salt, context: "instance production")
            #expect(ps.count == 1)
            #expect(ps.first?.message.contains("plain-text secrets are rejected") == true)
            // The message must not echo a secret value back.
            #expect(ps.first?.message.contains("hunter2") == false)
        }
        #expect(ConfigValidator.problems(of: .secret("s"), for: salt, context: "c").isEmpty)
        #expect(!ConfigValidator.problems(of: .secret("s"), for: ConfigField(name: "name", type: .string), context: "c").isEmpty)
    }

    @Test func validatorSetsAndResolve() {
        let ps = ConfigValidator.problems(
            of: ["sample_rate": .double(2), "nope": .int(1)], pipeline: Fixture.ingest, context: "instance x", requireAll: true)
        let text = ps.map(\.message).joined(separator: "\n")
        #expect(text.contains("unknown field 'nope'"))
        #expect(text.contains("above the maximum"))
        #expect(text.contains("required field 'source_path'"))
        let values = ConfigValidator.resolve(pipeline: Fixture.ingest, instance: "development", overrides: ["batch_size": .int(9)])
        #expect(values == ["source_path": .string("raw/dev.csv"), "sample_rate": .double(0.5), "batch_size": .int(9)])
    }
}

struct JobDiffTests {
    @Test func identicalJobsDoNotDiffer() {
        #expect(JobDiff.compute(left: Fixture.devJob, right: Fixture.devJob, pipelines: Fixture.pipelines).isEmpty)
    }

    @Test func productionAgainstItsSource() {
        var prod = DuplicationPlanner.plan(
            source: Fixture.devJob, sourceCommit: "c", target: Fixture.production, pipelines: Fixture.pipelines
        ).job
        prod.tasks[0].action = .pipeline(name: "ingest", config: "production", overrides: ["sample_rate": .double(0.9), "batch_size": .int(7)])
        prod.schedule = JobSchedule(cron: "0 7 * * *", timezone: "UTC")
        prod.tasks.removeLast()
        prod.tasks.append(JobTask(key: "alert", action: .script("echo done"), dependsOn: ["aggregate"]))
        let d = JobDiff.compute(left: prod, right: Fixture.devJob, pipelines: Fixture.pipelines)
        func find(_ path: String) -> JobDifference? { d.first { $0.path == path } }
        #expect(find("fabric") == JobDifference(path: "fabric", left: "production", right: "development"))
        #expect(find("enabled") == JobDifference(path: "enabled", left: "false", right: "true"))
        #expect(find("schedule") == JobDifference(path: "schedule", left: "0 7 * * * (UTC)", right: "0 6 * * * (Europe/Berlin)"))
        #expect(find("tasks.ingest.config") == JobDifference(path: "tasks.ingest.config", left: "production", right: "development"))
        #expect(find("tasks.ingest.values.sample_rate") == JobDifference(path: "tasks.ingest.values.sample_rate", left: "0.9", right: "0.5"))
        #expect(find("tasks.ingest.values.source_path") == JobDifference(path: "tasks.ingest.values.source_path", left: "raw/prod.csv", right: "raw/dev.csv"))
        #expect(find("tasks.ingest.overrides.sample_rate") != nil)
        #expect(find("tasks.ingest.overrides.batch_size") == nil)  // the same override on both sides
        #expect(find("tasks.ingest.values.batch_size") == nil)
        #expect(find("tasks.alert") == JobDifference(path: "tasks.alert", left: "script: echo done", right: nil))
        #expect(find("tasks.notify") == JobDifference(path: "tasks.notify", left: nil, right: "script: python3 scripts/notify.py"))
        #expect(find("tasks.clean.values.salt") == nil)  // the same secret reference on both
        #expect(find("tasks.aggregate.config") == nil)
    }
}
