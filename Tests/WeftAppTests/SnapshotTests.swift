import Foundation
import TerminalUI
import Testing
import WeftDomain
@testable import WeftApp

/// 100×30 monochrome frames of every screen, compared with text snapshots in `Tests/snapshots/`.
/// Set WEFT_RECORD_SNAPSHOTS=1 to (re)write them; a missing snapshot is written and the test fails once.
@Suite("frames: 100×30 monochrome snapshots")
struct SnapshotTests {
    func check(_ name: String, _ state: AppState, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = Fixtures.render(state)
        let text = lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n") + "\n"
        let path = Fixtures.repoRoot + "/Tests/snapshots/\(name).txt"
        let record = ProcessInfo.processInfo.environment["WEFT_RECORD_SNAPSHOTS"] == "1"
        if record || !FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? Data(text.utf8).write(to: URL(fileURLWithPath: path))
            if !record { Issue.record("recorded a new snapshot \(name); check it and run again", sourceLocation: sourceLocation) }
            return
        }
        let expected = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if expected != text {
            Issue.record("frame \(name) differs from \(path):\n\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func login() {
        var s = AppState(workspace: "/tmp/demo", size: Size(width: 100, height: 30), theme: .monochrome, demoLogins: [
            DemoLogin(user: "alice", password: "alice-demo-pw", role: "developer (team developers)"),
            DemoLogin(user: "bob", password: "bob-demo-pw", role: "production support"),
        ])
        for c in "bob" { _ = AppUpdate.update(&s, .key(.character(c))) }
        _ = AppUpdate.update(&s, .key(.tab))
        for c in "wrong" { _ = AppUpdate.update(&s, .key(.character(c))) }
        check("login-typing", s)
        _ = AppUpdate.update(&s, .key(.enter))
        _ = AppUpdate.update(&s, .loginFailed("wrong user name or password for 'bob'"))
        check("login-error", s)
    }

    @Test func mainScreens() {
        check("main-bob-jobs", Fixtures.main("bob"))
        var alice = Fixtures.main("alice")
        _ = AppUpdate.update(&alice, .key("j"))
        check("main-alice-production-job", alice)
        var fabrics = Fixtures.main("alice")
        _ = AppUpdate.update(&fabrics, .key(.backTab))
        _ = AppUpdate.update(&fabrics, .key("j"))
        check("main-alice-production-fabric", fabrics)
        var filtered = Fixtures.main("bob")
        _ = AppUpdate.update(&filtered, .key("/"))
        for c in "dev" { _ = AppUpdate.update(&filtered, .key(.character(c))) }
        check("main-filter", filtered)
    }

    @Test func jobDetail() {
        var s = Fixtures.main("bob")
        _ = AppUpdate.update(&s, .key("j"))
        _ = AppUpdate.update(&s, .key(.enter))
        _ = AppUpdate.update(&s, .key("j"))
        check("job-detail-production", s)
    }

    @Test func dialogs() {
        var s = Fixtures.main("alice")
        _ = AppUpdate.update(&s, .key("D"))
        _ = AppUpdate.update(
            &s, .duplicatePlanned(DuplicatePreview(fabric: "development", isProduction: false, name: "customers_daily_development_2", mapped: [], unmapped: [], tasks: ["ingest", "clean", "aggregate", "notify"])))
        check("duplicate-alice", s)

        var b = Fixtures.main("bob")
        _ = AppUpdate.update(&b, .key("D"))
        _ = AppUpdate.update(
            &b, .duplicatePlanned(DuplicatePreview(fabric: "production", isProduction: true, name: "customers_daily_production", mapped: ["aggregate: development → production", "clean: development → production", "ingest: development → production"], unmapped: [], tasks: ["ingest", "clean", "aggregate", "notify"])))
        check("duplicate-bob-production", b)
        _ = AppUpdate.update(&b, .key(.enter))
        for c in "prod" { _ = AppUpdate.update(&b, .key(.character(c))) }
        check("confirm-typed-production", b)

        var f = Fixtures.main("bob")
        var form = ConfigFormState(
            ref: Fixtures.prodJob.qualifiedName, task: "ingest", jobName: "customers_daily_production", fabric: Fixtures.production, pipeline: Fixtures.ingest,
            blob: "b2", instance: "production", overrides: [:])
        form.focus = 3
        form.fields[2].input = TextInput("1.5")
        form.validate(2)
        f.overlay = .configForm(form)
        check("config-form", f)

        var h = Fixtures.main("alice")
        _ = AppUpdate.update(&h, .key("j"))
        _ = AppUpdate.update(&h, .key("?"))
        check("help-alice", h)

        var p = Fixtures.main("bob")
        _ = AppUpdate.update(&p, .failed(operation: "Enable customers_daily_production", message: "", problems: ["customers_daily_production cannot be enabled:", "task 'clean': required value 'salt' of pipeline clean is not set"]))
        check("enable-problems", p)
    }

    @Test func runView() {
        var s = Fixtures.main("alice")
        var run = Fixtures.run
        run.state = .running
        run.finishedAt = nil
        let tasks = [
            TaskRunRecord(runID: run.id, key: "ingest", state: .success, attempt: 1, progress: 1, startedAt: Fixtures.epoch, finishedAt: Fixtures.epoch.addingTimeInterval(2)),
            TaskRunRecord(runID: run.id, key: "clean", state: .running, attempt: 1, progress: 0.4, progressMessage: "hashed 80/200 e-mails", startedAt: Fixtures.epoch.addingTimeInterval(2)),
            TaskRunRecord(runID: run.id, key: "aggregate", state: .pending),
            TaskRunRecord(runID: run.id, key: "notify", state: .pending),
        ]
        let estimator = RunEstimator(runDurations: [10], taskDurations: ["ingest": [2], "clean": [5], "aggregate": [2], "notify": [1]])
        _ = AppUpdate.update(&s, .runStarted(run, tasks, estimator))
        _ = AppUpdate.update(&s, .key("j"))
        _ = AppUpdate.update(&s, .runEvent(.taskLog(runID: run.id, task: "clean", line: "cleaning 200 rows — 顧客データ")))
        _ = AppUpdate.update(&s, .ticked(Fixtures.epoch.addingTimeInterval(4)))
        s.status = nil
        check("run-view", s)
        _ = AppUpdate.update(&s, .logLoaded(runID: run.id, task: "clean", lines: (1...40).map { "line \($0)" + ($0 % 10 == 0 ? " warning" : "") }))
        _ = AppUpdate.update(&s, .key("/"))
        for c in "warn" { _ = AppUpdate.update(&s, .key(.character(c))) }
        _ = AppUpdate.update(&s, .key(.enter))
        check("log-search", s)
    }

    @Test func diffAndAudit() {
        var s = Fixtures.main("bob")
        var prod = Fixtures.prodJob
        prod.job.tasks[0].action = .pipeline(name: "ingest", config: "production", overrides: ["sample_rate": .double(0.8)])
        let diff = [
            JobDifference(path: "fabric", left: "production", right: "development"),
            JobDifference(path: "enabled", left: "false", right: "true"),
            JobDifference(path: "tasks.ingest.config", left: "production", right: "development"),
            JobDifference(path: "tasks.ingest.values.sample_rate", left: "0.8", right: "0.5"),
            JobDifference(path: "tasks.ingest.overrides.sample_rate", left: "0.8", right: nil),
        ]
        _ = AppUpdate.update(&s, .diffLoaded(DiffState(left: prod, right: Fixtures.devJob, differences: diff)))
        check("diff", s)
        var a = Fixtures.main("bob")
        let events = [
            AuditEvent(at: Fixtures.epoch, user: "bob", action: "job.duplicate", object: "job customers_daily_production on fabric production", fabric: "production", project: "customer_analytics", result: .allowed, detail: "from customers_daily_development"),
            AuditEvent(at: Fixtures.epoch.addingTimeInterval(-60), user: "alice", action: "job.enable", object: "job customers_daily_production on fabric production", fabric: "production", project: "customer_analytics", result: .denied, detail: "permission denied"),
        ]
        _ = AppUpdate.update(&a, .auditLoaded(events))
        check("audit", a)
    }

    @Test func productionFramesUseTheProductionRole() {
        var s = Fixtures.main("bob")
        _ = AppUpdate.update(&s, .key("j"))
        _ = AppUpdate.update(&s, .key(.enter))
        let buffer = Fixtures.buffer(s)
        // The job detail frame's corner is drawn in the production role (bold + underline in monochrome).
        #expect(buffer[0, 1].style.attributes.contains(.underline))
        #expect(buffer[0, 1].style == Theme.monochrome[.production])
    }

    @Test func greyedKeysAreDrawnDisabled() {
        var s = Fixtures.main("alice")
        _ = AppUpdate.update(&s, .key("j"))
        let buffer = Fixtures.buffer(s)
        let bar = buffer.textLines()[29]
        guard let r = bar.range(of: "r run") else {
            Issue.record("no r hint in \(bar)")
            return
        }
        let x = bar.distance(from: bar.startIndex, to: r.lowerBound)
        #expect(buffer[x, 29].style == Theme.monochrome[.statusBar].patched(with: Theme.monochrome[.disabled]))
    }
}
