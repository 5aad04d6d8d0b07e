import Foundation
import TerminalUI
import Testing
import WeftDomain
@testable import WeftApp

@Suite("update: exact state and effects per message")
struct UpdateTests {
    func login() -> AppState {
        AppState(workspace: "/w", size: Size(width: 100, height: 30), theme: .monochrome, now: Fixtures.epoch)
    }

    @Test func typingAndSubmittingTheLoginForm() {
        var s = login()
        for c in "bob" { #expect(AppUpdate.update(&s, .key(.character(c))) == []) }
        #expect(s.login.user.value == "bob")
        #expect(AppUpdate.update(&s, .key(.tab)) == [])
        #expect(s.login.field == 1)
        for c in "pw" { _ = AppUpdate.update(&s, .key(.character(c))) }
        #expect(AppUpdate.update(&s, .key(.enter)) == [.login(user: "bob", password: "pw")])
        #expect(s.login.isBusy)
        #expect(AppUpdate.update(&s, .key("x")) == [])  // ignored while checking
        #expect(AppUpdate.update(&s, .loginFailed("too many failed logins for bob; try again in 4 s")) == [])
        #expect(s.login.error == "too many failed logins for bob; try again in 4 s")
        #expect(s.login.password.value == "")
        #expect(!s.login.isBusy)
    }

    @Test func emptyUserIsRefusedWithoutAnEffect() {
        var s = login()
        s.login.field = 1
        #expect(AppUpdate.update(&s, .key(.enter)) == [])
        #expect(s.login.error == "type a user name")
        #expect(s.login.field == 0)
    }

    @Test func loggedInClearsThePasswordAndLoads() {
        var s = login()
        s.login.password = TextInput("secret")
        let effects = AppUpdate.update(&s, .loggedIn(Fixtures.principal("bob")))
        #expect(effects == [.loadMain])
        #expect(s.principal?.name == "bob")
        #expect(s.login == LoginState())
    }

    @Test func mainLoadedSelectsTheFirstJobAndLoadsItsRuns() {
        var s = login()
        s.principal = Fixtures.principal("alice")
        let effects = AppUpdate.update(&s, .mainLoaded(Fixtures.data))
        #expect(effects == [.loadRuns(ref: "customer_analytics/customers_daily_development")])
        #expect(s.list(.jobs).visible == [0, 1])
        #expect(s.selectedJob?.record.job.name == "customers_daily_development")
    }

    @Test func aliceMayNotSeeProductionRunsAndSaysWhy() {
        var s = Fixtures.main("alice")
        let effects = AppUpdate.update(&s, .key("j"))
        #expect(effects == [])
        #expect(s.selectedJob?.record.job.name == "customers_daily_production")
        #expect(s.runs.isEmpty)
        #expect(s.runsHidden?.contains("alice may not read the runs of job customers_daily_production on fabric production") == true)
        #expect(s.runsHidden?.contains("only members of team prod_support") == true)
    }

    @Test func disabledKeysSayWhyAndDoNothing() {
        var s = Fixtures.main("alice")
        _ = AppUpdate.update(&s, .key("j"))
        #expect(AppUpdate.update(&s, .key("r")) == [])
        #expect(s.status?.isError == true)
        #expect(s.status?.text.hasPrefix("run: permission denied: alice may not run job customers_daily_production") == true)
        #expect(AppUpdate.update(&s, .key("t")) == [])
        #expect(s.status?.text.contains("may not enable") == true)
        let hints = AppView.hints(s)
        #expect(hints.first { $0.key == "r" }?.isEnabled == false)
        #expect(hints.first { $0.key == "D" }?.isEnabled == true)
    }

    @Test func filterAsYouTypeNarrowsAndEscClears() {
        var s = Fixtures.main()
        #expect(AppUpdate.update(&s, .key("/")) == [])
        #expect(s.input == .filter)
        for c in "prod" { _ = AppUpdate.update(&s, .key(.character(c))) }
        #expect(s.list(.jobs).filter == "prod")
        #expect(s.list(.jobs).visible == [1])
        #expect(s.selectedJob?.record.job.name == "customers_daily_production")
        _ = AppUpdate.update(&s, .key(.enter))
        #expect(s.input == .normal)
        #expect(s.list(.jobs).filter == "prod")
        _ = AppUpdate.update(&s, .key(.escape))
        #expect(s.list(.jobs).filter == "")
        #expect(s.list(.jobs).visible == [0, 1])
    }

    @Test func duplicateOffersUsableFabricsAndPlans() {
        var s = Fixtures.main("bob")
        let effects = AppUpdate.update(&s, .key("D"))
        #expect(effects == [.planDuplicate(source: "customer_analytics/customers_daily_development", fabric: "production", name: "customers_daily_production")])
        guard case .duplicate(let d)? = s.overlay else {
            Issue.record("no duplicate dialog")
            return
        }
        #expect(d.targets == ["development", "production"])
        #expect(d.forbiddenNames.isEmpty)
        let preview = DuplicatePreview(fabric: "production", isProduction: true, name: "customers_daily_production", mapped: ["ingest: development → production"], unmapped: [], tasks: ["ingest"])
        _ = AppUpdate.update(&s, .duplicatePlanned(preview))
        #expect(AppUpdate.update(&s, .key(.enter)) == [])
        guard case .confirm(let c)? = s.overlay else {
            Issue.record("no typed confirmation")
            return
        }
        #expect(c.typed == "production")
        for ch in "productio" { _ = AppUpdate.update(&s, .key(.character(ch))) }
        #expect(AppUpdate.update(&s, .key(.enter)) == [])
        #expect(s.status?.text == "type production exactly to confirm (or Esc to cancel)")
        _ = AppUpdate.update(&s, .key("n"))
        #expect(AppUpdate.update(&s, .key(.enter)) == [.duplicate(source: "customer_analytics/customers_daily_development", fabric: "production", name: "customers_daily_production")])
        #expect(s.overlay == nil)
    }

    @Test func aliceSeesProductionGreyedWithTheReasonInTheDuplicateDialog() {
        var s = Fixtures.main("alice")
        _ = AppUpdate.update(&s, .key("D"))
        guard case .duplicate(let d)? = s.overlay else {
            Issue.record("no duplicate dialog")
            return
        }
        #expect(d.targets == ["development"])
        #expect(d.forbiddenNames == ["production"])
        #expect(d.forbiddenReasons.first?.contains("alice may not duplicate a job onto fabric production") == true)
    }

    @Test func configFormValidatesAsYouTypeAndBuildsTheChange() {
        var form = ConfigFormState(
            ref: "customer_analytics/customers_daily_production", task: "ingest", jobName: "customers_daily_production", fabric: Fixtures.production,
            pipeline: Fixtures.ingest, blob: "b2", instance: "production", overrides: [:])
        #expect(form.problems.isEmpty)
        let rate = form.fields.firstIndex { $0.field.name == "sample_rate" } ?? 0
        form.fields[rate].input = TextInput("1.5")
        form.validate(rate)
        #expect(form.fields[rate].error == "sample_rate is 1.5, above the maximum 1")
        form.fields[rate].input = TextInput("abc")
        form.validate(rate)
        #expect(form.fields[rate].error == "sample_rate must be a number, not 'abc'")
        form.fields[rate].input = TextInput("0.8")
        form.validate(rate)
        #expect(form.fields[rate].error == nil)
        let change = form.change()
        #expect(change.assignments == ["sample_rate=0.8"])
        #expect(change.unset == [])
        #expect(change.instance == nil)
        #expect(change.blob == "b2")
    }

    @Test func savingAProductionFormAsksForTheFabricName() {
        var s = Fixtures.main("bob")
        var form = ConfigFormState(
            ref: "customer_analytics/customers_daily_production", task: "ingest", jobName: "customers_daily_production", fabric: Fixtures.production,
            pipeline: Fixtures.ingest, blob: "b2", instance: "production", overrides: [:])
        let rate = form.fields.firstIndex { $0.field.name == "sample_rate" } ?? 0
        form.fields[rate].input = TextInput("0.8")
        s.overlay = .configForm(form)
        #expect(AppUpdate.update(&s, .key(.enter)) == [])
        guard case .confirm(let c)? = s.overlay else {
            Issue.record("no confirmation")
            return
        }
        #expect(c.typed == "production")
        for ch in "production" { _ = AppUpdate.update(&s, .key(.character(ch))) }
        let expected = ConfigSave(ref: "customer_analytics/customers_daily_production", task: "ingest", instance: nil, assignments: ["sample_rate=0.8"], unset: [], blob: "b2")
        #expect(AppUpdate.update(&s, .key(.enter)) == [.saveConfig(expected)])
    }

    @Test func yamlRoundTripAndErrorsReopenTheEditor() {
        let form = ConfigFormState(
            ref: "p/j", task: "clean", jobName: "j", fabric: Fixtures.production, pipeline: Fixtures.clean, blob: "b", instance: "production", overrides: [:])
        let text = form.yaml()
        #expect(text.contains("salt: secret:anonymisation_salt"))
        #expect(!text.contains("development-salt"))
        var s = Fixtures.main("bob")
        let bad = text.replacingOccurrences(of: "salt: secret:anonymisation_salt", with: "salt: plain-text")
        let effects = AppUpdate.update(&s, .editorReturned(form, text: bad))
        guard case .editInEditor(_, let errors)? = effects.first else {
            Issue.record("editor not reopened: \(effects)")
            return
        }
        #expect(errors.contains { $0.contains("salt is a secret") })
        #expect(AppUpdate.update(&s, .editorReturned(form, text: "")) == [])
        #expect(s.status?.text == "Editing cancelled; nothing was changed")
    }

    @Test func enableProblemsAreListed() {
        var s = Fixtures.main("bob")
        let problems = ["customers_daily_production cannot be enabled:", "task 'clean': required value 'salt' of pipeline clean is not set"]
        #expect(AppUpdate.update(&s, .failed(operation: "Enable", message: "2 problems", problems: problems)) == [])
        #expect(s.overlay == .problems(title: "Enable", lines: problems))
    }

    @Test func commandLine() {
        var s = Fixtures.main("bob")
        _ = AppUpdate.update(&s, .key(":"))
        for c in "theme light" { _ = AppUpdate.update(&s, .key(.character(c))) }
        #expect(AppUpdate.update(&s, .key(.enter)) == [.loadTheme("light")])
        _ = AppUpdate.update(&s, .key(":"))
        for c in "projects" { _ = AppUpdate.update(&s, .key(.character(c))) }
        #expect(AppUpdate.update(&s, .key(.enter)) == [])
        #expect(s.pane == .projects && s.showsProjects)
        _ = AppUpdate.update(&s, .key(":"))
        for c in "audit" { _ = AppUpdate.update(&s, .key(.character(c))) }
        #expect(AppUpdate.update(&s, .key(.enter)) == [.loadAudit])
        _ = AppUpdate.update(&s, .key(":"))
        for c in "nope" { _ = AppUpdate.update(&s, .key(.character(c))) }
        _ = AppUpdate.update(&s, .key(.enter))
        #expect(s.status?.isError == true)
        _ = AppUpdate.update(&s, .key(":"))
        for c in "quit" { _ = AppUpdate.update(&s, .key(.character(c))) }
        #expect(AppUpdate.update(&s, .key(.enter)) == [.quit])
        #expect(s.shouldQuit)
    }

    @Test func runEventsDriveTheRunViewAndTicking() {
        var s = Fixtures.main("alice")
        var run = Fixtures.run
        run.state = .queued
        run.startedAt = nil
        run.finishedAt = nil
        let tasks = Fixtures.tasks.map { TaskRunRecord(runID: run.id, key: $0.key, state: .pending) }
        #expect(AppUpdate.update(&s, .runStarted(run, tasks, nil)) == [.startTicking])
        #expect(s.topRoute == .run(run.id))
        let t0 = Fixtures.epoch.addingTimeInterval(1)
        _ = AppUpdate.update(&s, .runEvent(.runStarted(runID: run.id, at: t0)))
        _ = AppUpdate.update(&s, .runEvent(.taskStarted(runID: run.id, task: "ingest", attempt: 1, at: t0)))
        _ = AppUpdate.update(&s, .runEvent(.taskProgress(runID: run.id, task: "ingest", fraction: 0.5, message: "half")))
        _ = AppUpdate.update(&s, .runEvent(.taskLog(runID: run.id, task: "ingest", line: "hello")))
        let v = s.runViews[run.id]
        #expect(v?.run.state == .running)
        #expect(v?.tasks[0].state == .running)
        #expect(v?.tasks[0].progress == 0.5)
        #expect(v?.logTail["ingest"] == ["hello"])
        let end = t0.addingTimeInterval(5)
        #expect(AppUpdate.update(&s, .runEvent(.runFinished(runID: run.id, state: .success, at: end, message: nil))) == [.loadMain, .stopTicking])
        #expect(s.runViews[run.id]?.isLive == false)
        #expect(s.now == end)
    }

    @Test func cancelAsksFirst() {
        var s = Fixtures.main("alice")
        var run = Fixtures.run
        run.state = .running
        run.finishedAt = nil
        _ = AppUpdate.update(&s, .runStarted(run, [TaskRunRecord(runID: run.id, key: "ingest", state: .running)], nil))
        #expect(AppUpdate.update(&s, .key("c")) == [])
        guard case .confirm(let c)? = s.overlay else {
            Issue.record("no confirmation")
            return
        }
        #expect(c.typed == nil)
        #expect(AppUpdate.update(&s, .key("y")) == [.cancelRun(runID: run.id)])
    }

    @Test func resizeAndTooSmall() {
        var s = Fixtures.main()
        _ = AppUpdate.update(&s, .resized(Size(width: 60, height: 20)))
        #expect(s.isTooSmall)
        let lines = Fixtures.render(s)
        #expect(lines.contains { $0.contains("Terminal too small") })
        _ = AppUpdate.update(&s, .resized(Size(width: 100, height: 30)))
        #expect(!s.isTooSmall)
    }

    @Test func quitFromMainButBackFromScreens() {
        var s = Fixtures.main()
        #expect(AppUpdate.update(&s, .key(.enter)) == [])
        #expect(s.topRoute == .jobDetail(JobDetailState(ref: "customer_analytics/customers_daily_development")))
        #expect(AppUpdate.update(&s, .key("q")) == [])
        #expect(s.topRoute == nil)
        #expect(AppUpdate.update(&s, .key("q")) == [.quit])
        #expect(s.shouldQuit)
    }
}

@Suite("release dialog and progress")
struct ReleaseStateTests {
    @Test func theNextVersionBumpsTheLastNumber() {
        #expect(ReleaseDialogState.nextVersion(after: nil) == "1.0.0")
        #expect(ReleaseDialogState.nextVersion(after: "1.0.9") == "1.0.10")
        #expect(ReleaseDialogState.nextVersion(after: "2026.12") == "2026.13")
        #expect(ReleaseDialogState.nextVersion(after: "1.0.0-rc") == "1.0.0-rc.1")
    }

    @Test func stepsFollowTheLinesAndAStopMarksTheStepItStoppedIn() {
        var r = ReleaseProgressState(project: "p", version: "1.0.0", fabrics: ["development", "production"])
        #expect(r.state(of: "build") == .waiting)
        r.lines.append(ReleaseLogLine(step: "build", fabric: nil, text: "clean: 3 files"))
        #expect(r.state(of: "build") == .running && r.state(of: "test") == .waiting)
        r.lines.append(ReleaseLogLine(step: "test", fabric: nil, text: "clean: FAILED"))
        #expect(r.state(of: "build") == .done && r.state(of: "test") == .running)
        r.isFinished = true
        r.error = "unit tests failed"
        #expect(r.state(of: "test") == .failed && r.state(of: "tag") == .skipped)
        #expect(r.state(of: "deploy", fabric: "production") == .skipped)

        var ok = ReleaseProgressState(project: "p", version: "1.0.0", fabrics: ["development", "production"])
        ok.lines.append(ReleaseLogLine(step: "deploy", fabric: "development", text: "development: deployment 3 succeeded (1 add)"))
        ok.lines.append(ReleaseLogLine(step: "deploy", fabric: "production", text: "production: customers_daily_production add"))
        #expect(ok.state(of: "deploy", fabric: "development") == .done)
        #expect(ok.state(of: "deploy", fabric: "production") == .running)
        #expect(ok.state(of: "tag") == .done, "a later step's line means the tag was made")
    }
}
