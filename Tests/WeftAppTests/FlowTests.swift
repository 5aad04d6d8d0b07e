import Foundation
import TerminalUI
import Testing
import WeftDomain
import WeftEngine
import WeftStore
@testable import WeftApp

/// The real app (runtime, effects, workspace, local engine) driven by keys on a `TestBackend` against a fresh demo
/// workspace. No sleeps: each key waits until no effect is in flight; runs are awaited by condition.
@MainActor
@Suite("flows: the seed scenario in-process", .serialized)
struct FlowTests {
    let root: String
    let workspace: Workspace
    let runs: RunService

    init() throws {
        root = NSTemporaryDirectory() + "weft-flow-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try DemoWorkspace.ensure(at: root)
        workspace = try Workspace.open(at: root)
        runs = RunService(workspace: workspace)
    }

    func app(_ user: String, _ password: String) throws -> AppRuntime {
        let backend = TestBackend(width: 120, height: 40, recordsFrames: false)
        let app = try WeftTUI.makeRuntime(
            workspace: workspace, backend: backend, themeName: "monochrome", environment: ["XDG_CONFIG_HOME": root + "/config"], runs: runs)
        app.render()
        app.type(user)
        app.press(.tab)
        app.type(password)
        app.press(.enter)
        #expect(app.state.principal?.name == user, "login failed: \(app.state.login.error ?? "")")
        return app
    }

    func screen(_ app: AppRuntime) -> String { app.screenText.joined(separator: "\n") }

    func waitForRun(_ app: AppRuntime, _ sourceLocation: SourceLocation = #_sourceLocation) -> RunViewState? {
        let ok = app.waitUntil(timeout: 120) { s in
            guard case .run(let id)? = s.topRoute, let v = s.runViews[id] else { return false }
            return v.run.state.isFinished && !v.isLive
        }
        #expect(ok, "the run did not finish:\n\(screen(app))", sourceLocation: sourceLocation)
        guard case .run(let id)? = app.state.topRoute else { return nil }
        return app.state.runViews[id]
    }

    @Test func seedScenario() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        // alice runs the development job and watches it succeed.
        let alice = try app("alice", "alice-demo-pw")
        #expect(alice.state.data.jobs.map(\.record.job.name) == ["customers_daily_development"])
        alice.press("r")
        let devRun = waitForRun(alice)
        #expect(devRun?.run.state == .success)
        #expect(devRun?.tasks.allSatisfy { $0.state == .success } == true)
        #expect(screen(alice).contains("✓ success"))
        alice.press(.escape)
        // She cannot duplicate onto production: the dialog shows it greyed with the reason.
        alice.press("D")
        #expect(screen(alice).contains("✗ production — permission denied: alice may not duplicate a job onto fabric production"))
        alice.press(.escape)
        alice.press("q")
        #expect(alice.state.shouldQuit)

        // bob duplicates the job onto production.
        let bob = try app("bob", "bob-demo-pw")
        bob.press("D")
        guard case .duplicate(let d)? = bob.state.overlay else {
            Issue.record("no duplicate dialog:\n\(screen(bob))")
            return
        }
        #expect(d.target == "production")
        #expect(d.preview?.name == "customers_daily_production")
        #expect(d.preview?.mapped.count == 3)
        bob.press(.enter)
        #expect(screen(bob).contains("Type the fabric's name (production) to confirm"))
        bob.type("production")
        bob.press(.enter)
        #expect(bob.state.topRoute == .jobDetail(JobDetailState(ref: "customer_analytics/customers_daily_production")), "\(screen(bob))")
        let prod = try workspace.job(workspace.login(user: "bob", password: "bob-demo-pw"), "customers_daily_production")
        #expect(prod.job.basedOn?.job == "customers_daily_development")
        #expect(!prod.job.enabled)

        // He sets the production configuration of ingest in the form (sample_rate 0.8), confirming with the fabric's name.
        bob.press("e")
        guard case .configForm(let form)? = bob.state.overlay else {
            Issue.record("no form:\n\(screen(bob))")
            return
        }
        #expect(form.instanceName == "production")
        bob.press(.down, .down)
        bob.press(.ctrl("u"))
        bob.type("7")
        #expect(screen(bob).contains("above the maximum 1"))
        bob.press(.backspace)
        bob.type("0.8")
        bob.press(.enter)
        bob.type("production")
        bob.press(.enter)
        #expect(bob.state.overlay == nil, "\(screen(bob))")
        #expect(bob.state.status?.text.hasPrefix("Saved") == true, "\(bob.state.status?.text ?? "")")

        // The same in $EDITOR: an invalid value reopens the editor with the error on top; the fix is saved.
        var edits = 0
        bob.editor = { path in
            edits += 1
            guard var text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
            if edits == 1 {
                text = text.replacingOccurrences(of: "batch_size: 500", with: "batch_size: 0")
            } else {
                #expect(text.contains("# ERRORS"))
                #expect(text.contains("below the minimum 1"))
                text = text.replacingOccurrences(of: "batch_size: 0", with: "batch_size: 400")
            }
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        bob.press("E")
        #expect(edits == 2)
        bob.type("production")
        bob.press(.enter)
        let configured = try workspace.job(workspace.login(user: "bob", password: "bob-demo-pw"), "customers_daily_production")
        #expect(configured.job.task("ingest")?.overrides == ["sample_rate": .double(0.8), "batch_size": .int(400)])

        // He enables it (typed confirmation) and runs it; every task succeeds.
        bob.press("t")
        bob.type("production")
        bob.press(.enter)
        #expect(bob.state.status?.text == "customers_daily_production is now enabled", "\(screen(bob))")
        // r on production shows what will run and wants the fabric's name: a wrong word starts nothing.
        let runsBefore = try workspace.metastore.runs(project: nil, job: "customers_daily_production", fabrics: ["production"], states: nil, limit: 10).count
        bob.press("r")
        guard case .confirm(let runConfirm)? = bob.state.overlay else {
            Issue.record("r on production asked nothing:\n\(screen(bob))")
            return
        }
        #expect(runConfirm.typed == "production" && runConfirm.title == "Run a production job", "\(runConfirm)")
        #expect(runConfirm.body.contains("Revision: HEAD of customer_analytics, not released (nothing is deployed on production)."), "\(runConfirm.body)")
        #expect(screen(bob).contains("Run a production job"), "\(screen(bob))")
        bob.type("productio")
        bob.press(.enter)
        #expect(bob.state.status?.text == "type production exactly to confirm (or Esc to cancel)")
        #expect(try workspace.metastore.runs(project: nil, job: "customers_daily_production", fabrics: ["production"], states: nil, limit: 10).count == runsBefore)
        bob.type("n")
        bob.press(.enter)
        let prodRun = waitForRun(bob)
        #expect(prodRun?.run.state == .success, "\(screen(bob))")
        #expect(prodRun?.tasks.map(\.state) == [.success, .success, .success, .success])
        #expect(FileManager.default.fileExists(atPath: workspace.dataRoot(fabric: "production") + "/customer_analytics"))
        // The full log of a task opens with l.
        bob.press("l")
        guard case .log(let log)? = bob.state.topRoute else {
            Issue.record("no log screen")
            return
        }
        #expect(!log.lines.isEmpty)
        bob.press(.escape, .escape)

        // The diff shows what he changed against the development source.
        bob.press("d")
        guard case .diff(let diff)? = bob.state.topRoute else {
            Issue.record("no diff:\n\(screen(bob))")
            return
        }
        let paths = diff.differences.map(\.path)
        #expect(paths.contains("tasks.ingest.values.sample_rate"))
        #expect(paths.contains("tasks.ingest.config"))
        #expect(screen(bob).contains("tasks.ingest.values.sample_rate"))
        bob.press(.escape, .escape)

        // alice now sees the production job but not its runs, and may not enable/run it.
        let alice2 = try app("alice", "alice-demo-pw")
        alice2.press("j")
        #expect(alice2.state.selectedJob?.record.job.name == "customers_daily_production")
        #expect(alice2.state.runsHidden?.contains("only members of team prod_support") == true)
        alice2.press("t")
        #expect(alice2.state.status?.text.contains("alice may not disable job customers_daily_production") == true)
        // The audit timeline lists bob's changes.
        alice2.press(":")
        alice2.type("audit")
        alice2.press(.enter)
        guard case .audit(let audit)? = alice2.state.topRoute else {
            Issue.record("no audit view")
            return
        }
        #expect(audit.events.contains { $0.user == "alice" })
    }

    /// The seed scenario's last step by keyboard: bob releases with R (version, plan per fabric, the production
    /// name typed, live progress), deploying again is a no-op, a later commit is promoted with p in the diff view,
    /// and production keeps running the release.
    @Test func releaseAndPromoteByKeyboard() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bobP = try workspace.login(user: "bob", password: "bob-demo-pw")
        _ = try workspace.duplicateJob(bobP, "customers_daily_development", fabric: "production", name: "customers_daily_production")
        let bob = try app("bob", "bob-demo-pw")
        bob.press("R")
        guard case .release(let dialog)? = bob.state.overlay else {
            Issue.record("no release dialog:\n\(screen(bob))")
            return
        }
        #expect(dialog.version.value == "1.0.0", "the first release is suggested as 1.0.0")
        bob.press(.enter)
        guard case .release(let planned)? = bob.state.overlay, let preview = planned.preview else {
            Issue.record("no plan:\n\(screen(bob))")
            return
        }
        #expect(preview.toApply == ["development", "production"], "\(preview)")
        #expect(preview.lines.contains("  + add customers_daily_production"), "\(preview.lines)")
        #expect(screen(bob).contains("→ fabric production"), "\(screen(bob))")
        #expect(try workspace.git("customer_analytics").run(["tag"]).isEmpty, "planning tags nothing")
        bob.press(.enter)
        #expect(screen(bob).contains("Type the fabric's name (production) to confirm"), "\(screen(bob))")
        bob.type("prod")
        bob.press(.enter)
        #expect(bob.state.topRoute == nil, "a wrong name does not release")
        bob.type("uction")
        bob.press(.enter)
        let done = bob.waitUntil(timeout: 120) { s in
            guard case .release(let r)? = s.topRoute else { return false }
            return r.isFinished
        }
        #expect(done, "the release did not finish:\n\(screen(bob))")
        guard case .release(let progress)? = bob.state.topRoute else { return }
        #expect(progress.error == nil, "\(progress.error ?? "")")
        #expect(progress.state(of: "test") == .done && progress.state(of: "deploy", fabric: "production") == .done, "\(progress.lines)")
        #expect(progress.lines.contains { $0.step == "tag" && $0.text.contains("tagged customer_analytics/1.0.0") }, "\(progress.lines)")
        #expect(screen(bob).contains("deploy production") && screen(bob).contains("Released customer_analytics/1.0.0"), "\(screen(bob))")
        #expect(try workspace.deployedJob(fabric: "production", project: "customer_analytics", job: "customers_daily_production")?.version == "1.0.0")
        bob.press(.escape)
        bob.waitUntilIdle()
        #expect(bob.state.data.jobs.first { $0.record.job.name == "customers_daily_production" }?.deployed?.short == "1.0.0")

        // The same version again: the plan says every fabric holds it; nothing is deployed.
        bob.press("R")
        bob.press(.backspace)
        bob.type("0")
        bob.press(.enter)
        guard case .release(let again)? = bob.state.overlay, let p2 = again.preview else {
            Issue.record("no second plan:\n\(screen(bob))")
            return
        }
        #expect(p2.existing && p2.toApply.isEmpty, "\(p2)")
        bob.press(.enter)
        #expect(bob.state.overlay == nil && bob.state.status?.text.contains("nothing to deploy") == true, "\(bob.state.status?.text ?? "")")

        // A developer commits a change to the development job; bob promotes it with p in the diff view.
        let dir = workspace.projectDirectory("customer_analytics")
        let file = dir + "/jobs/customers_daily_development.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "retries: 1", with: "retries: 3").write(toFile: file, atomically: true, encoding: .utf8)
        let git = workspace.git("customer_analytics")
        _ = try git.run(["add", "jobs/customers_daily_development.yaml"])
        _ = try git.run(["commit", "-q", "-m", "ingest retries 3"], author: Git.Author(name: "alice", email: "alice@weft.local"))
        bob.press(":")
        bob.type("jobs")
        bob.press(.enter)
        bob.press(.escape)
        bob.waitUntilIdle()
        bob.press("g")
        for _ in 0..<5 where bob.state.selectedJob?.record.job.name != "customers_daily_production" { bob.press("j") }
        #expect(bob.state.selectedJob?.record.job.name == "customers_daily_production")
        bob.press("d")
        guard case .diff? = bob.state.topRoute else {
            Issue.record("no diff:\n\(screen(bob))")
            return
        }
        bob.press("p")
        guard case .confirm(let c)? = bob.state.overlay else {
            Issue.record("no promotion plan:\n\(screen(bob))")
            return
        }
        #expect(c.typed == "production" && c.body.contains("  ~ tasks.ingest.retries: 1 → 3"), "\(c.body)")
        bob.type("production")
        bob.press(.enter)
        bob.waitUntilIdle()
        #expect(bob.state.status?.text.hasPrefix("Promoted customers_daily_development into customers_daily_production") == true, "\(bob.state.status?.text ?? "")")
        let promoted = try workspace.job(bobP, "customers_daily_production")
        #expect(promoted.job.task("ingest")?.retries == 3)
        let alicesCommit = try git.run(["rev-parse", "HEAD^"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(promoted.job.basedOn?.commit == alicesCommit, "based_on moves to the commit promoted from")

        // Production still runs release 1.0.0 (HEAD is later): the run view says so.
        bob.press(.escape)
        bob.press("r")
        if case .confirm(let c)? = bob.state.overlay {
            #expect(c.body.contains("Revision: release 1.0.0 at commit \(alicesCommit.prefix(10)), as deployed.") || c.body.contains { $0.hasPrefix("Revision: release 1.0.0 at commit") }, "\(c.body)")
        } else {
            Issue.record("r on production asked nothing")
        }
        bob.type("production")
        bob.press(.enter)
        let run = waitForRun(bob)
        #expect(run?.run.revision.release == "1.0.0", "\(String(describing: run?.run.revision))")
        #expect(screen(bob).contains("ran release 1.0.0 at commit"), "\(screen(bob))")
    }

    /// The TUI face of the run service: start (r), watch, read a log (l) and cancel (c, y) a run; the audit holds
    /// exactly one start and one cancel event, as for the CLI and the scheduler (RunServiceFacesTests).
    @Test func startWatchLogAndCancelGoThroughTheRunService() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let admin = try workspace.principal(for: User(name: "admin", isAdmin: true))
        let mark = try workspace.auditEvents(admin, limit: 1).first?.id ?? 0
        let alice = try app("alice", "alice-demo-pw")
        alice.press("r")
        let running = alice.waitUntil(timeout: 60) { s in
            guard case .run(let id)? = s.topRoute, let v = s.runViews[id] else { return false }
            return v.tasks.first?.state == .running && v.isLive
        }
        #expect(running, "the run did not start:\n\(screen(alice))")
        guard case .run(let runID)? = alice.state.topRoute else { return }
        alice.press("l")
        let logged = alice.waitUntil(timeout: 30) { s in
            if case .log(let log)? = s.topRoute { return !log.lines.isEmpty }
            return false
        }
        #expect(logged, "no log lines:\n\(screen(alice))")
        alice.press(.escape)
        alice.press("c")
        alice.press("y")
        let ended = alice.waitUntil(timeout: 30) { s in s.runViews[runID]?.run.state == .cancelled && s.runViews[runID]?.isLive == false }
        #expect(ended, "the run was not cancelled:\n\(screen(alice))")
        let events = try workspace.auditEvents(admin, limit: 100).filter { ($0.id ?? 0) > mark && $0.action.hasPrefix("run.") }.reversed()
        let object = "run \(runID) of job customers_daily_development on fabric development"
        #expect(events.map { [$0.user, $0.action, $0.object, $0.result.rawValue, $0.fabric ?? "", $0.project ?? ""] } == [
            ["alice", "run.start", object, "allowed", "development", "customer_analytics"],
            ["alice", "run.cancel", object, "allowed", "development", "customer_analytics"],
        ])
        #expect(events.first?.detail.hasPrefix("manual run of customers_daily_development, HEAD ") == true)
        alice.press("q")
    }

    @Test func wrongPasswordAndThrottling() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backend = TestBackend(width: 100, height: 30, recordsFrames: false)
        let app = try WeftTUI.makeRuntime(workspace: workspace, backend: backend, themeName: "monochrome", environment: [:], runs: runs)
        for _ in 0..<6 {
            app.type("bob")
            app.press(.tab)
            app.type("nope")
            app.press(.enter)
            app.press(.tab)
            app.press(.ctrl("u"))
        }
        #expect(app.state.principal == nil)
        #expect(app.state.login.error?.contains("too many failed logins for bob") == true, "\(app.state.login.error ?? "")")
        #expect(app.screenText.joined().contains("too many failed logins"))
    }

    @Test func themeSwitchAndResize() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let app = try app("bob", "bob-demo-pw")
        app.press(":")
        app.type("theme high-contrast")
        app.press(.enter)
        #expect(app.state.theme.name == "high-contrast")
        app.press(":")
        app.type("theme nosuch")
        app.press(.enter)
        #expect(app.state.theme.name == "default")
        #expect(app.state.status?.text.contains("no theme named 'nosuch'") == true)
        guard let backend = app.terminal.backend as? TestBackend else { return }
        backend.resize(to: Size(width: 60, height: 20))
        app.handle(backend.waitForInput())
        app.render()
        #expect(app.screenText.joined(separator: "\n").contains("Terminal too small"))
        backend.resize(to: Size(width: 130, height: 45))
        app.handle(backend.waitForInput())
        app.render()
        #expect(app.screenText.count == 45)
        #expect(app.screenText[0].contains("Weft"))
    }
}
