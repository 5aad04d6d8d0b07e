import Foundation
import Testing
import WeftDomain

@testable import WeftStore

/// `project create --from DIR` with a broken file: a specific problem with file:line, and nothing changes.
@Suite struct BadImportTests {
    static let goodJob = """
        name: customers_daily_development
        fabric: development
        schedule:
          cron: "0 6 * * *"
          timezone: Europe/Berlin
        enabled: false
        max_concurrent_runs: 1
        tasks:
          - key: ingest
            pipeline: ingest
            config: development
          - key: notify
            script: "echo done"
            depends_on: [ingest]

        """

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var file: String
        /// Line replacements in the job file (1-based line → new text), or a whole new text.
        var replace: [Int: String] = [:]
        var text: String? = nil
        var expectedLine: Int?
        var expected: [String]
        var testDescription: String { label }
    }

    static let jobPath = "jobs/customers_daily_development.yaml"
    static let cases: [Case] = [
        Case(label: "malformed YAML", file: jobPath, replace: [13: "    script: \"echo done", 14: "    depends_on: [ingest"],
             expectedLine: nil, expected: ["not valid YAML"]),
        Case(label: "unknown field", file: jobPath, replace: [3: "shedule:"], expectedLine: 3,
             expected: ["unknown field 'shedule'", "did you mean 'schedule'?"]),
        Case(label: "unknown task field", file: jobPath, replace: [11: "    confg: development"], expectedLine: 11,
             expected: ["unknown field 'confg'", "did you mean 'config'?"]),
        Case(label: "wrong type", file: jobPath, replace: [7: "max_concurrent_runs: many"], expectedLine: 7,
             expected: ["max_concurrent_runs must be a whole number, not 'many'"]),
        Case(label: "wrong type of a list", file: jobPath, replace: [8: "tasks: {key: ingest}", 9: "", 10: "", 11: "", 12: "", 13: "", 14: ""], expectedLine: 8, expected: ["tasks must be a list"]),
        Case(label: "invalid cron", file: jobPath, replace: [4: "  cron: \"61 6 * * *\""], expectedLine: 4, expected: ["schedule"]),
        Case(label: "invalid timezone", file: jobPath, replace: [5: "  timezone: Mars/Olympus"], expectedLine: 5,
             expected: ["unknown timezone 'Mars/Olympus'"]),
        Case(label: "cycle in depends_on", file: jobPath, replace: [11: "    config: development\n    depends_on: [notify]"],
             expectedLine: 9, expected: ["cycle", "ingest → notify → ingest"]),
        Case(label: "dangling depends_on", file: jobPath, replace: [14: "    depends_on: [ingset]"], expectedLine: 12,
             expected: ["depends on 'ingset', which is not a task of this job"]),
        Case(label: "unknown pipeline", file: jobPath, replace: [10: "    pipeline: ingestion"], expectedLine: 9,
             expected: ["no pipeline named 'ingestion'"]),
        Case(label: "job naming an unknown fabric", file: jobPath, replace: [2: "fabric: staging"], expectedLine: 2,
             expected: ["names fabric 'staging', which does not exist"]),
        // Duplicate keys: Yams names only the first; the problem points at the second, naming both lines.
        Case(label: "duplicate field", file: jobPath, replace: [7: "max_concurrent_runs: 1\nenabled: true"], expectedLine: 8,
             expected: ["field 'enabled' appears twice", "lines 6 and 8"]),
        Case(label: "duplicate field in a task", file: jobPath, replace: [11: "    config: development\n    pipeline: clean"], expectedLine: 12,
             expected: ["field 'pipeline' appears twice", "lines 10 and 12"]),
        Case(label: "duplicate field in a nested mapping", file: jobPath, replace: [5: "  timezone: Europe/Berlin\n  cron: \"0 7 * * *\""], expectedLine: 6,
             expected: ["field 'cron' appears twice", "lines 4 and 6"]),
        Case(label: "duplicate task key", file: jobPath, replace: [12: "  - key: ingest"], expectedLine: 12,
             expected: ["task key 'ingest' is used twice (lines 9 and 12)", "rename or remove one"]),
        Case(label: "control character", file: jobPath, replace: [13: "    script: \"echo \u{1B}[2J done\""], expectedLine: 13,
             expected: ["control character U+001B at byte offset", "printable"]),
        Case(label: "duplicate pipeline field", file: "pipelines/ingest/pipeline.yaml",
             text: "name: ingest\nkind: python\nentry: main.py\nkind: shell\n", expectedLine: 4,
             expected: ["field 'kind' appears twice", "lines 2 and 4"]),
    ]

    func source(_ c: Case) throws -> String {
        let dir = NSTemporaryDirectory() + "weft-import-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: DemoWorkspace.projectSource, toPath: dir)
        var lines = Self.goodJob.components(separatedBy: "\n")
        for (n, text) in c.replace { lines[n - 1] = text }
        try (c.text ?? lines.joined(separator: "\n")).write(toFile: dir + "/" + c.file, atomically: true, encoding: .utf8)
        return dir
    }

    func expectNothingChanged(_ t: TempWorkspace, before: String, head: String?, name: String) throws {
        #expect(try t.metastoreSnapshot() == before)
        #expect(t.head() == head)
        #expect(try t.ws.projects().map(\.name) == ["customer_analytics"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: t.ws.projectsDirectory).filter { $0 != "customer_analytics" }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    @Test func theUnmodifiedSourceImports() throws {
        let t = try TempWorkspace()
        let dir = try source(Case(label: "good", file: Self.jobPath, expected: []))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try t.ws.createProject(t.alice, name: "imported", owner: "developers", from: dir)
        #expect(try t.ws.listJobs(t.alice, project: "imported").jobs.map(\.job.name) == ["customers_daily_development"])
    }

    @Test(arguments: cases)
    func badImport(_ c: Case) throws {
        let t = try TempWorkspace()
        let dir = try source(c)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try t.metastoreSnapshot()
        let head = t.head()
        var thrown: (any Error)?
        do { try t.ws.createProject(t.alice, name: "imported", owner: "developers", from: dir) } catch { thrown = error }
        guard let thrown, let ps = problems(of: thrown) else {
            Issue.record("\(c.label): expected invalid input, got \(String(describing: thrown))")
            return
        }
        let text = "\(thrown)"
        let hit = ps.first { p in c.expected.allSatisfy { p.message.contains($0) } }
        #expect(hit != nil, "\(c.label): \(text)")
        #expect(hit?.file == c.file, "\(c.label): \(text)")
        if let line = c.expectedLine {
            #expect(hit?.line == line, "\(c.label): \(text)")
            #expect(text.contains("\(c.file):\(line): "), "\(c.label): \(text)")
        } else {
            #expect(hit?.line != nil, "\(c.label): \(text)")
        }
        try expectNothingChanged(t, before: before, head: head, name: "imported")
    }

    @Test func plainTextSecretInAPipelineInstance() throws {
        let t = try TempWorkspace()
        let dir = try source(Case(label: "", file: Self.jobPath, expected: []))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/pipelines/clean/pipeline.yaml"
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let i = try #require(lines.lastIndex { $0.contains("salt: {secret: anonymisation_salt}") })
        lines[i] = "      salt: \"hunter2-plain\""
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let before = try t.metastoreSnapshot()
        let head = t.head()
        let error = #expect(throws: WeftError.self) {
            try t.ws.createProject(t.alice, name: "imported", owner: "developers", from: dir)
        }
        let ps = error.flatMap { problems(of: $0) } ?? []
        let hit = ps.first { $0.message.contains("plain-text secrets are rejected") }
        #expect(hit?.file == "pipelines/clean/pipeline.yaml", "\(ps)")
        #expect(hit?.line == i + 1, "\(ps)")
        #expect(!"\(error.map { "\($0)" } ?? "")".contains("hunter2-plain"))
        try expectNothingChanged(t, before: before, head: head, name: "imported")
    }

    /// Bytes that are not UTF-8 text, written as a job or a pipeline file: refused with the file and the byte offset.
    struct BinaryCase: Sendable, CustomTestStringConvertible {
        var label: String
        var file: String
        var bytes: [UInt8]
        var expected: [String]
        var testDescription: String { label }
    }

    /// 4 KiB of pseudo-random bytes (a fixed seed, so the offset is known).
    static let randomBytes: [UInt8] = {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<4096).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: x >> 56)
        }
    }()

    static let binaryCases: [BinaryCase] = [
        BinaryCase(label: "random bytes as a job", file: "jobs/random.yaml", bytes: randomBytes,
                   expected: ["at byte offset \(firstBadOffset(randomBytes))", "UTF-8"]),
        BinaryCase(label: "a binary file beside the jobs", file: "jobs/logo.png", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
                   expected: ["byte 0x89 at byte offset 0", "jobs/ holds job files"]),
        BinaryCase(label: "a NUL byte in a job", file: jobPath, bytes: Array("name: customers_daily_development\n".utf8) + [0, 0, 0],
                   expected: ["a binary file (a NUL byte at byte offset 34)"]),
        BinaryCase(label: "Latin-1 in a job", file: jobPath,
                   bytes: Array("name: customers_daily_development\ndescription: caf".utf8) + [0xE9] + Array("\n".utf8),
                   expected: ["not UTF-8 text: byte 0xE9 at byte offset 50"]),
        BinaryCase(label: "Latin-1 in a pipeline", file: "pipelines/clean/pipeline.yaml", bytes: Array("name: clean\ndescription: na".utf8) + [0xEF, 0x76, 0x65],
                   expected: ["not UTF-8 text: byte 0xEF at byte offset 27"]),
        BinaryCase(label: "a truncated sequence at the end", file: "pipelines/clean/pipeline.yaml", bytes: Array("name: clean\n".utf8) + [0xE2, 0x82],
                   expected: ["byte 0xE2 at byte offset 12"]),
        BinaryCase(label: "an overlong encoding", file: jobPath, bytes: Array("name: a".utf8) + [0xC0, 0xAF], expected: ["byte 0xC0 at byte offset 7"]),
        BinaryCase(label: "a C1 control (CSI) in a job", file: jobPath, bytes: Array("name: a\ndescription: x".utf8) + [0xC2, 0x9B] + Array("2J\n".utf8),
                   expected: ["control character U+009B at byte offset 22"]),
    ]

    static func firstBadOffset(_ bytes: [UInt8]) -> Int {
        ProjectText.problem(in: Data(bytes), file: "x").flatMap { p in
            p.message.split(separator: " ").firstIndex(of: "offset").map { i in Int(p.message.split(separator: " ")[i + 1].filter(\.isNumber)) ?? -1 }
        } ?? -1
    }

    @Test(arguments: binaryCases)
    func binaryFilesAreRefusedWithTheirOffset(_ c: BinaryCase) throws {
        let t = try TempWorkspace()
        let dir = try source(Case(label: "", file: Self.jobPath, expected: []))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(c.bytes).write(to: URL(fileURLWithPath: dir + "/" + c.file))
        let before = try t.metastoreSnapshot()
        let head = t.head()
        let error = #expect(throws: WeftError.self) {
            try t.ws.createProject(t.alice, name: "imported", owner: "developers", from: dir)
        }
        let ps = error.flatMap { problems(of: $0) } ?? []
        let hit = ps.first { p in c.expected.allSatisfy { p.message.contains($0) } }
        #expect(hit?.file == c.file, "\(c.label): \(ps)")
        #expect(hit?.line != nil, "\(c.label): \(ps)")
        try expectNothingChanged(t, before: before, head: head, name: "imported")
    }

    @Test func unknownOwnerTeam() throws {
        let t = try TempWorkspace()
        let before = try t.metastoreSnapshot()
        #expect(throws: WeftError.notFound(kind: "team", name: "nope", hint: "create it first with 'weft team create nope'")) {
            try t.ws.createProject(t.admin, name: "imported", owner: "nope", from: DemoWorkspace.projectSource)
        }
        try expectNothingChanged(t, before: before, head: t.head(), name: "imported")
    }
}

/// Optimistic concurrency in-process: an editor holding an old version gets a conflict and overwrites nothing.
@Suite struct InProcessConflictTests {
    @Test func staleEditorGetsAConflictAndNothingIsOverwritten() throws {
        let t = try TempWorkspace()
        let ws = t.ws
        try ws.duplicateJob(t.bob, "customers_daily_development", fabric: "production")
        // B reads.
        let stale = try ws.job(t.bob, "customers_daily_production")
        // A writes.
        let a = try ws.configureTask(t.bob, "customers_daily_production", task: "ingest", instance: nil, assignments: ["sample_rate=0.9"])
        #expect(a.blob != stale.blob)
        let headAfterA = t.head()
        let fileAfterA = try String(contentsOfFile: t.project + "/" + a.path, encoding: .utf8)

        // B's whole-job update with the old version.
        var mine = stale.job
        mine.maxConcurrentRuns = 5
        #expect {
            try ws.updateJob(t.bob, stale, to: mine, action: .editJob, message: "B", detail: "")
        } throws: { error in
            guard let e = error as? WeftError, case .conflict(let m) = e else { return false }
            return m.contains("changed by someone else") && e.exitCode == 4
        }
        // B's task edit and enable with the old blob.
        #expect {
            try ws.configureTask(t.bob, "customers_daily_production", task: "ingest", instance: nil, assignments: ["sample_rate=0.1"], expectedBlob: stale.blob)
        } throws: { ($0 as? WeftError)?.exitCode == 4 }
        #expect {
            try ws.setEnabled(t.bob, "customers_daily_production", enabled: true, expectedBlob: stale.blob)
        } throws: { ($0 as? WeftError)?.exitCode == 4 }

        #expect(t.head() == headAfterA)
        #expect(try String(contentsOfFile: t.project + "/" + a.path, encoding: .utf8) == fileAfterA)
        let now = try ws.job(t.bob, "customers_daily_production")
        #expect(now.blob == a.blob)
        #expect(now.job.task("ingest")?.overrides["sample_rate"] == .double(0.9))
        #expect(now.job.maxConcurrentRuns == 1 && !now.job.enabled)
        #expect(try t.gitStatus().isEmpty)
        // With the current version B succeeds.
        try ws.updateJob(t.bob, now, to: { var j = now.job; j.maxConcurrentRuns = 5; return j }(), action: .editJob, message: "B", detail: "")
        #expect(try ws.job(t.bob, "customers_daily_production").job.maxConcurrentRuns == 5)
    }

    @Test func duplicatingOntoAnExistingNameIsRefused() throws {
        let t = try TempWorkspace()
        try t.ws.duplicateJob(t.bob, "customers_daily_development", fabric: "production")
        let head = t.head()
        #expect(throws: WeftError.alreadyExists(kind: "job", name: "customer_analytics/customers_daily_production")) {
            try t.ws.duplicateJob(t.bob, "customers_daily_development", fabric: "production")
        }
        #expect(t.head() == head)
    }
}

/// Files committed with plain git are read from HEAD as bytes: one that is not UTF-8 text is listed as a problem
/// with its byte offset (never read with replacement characters), and a run of it is refused.
@Suite struct BinaryFilesAtHEADTests {
    @Test func aBinaryJobCommittedWithGitIsReportedWithItsOffset() throws {
        let t = try TempWorkspace()
        let bytes = Array("name: evil\nfabric: development\ndescription: ".utf8) + [0xFF, 0xFE, 0x00, 0x1B] + Array("[2J\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: t.project + "/jobs/evil.yaml"))
        let g = t.ws.git("customer_analytics")
        try g.run(["add", "jobs/evil.yaml"])
        try g.run(["commit", "-q", "-m", "by hand"], author: Git.Author(name: "mallory", email: "m@example.com"))
        let (jobs, broken) = try t.ws.listJobs(t.alice, project: "customer_analytics")
        #expect(jobs.map(\.job.name) == ["customers_daily_development"])
        let problem = try #require(broken.first { $0.path == "jobs/evil.yaml" }?.problems.first)
        #expect(problem.file == "jobs/evil.yaml" && problem.line == 3, "\(problem)")
        #expect(problem.message.contains("byte 0xFF at byte offset 44"), "\(problem)")
        #expect(!problem.message.contains("\u{FFFD}"))
        // Reading it at the revision (as a run does) refuses it the same way.
        let head = try t.ws.headCommit(project: "customer_analytics")
        #expect {
            try t.ws.jobAtRevision(project: "customer_analytics", job: "evil", path: "jobs/evil.yaml", commit: head)
        } throws: { error in
            problems(of: error)?.first?.message.contains("byte offset 44") == true
        }
    }

    /// A value with control characters set through Weft is escaped in the YAML it commits and reads back exactly.
    @Test func controlCharactersInAValueAreEscapedInTheCommittedFile() throws {
        let t = try TempWorkspace()
        let value = "a\u{1B}[2J\u{7F}\u{9B}b"
        let record = try t.ws.job(t.alice, "customers_daily_development")
        var job = record.job
        job.description = value
        _ = try t.ws.updateJob(t.alice, record, to: job, action: .editJob, message: "describe", detail: "")
        let text = try String(contentsOfFile: t.project + "/" + record.path, encoding: .utf8)
        #expect(ProjectText.problem(in: Data(text.utf8), file: record.path) == nil, "\(text)")
        #expect(text.contains(#"a\x1B[2J\x7F\x9Bb"#), "\(text)")
        #expect(try t.ws.job(t.alice, "customers_daily_development").job.description == value)
    }
}

/// Fabric, team, user, project and job names are unique ignoring case and Unicode compatibility forms (NFKC):
/// the new one is refused naming the existing one, and nothing changes.
@Suite struct LookAlikeNameTests {
    @Test(arguments: ["Production", "PRODUCTION", "ｐｒｏｄｕｃｔｉｏｎ", "Ｐroduction"])
    func aFabricNamedLikeAnExistingOneIsRefused(_ name: String) throws {
        let t = try TempWorkspace()
        let before = try t.metastoreSnapshot()
        let e = #expect(throws: WeftError.self) {
            try t.ws.createFabric(t.admin, Fabric(name: name, ownerTeam: "developers", stage: .production, kind: .local), schema: TestSchemas.local)
        }
        #expect("\(e.map { "\($0)" } ?? "")".contains("a fabric named 'production' exists already"), "\(String(describing: e))")
        #expect(e?.exitCode == 1)
        #expect(try t.metastoreSnapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: t.ws.dataRoot(fabric: name)))
    }

    @Test func teamsUsersAndProjectsToo() throws {
        let t = try TempWorkspace()
        let before = try t.metastoreSnapshot()
        for (attempt, existing) in [
            ({ try t.ws.createTeam(t.admin, name: "Prod_Support") }, "prod_support"),
            ({ try t.ws.createTeam(t.admin, name: "ｄｅｖｅｌｏｐｅｒｓ") }, "developers"),
            ({ try t.ws.createUser(t.admin, name: "Alice", password: "correct horse battery") }, "alice"),
            ({ try t.ws.createProject(t.alice, name: "Customer_Analytics", owner: "developers") }, "customer_analytics"),
        ] as [(() throws -> Void, String)] {
            let e = #expect(throws: WeftError.self) { try attempt() }
            #expect("\(e.map { "\($0)" } ?? "")".contains("named '\(existing)' exists already"), "\(String(describing: e))")
        }
        #expect(try t.metastoreSnapshot() == before)
        // The same name exactly is still "exists already".
        #expect(throws: WeftError.alreadyExists(kind: "team", name: "developers")) { try t.ws.createTeam(t.admin, name: "developers") }
    }

    @Test func aJobNamedLikeAnExistingOneIsRefused() throws {
        let t = try TempWorkspace()
        try t.ws.duplicateJob(t.bob, "customers_daily_development", fabric: "production")
        let head = t.head()
        let e = #expect(throws: WeftError.self) {
            try t.ws.duplicateJob(t.bob, "customers_daily_development", fabric: "production", name: "Customers_Daily_Production")
        }
        #expect("\(e.map { "\($0)" } ?? "")".contains("a job named 'customers_daily_production' exists already"), "\(String(describing: e))")
        #expect(t.head() == head)
        #expect(try t.gitStatus().isEmpty)
    }

    @Test func anImportWithTwoLookAlikeJobsIsRefused() throws {
        let t = try TempWorkspace()
        let dir = NSTemporaryDirectory() + "weft-import-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: DemoWorkspace.projectSource, toPath: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = try String(contentsOfFile: dir + "/jobs/customers_daily_development.yaml", encoding: .utf8)
        try text.replacingOccurrences(of: "name: customers_daily_development", with: "name: Customers_Daily_Development")
            .write(toFile: dir + "/jobs/Customers_Daily_Development.yaml", atomically: true, encoding: .utf8)
        let before = try t.metastoreSnapshot()
        let e = #expect(throws: WeftError.self) { try t.ws.createProject(t.alice, name: "imported", owner: "developers", from: dir) }
        let ps = e.flatMap { problems(of: $0) } ?? []
        #expect(ps.contains { $0.message.contains("the same as job 'Customers_Daily_Development'") && $0.file == "jobs/customers_daily_development.yaml" }, "\(ps)")
        #expect(try t.metastoreSnapshot() == before)
    }

    @Test func theComparisonKey() {
        #expect(Names.comparisonKey("ｐｒｏｄｕｃｔｉｏｎ") == "production")
        #expect(Names.comparisonKey("Production") == "production")
        #expect(Names.clash("Ｄev", with: ["qa", "dev"]) == "dev")
        #expect(Names.clash("qa2", with: ["qa", "dev"]) == nil)
    }
}

/// `weft audit --fabric F` by someone outside F's team is a denial (audited), not an empty answer.
@Suite struct AuditOfAFabricTests {
    @Test func outsidersAreDeniedAndTheDenialIsAudited() throws {
        let t = try TempWorkspace()
        let mark = try t.lastAuditID()
        let e = #expect(throws: WeftError.self) { try t.ws.auditEvents(t.alice, fabric: "production") }
        #expect(e?.exitCode == 3)
        let d = try #require(e.flatMap { denial(of: $0) })
        #expect(d.description.contains("alice") && d.description.contains("production") && d.description.contains("prod_support"), "\(d)")
        let audited = try t.audit(after: mark)
        #expect(audited.contains { $0.user == "alice" && $0.result == .denied && $0.fabric == "production" }, "\(audited)")
        // Members and admins still read it; an unknown fabric is not an empty table either.
        #expect(throws: Never.self) { try t.ws.auditEvents(t.bob, fabric: "production") }
        #expect(throws: Never.self) { try t.ws.auditEvents(t.admin, fabric: "production") }
        #expect(throws: WeftError.self) { try t.ws.auditEvents(t.alice, fabric: "nope") }
        #expect(throws: Never.self) { try t.ws.auditEvents(t.alice, fabric: "development") }
    }
}
