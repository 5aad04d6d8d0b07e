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
