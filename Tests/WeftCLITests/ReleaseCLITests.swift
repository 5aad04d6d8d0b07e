import Foundation
import Testing
import WeftDomain

@testable import WeftStore
import WeftEngine

/// Releases (issue 8): the seed scenario's last step, deployed versions, what stops a release, promotion.
@Suite struct ReleaseCLITests {
    /// bob's production job, as the seed scenario makes it: duplicated, configured with production's instances
    /// and an override, enabled.
    static func seedProductionJob(_ cli: CLIWorkspace) throws {
        try cli.session(as: "bob")
        for args in [
            ["job", "duplicate", "customers_daily_development", "--fabric", "production", "--name", "customers_daily_production"],
            ["job", "config", "customers_daily_production", "--task", "ingest", "--instance", "production", "--set", "batch_size=400"],
            ["job", "enable", "customers_daily_production"],
        ] {
            let r = try cli.weft(args)
            #expect(r.status == 0, "weft \(args.joined(separator: " ")): \(r)")
        }
    }

    /// Commits a change to a project file by hand (as a developer's git push would).
    static func commit(_ cli: CLIWorkspace, _ path: String, _ edit: (String) -> String, message: String) throws {
        let file = cli.projectDir + "/" + path
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try edit(text).write(toFile: file, atomically: true, encoding: .utf8)
        for args in [["add", path], ["-c", "user.name=alice", "-c", "user.email=alice@weft.local", "commit", "-q", "-m", message]] {
            let r = try cli.git(args)
            #expect(r.status == 0, "git \(args): \(r)")
        }
    }

    static func runDetail(_ cli: CLIWorkspace, _ stdout: String) throws -> [String: Any] {
        let id = try #require(stdout.split(separator: " ").dropFirst().first.map(String.init))
        let show = try cli.weft(["runs", "show", id, "-o", "json"])
        #expect(show.status == 0, "\(show)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        return try #require(json["run"] as? [String: Any])
    }

    @Test func bobReleasesTheSeedProjectAndProductionRunsTheReleaseUntilTheNext() throws {
        let cli = try CLIWorkspace()
        try Self.seedProductionJob(cli)

        // The plan lists every job per fabric; nothing is made by a dry run.
        let dry = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--dry-run"])
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stdout.contains("→ fabric development\n  + add customers_daily_development"), "\(dry.stdout)")
        #expect(dry.stdout.contains("→ fabric production\n  + add customers_daily_production"), "\(dry.stdout)")
        #expect(try cli.git(["tag"]).stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cli.root + "/artifacts"))

        // Production needs the deliberate act: no terminal, so --yes.
        let unconfirmed = try cli.weft(["release", "customer_analytics", "--version", "1.0.0"])
        #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("add --yes"), "\(unconfirmed)")
        #expect(try cli.git(["tag"]).stdout.isEmpty, "nothing is tagged before the confirmation")

        let released = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--yes"])
        #expect(released.status == 0, "\(released)")
        for line in ["clean: tests passed", "tagged customer_analytics/1.0.0", "production: customers_daily_production add", "development: customers_daily_development add"] {
            #expect(released.stdout.contains(line), "expected '\(line)' in \(released.stdout)")
        }
        let head = try cli.head()
        let tag = try cli.git(["for-each-ref", "--format=%(objecttype) %(*objectname) %(taggername)", "refs/tags/customer_analytics/1.0.0"])
        #expect(tag.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "tag \(head) bob", "annotated, at HEAD, tagger bob: \(tag)")
        let artifacts = try FileManager.default.contentsOfDirectory(atPath: cli.root + "/artifacts/customer_analytics/1.0.0").sorted()
        #expect(artifacts.count == 3 && artifacts.allSatisfy { $0.hasSuffix(".zip") }, "\(artifacts)")

        // Deploying again is a no-op.
        let again = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--yes"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains("= unchanged customers_daily_production") && again.stdout.contains("= unchanged customers_daily_development"), "\(again.stdout)")
        #expect(again.stdout.contains("nothing to deploy"), "\(again.stdout)")
        let deployments = try cli.weft(["deployments", "-o", "json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(deployments.stdout.utf8)) as? [[String: Any]])
        #expect(list.count == 2 && list.allSatisfy { $0["state"] as? String == "succeeded" }, "\(deployments.stdout)")

        // The next production run runs 1.0.0.
        let run1 = try cli.weft(["run", "customers_daily_production", "--follow", "--yes"], timeout: 120)
        #expect(run1.status == 0 && run1.stdout.contains("(release 1.0.0 at commit \(head.prefix(10)))"), "\(run1)")
        let r1 = try Self.runDetail(cli, run1.stdout)
        #expect(r1["release"] as? String == "1.0.0" && r1["commit"] as? String == head, "\(r1)")

        // A later commit changes nothing production runs until the next release.
        try Self.commit(cli, "pipelines/aggregate/pipeline.yaml", { $0.replacingOccurrences(of: "top_n: 10", with: "top_n: 4") }, message: "top 4")
        let later = try cli.head()
        #expect(later != head)
        let run2 = try cli.weft(["run", "customers_daily_production", "--follow", "--yes"], timeout: 120)
        #expect(run2.status == 0 && run2.stdout.contains("(release 1.0.0 at commit \(head.prefix(10)))"), "\(run2)")
        // The released configuration (top_n 10 of production's 12 countries), not HEAD's 4.
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.root + "/fabrics/production/data/customer_analytics/report.json")))
                as? [String: Any])
        #expect((report["top_countries"] as? [Any])?.count == 10, "\(report["top_countries"] ?? "-")")
        let show = try cli.weft(["job", "show", "customers_daily_production"])
        #expect(show.stdout.contains("deployed: release 1.0.0 at commit \(head.prefix(10))") && show.stdout.contains("is later"), "\(show.stdout)")
        // HEAD on demand, marked as not released.
        let headRun = try cli.weft(["run", "customers_daily_production", "--follow", "--revision", "head", "--yes"], timeout: 120)
        #expect(headRun.status == 0 && headRun.stdout.contains("(HEAD \(later.prefix(10)), not released)"), "\(headRun)")
        // A development run defaults to HEAD.
        let dev = try cli.weft(["run", "customers_daily_development", "--follow"], timeout: 120)
        #expect(dev.stdout.contains("(HEAD \(later.prefix(10)), not released)"), "\(dev)")

        // The next release: the plan names the changed value; production then runs it.
        let next = try cli.weft(["release", "customer_analytics", "--version", "1.1.0", "--yes"])
        #expect(next.status == 0 && next.stdout.contains("~ modify customers_daily_production: tasks.aggregate.values.top_n"), "\(next)")
        let run3 = try cli.weft(["run", "customers_daily_production", "--follow", "--yes"], timeout: 120)
        #expect(run3.stdout.contains("(release 1.1.0 at commit \(later.prefix(10)))"), "\(run3)")
        let after = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.root + "/fabrics/production/data/customer_analytics/report.json")))
                as? [String: Any])
        #expect((after["top_countries"] as? [Any])?.count == 4, "\(after["top_countries"] ?? "-")")
        let releases = try cli.weft(["releases", "customer_analytics", "-o", "json"])
        let rel = try #require(try JSONSerialization.jsonObject(with: Data(releases.stdout.utf8)) as? [[String: Any]])
        #expect(rel.compactMap { $0["version"] as? String } == ["1.1.0", "1.0.0"], "\(releases.stdout)")
    }

    /// The configuration production runs belongs to production's team: alice (developers) may not change the
    /// `production` instance (exit 3, a denial audited with the fabric); bob's change is audited with the fabric and
    /// is in the next release's plan for production.
    @Test func theConfigurationProductionRunsIsChangedOnlyByProductionsTeamAndShowsInTheNextPlan() throws {
        let cli = try CLIWorkspace()
        try Self.seedProductionJob(cli)
        let released = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--yes"])
        #expect(released.status == 0, "\(released)")
        let head = try cli.head()

        try cli.session(as: "alice")
        let denied = try cli.weft(["pipeline", "config", "customer_analytics/clean", "--instance", "production", "--set", "pace_seconds=0.2"])
        #expect(denied.status == 3, "\(denied)")
        #expect(
            denied.stderr.contains("alice may not edit configuration production of pipeline customer_analytics/clean, which fabric production uses")
                && denied.stderr.contains("only members of team prod_support"), "\(denied.stderr)")
        #expect(try cli.head() == head, "a refused change commits nothing")
        // Development's own instance stays hers to change.
        let dev = try cli.weft(["pipeline", "config", "customer_analytics/clean", "--instance", "development", "--set", "pace_seconds=0.3"])
        #expect(dev.status == 0, "\(dev)")

        try cli.session(as: "bob")
        let allowed = try cli.weft(["pipeline", "config", "customer_analytics/clean", "--instance", "production", "--set", "pace_seconds=0.2"])
        #expect(allowed.status == 0, "\(allowed)")
        struct Event: Decodable { var user: String; var action: String; var fabric: String?; var result: String; var object: String }
        let audit = try cli.weft(["audit", "--fabric", "production", "-o", "json", "--limit", "100"])
        #expect(audit.status == 0, "\(audit)")
        let events = try decodeJSON([Event].self, audit.stdout).filter { $0.action == "pipeline.config" }
        #expect(events.contains { $0.user == "alice" && $0.result == "denied" && $0.fabric == "production" }, "\(audit.stdout)")
        #expect(events.contains { $0.user == "bob" && $0.result == "allowed" && $0.fabric == "production" && $0.object.contains("configuration production of pipeline customer_analytics/clean") }, "\(audit.stdout)")
        #expect(!events.contains { $0.user == "alice" && $0.result == "allowed" }, "development's change is not production's business: \(audit.stdout)")

        let plan = try cli.weft(["release", "customer_analytics", "--version", "1.1.0", "--dry-run"])
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains("→ fabric production\n  ~ modify customers_daily_production: tasks.clean.values.pace_seconds"), "\(plan.stdout)")
    }

    @Test func aliceReleasesToDevelopmentOnlyAndProductionIsRefusedAndAudited() throws {
        let cli = try CLIWorkspace()
        try Self.seedProductionJob(cli)
        try cli.session(as: "alice")
        let onlyProduction = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--fabric", "production", "--yes"])
        #expect(onlyProduction.status == 3, "\(onlyProduction)")
        #expect(onlyProduction.stderr.contains("alice may not deploy a release to fabric production"), "\(onlyProduction.stderr)")
        #expect(try cli.git(["tag"]).stdout.isEmpty, "a refused release tags nothing")

        let both = try cli.weft(["release", "customer_analytics", "--version", "1.0.0"])
        #expect(both.status == 0, "\(both)")
        #expect(both.stdout.contains("skip production: permission denied: alice may not deploy a release to fabric production"), "\(both.stdout)")
        #expect(both.stdout.contains("deployed to development;"), "\(both.stdout)")
        let ws = try Workspace.open(at: cli.root)
        #expect(try ws.deployedJob(fabric: "production", project: "customer_analytics", job: "customers_daily_production") == nil)
        #expect(try ws.deployedJob(fabric: "development", project: "customer_analytics", job: "customers_daily_development")?.version == "1.0.0")
        let bob = try ws.principal(for: User(name: "bob"))
        let denials = try ws.auditEvents(bob, fabric: "production").filter { $0.action == "release.deploy" && $0.result == .denied && $0.user == "alice" }
        #expect(denials.count == 2, "\(denials)")
    }

    /// The QA chain: development → qa → production, each job based on its direct source; one release deploys to
    /// all three fabrics, and a development change is promoted along the chain.
    @Test func aReleaseAlongTheQAChainDeploysToThreeFabrics() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "bob")
        for args in [
            ["job", "duplicate", "customers_daily_development", "--fabric", "qa"],
            ["job", "duplicate", "customers_daily_qa", "--fabric", "production", "--name", "customers_daily_production"],
        ] {
            let r = try cli.weft(args)
            #expect(r.status == 0, "weft \(args.joined(separator: " ")): \(r)")
        }
        let ws = try Workspace.open(at: cli.root)
        #expect(try ws.findJob("customers_daily_qa").job.basedOn?.job == "customers_daily_development")
        #expect(try ws.findJob("customers_daily_production").job.basedOn?.job == "customers_daily_qa", "production is based on its direct source")
        let released = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--yes"])
        #expect(released.status == 0, "\(released)")
        #expect(released.stdout.contains("deployed to development, production, qa") || released.stdout.contains("deployed to development, qa, production"), "\(released.stdout)")
        for (fabric, job) in [("development", "customers_daily_development"), ("qa", "customers_daily_qa"), ("production", "customers_daily_production")] {
            #expect(try ws.deployedJob(fabric: fabric, project: "customer_analytics", job: job)?.version == "1.0.0", "\(fabric)")
        }
        #expect(try ws.deployments().count == 3)

        // A development change reaches qa by promotion (production's source is qa: nothing to promote yet).
        try Self.commit(cli, "jobs/customers_daily_development.yaml", { $0.replacingOccurrences(of: "retries: 1", with: "retries: 2") }, message: "retries 2")
        let toQA = try cli.weft(["job", "promote", "customers_daily_qa"])
        #expect(toQA.status == 0 && toQA.stdout.contains("~ tasks.ingest.retries: 1 → 2"), "\(toQA)")
        let toProd = try cli.weft(["job", "promote", "customers_daily_production", "--yes"])
        #expect(toProd.status == 0 && toProd.stdout.contains("~ tasks.ingest.retries: 1 → 2"), "\(toProd)")
        #expect(try ws.findJob("customers_daily_production").job.task("ingest")?.retries == 2)
        // The next release modifies the job on every fabric, naming the field.
        let dry = try cli.weft(["release", "customer_analytics", "--version", "1.1.0", "--dry-run"])
        #expect(dry.stdout.contains("~ modify customers_daily_qa") && dry.stdout.contains("~ modify customers_daily_production"), "\(dry.stdout)")
    }

    @Test func oneReleaseOfAProjectAtATimeAndTheConfirmedPlanIsThePlanApplied() async throws {
        let cli = try CLIWorkspace()
        try Self.seedProductionJob(cli)
        let ws = try Workspace.open(at: cli.root)

        // A release in progress (its lock held) refuses a second one at once, saying who holds it.
        var lock: ReleaseLock? = try ws.releaseLock(project: "customer_analytics")
        let second = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--yes"])
        #expect(second.status == 4, "\(second)")
        #expect(second.stderr.contains("another release of customer_analytics is running (process \(getpid()))"), "\(second.stderr)")
        #expect(try cli.git(["tag"]).stdout.isEmpty, "the refused release tagged nothing")
        // A dry run only reads: it does not wait for the lock.
        #expect(try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--dry-run"]).status == 0)
        withExtendedLifetime(lock) {}
        lock = nil

        // bob confirms a plan; before it is applied alice deploys 1.0.0 to development: the plan bob confirmed is
        // no longer the plan, so nothing of his is applied.
        let service = ReleaseService(workspace: ws, drivers: .standard(workspace: ws))
        let bob = try ws.principal(for: User(name: "bob"))
        let request = ReleaseRequest(project: "customer_analytics", version: "1.0.0", dryRun: true)
        let planned = try await service.release(bob, request)
        #expect(planned.toApply == ["development", "production"], "\(planned.toApply)")
        try cli.session(as: "alice")
        #expect(try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--fabric", "development"]).status == 0)
        var real = request
        real.dryRun = false
        real.confirmed = planned.plans
        await #expect(throws: WeftError.self) { _ = try await service.release(bob, real) }
        do {
            _ = try await service.release(bob, real)
        } catch let e as WeftError {
            #expect(e.exitCode == 4)
            #expect(e.description.contains("changed since you confirmed it (fabric development needs nothing any more)"), "\(e)")
        }
        #expect(try ws.deployedJob(fabric: "production", project: "customer_analytics", job: "customers_daily_production") == nil)

        // Confirming the new plan applies it.
        real.confirmed = try await service.release(bob, request).plans.filter { $0.fabric.name == "production" }
        let outcome = try await service.release(bob, real)
        #expect(outcome.deployments.map(\.fabric) == ["production"])
    }

    @Test func aFailingTestASyntaxErrorAndADirtyTreeStopTheReleaseBeforeAnythingIsTaggedOrDeployed() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        func expectNothingMade(_ r: ProcResult, _ words: [String], status: Int32 = 1) throws {
            #expect(r.status == status, "\(r)")
            for w in words { #expect(r.stderr.contains(w), "expected '\(w)' in \(r.stderr)") }
            #expect(try cli.git(["tag"]).stdout.isEmpty, "nothing tagged: \(r)")
            let ws = try Workspace.open(at: cli.root)
            #expect(try ws.deployments().isEmpty && ws.releases(project: "customer_analytics").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: cli.root + "/artifacts/customer_analytics/1.0.0"))
        }
        // A failing unit test: its output is shown.
        try Self.commit(
            cli, "pipelines/clean/tests/test_clean.py",
            { $0.replacingOccurrences(of: "self.assertEqual(out[\"country\"], \"GB\")", with: "self.assertEqual(out[\"country\"], \"XX\")") },
            message: "break a test")
        try expectNothingMade(
            try cli.weft(["release", "customer_analytics", "--version", "1.0.0"]),
            ["the unit tests of pipeline clean failed", "AssertionError", "'GB' != 'XX'"])
        try Self.commit(cli, "pipelines/clean/tests/test_clean.py", { $0.replacingOccurrences(of: "\"XX\")", with: "\"GB\")") }, message: "fix")

        // A syntax error: file and line.
        try Self.commit(cli, "pipelines/aggregate/main.py", { $0 + "\ndef broken(:\n    pass\n" }, message: "syntax error")
        let lines = try String(contentsOfFile: cli.projectDir + "/pipelines/aggregate/main.py", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = (lines.firstIndex { $0.hasPrefix("def broken(") } ?? 0) + 1
        try expectNothingMade(try cli.weft(["release", "customer_analytics", "--version", "1.0.0"]), ["pipelines/aggregate/main.py:\(line)", "SyntaxError"])
        try Self.commit(cli, "pipelines/aggregate/main.py", { $0.replacingOccurrences(of: "\ndef broken(:\n    pass\n", with: "") }, message: "fix")

        // Unit tests that hang past the pipeline's test_timeout are killed (the whole group, the sleeping child
        // included) and stop the release.
        try Self.commit(
            cli, "pipelines/clean/pipeline.yaml", { $0.replacingOccurrences(of: "\nkind:", with: "\ntest: \"sleep 30 & sleep 30\"\ntest_timeout: 1\nkind:") },
            message: "hanging tests")
        let started = Date()
        try expectNothingMade(try cli.weft(["release", "customer_analytics", "--version", "1.0.0"]), ["the unit tests of pipeline clean timed out", "ran longer than 1 s", "test_timeout"])
        #expect(Date().timeIntervalSince(started) < 20, "the hanging tests were killed at their limit")
        try Self.commit(
            cli, "pipelines/clean/pipeline.yaml", { $0.replacingOccurrences(of: "\ntest: \"sleep 30 & sleep 30\"\ntest_timeout: 1\n", with: "\n") },
            message: "fix")

        // Uncommitted changes.
        try "# scratch\n".write(toFile: cli.projectDir + "/pipelines/clean/scratch.py", atomically: true, encoding: .utf8)
        try expectNothingMade(
            try cli.weft(["release", "customer_analytics", "--version", "1.0.0"]), ["uncommitted changes", "pipelines/clean/scratch.py"], status: 4)
        try FileManager.default.removeItem(atPath: cli.projectDir + "/pipelines/clean/scratch.py")

        // Clean again: it releases.
        let ok = try cli.weft(["release", "customer_analytics", "--version", "1.0.0"])
        #expect(ok.status == 0, "\(ok)")
        // The same version at the same commit deploys that release again; at a later commit it is refused (exit 4).
        let same = try cli.weft(["release", "customer_analytics", "--version", "1.0.0"])
        #expect(same.status == 0 && same.stdout.contains("nothing to deploy"), "\(same)")
        try Self.commit(cli, "project.yaml", { $0 + "\n" }, message: "later")
        let moved = try cli.weft(["release", "customer_analytics", "--version", "1.0.0"])
        #expect(moved.status == 4 && moved.stderr.contains("exists at commit"), "\(moved)")
        let bad = try cli.weft(["release", "customer_analytics", "--version", "1..0"])
        #expect(bad.status == 1 && bad.stderr.contains("release version"), "\(bad)")
    }

    @Test func promotionBringsTheNewTaskAndDependencyAndKeepsProductionsOwnSettings() throws {
        let cli = try CLIWorkspace()
        try Self.seedProductionJob(cli)
        let basedBefore = try Workspace.open(at: cli.root).findJob("customers_daily_production").job.basedOn
        // Development gains a task and changes a dependency.
        try Self.commit(
            cli, "jobs/customers_daily_development.yaml",
            {
                $0.replacingOccurrences(of: "    depends_on: [aggregate]\n    run_if: all_done", with: "    depends_on: [clean, aggregate]\n    run_if: all_done")
                    + "  - key: archive\n    script: \"echo archived\"\n    depends_on: [notify]\n"
            }, message: "dev: archive task, notify after clean too")
        let head = try cli.head()
        let plan = try cli.weft(["job", "promote", "customers_daily_production", "--dry-run"])
        #expect(plan.status == 0 && plan.stdout.contains("+ tasks.archive") && plan.stdout.contains("tasks.notify.depends_on"), "\(plan)")
        let promoted = try cli.weft(["job", "promote", "customers_daily_production", "--yes"])
        #expect(promoted.status == 0, "\(promoted)")
        let job = try Workspace.open(at: cli.root).findJob("customers_daily_production").job
        #expect(job.tasks.map(\.key).contains("archive"))
        #expect(job.tasks.first { $0.key == "notify" }?.dependsOn == ["clean", "aggregate"])
        #expect(job.basedOn?.commit == head && job.basedOn?.commit != basedBefore?.commit)
        #expect(job.enabled && job.fabric == "production")
        guard case .pipeline(_, let config, let overrides) = try #require(job.tasks.first { $0.key == "ingest" }).action else {
            Issue.record("ingest is a pipeline task")
            return
        }
        #expect(config == "production" && overrides["batch_size"] == .int(400), "\(config ?? "-") \(overrides)")

        // Both sides change the same field: it stops and names it.
        try Self.commit(cli, "jobs/customers_daily_development.yaml", { $0.replacingOccurrences(of: "retries: 1", with: "retries: 3") }, message: "dev retries")
        try Self.commit(cli, "jobs/customers_daily_production.yaml", { $0.replacingOccurrences(of: "retries: 1", with: "retries: 5") }, message: "prod retries")
        let conflict = try cli.weft(["job", "promote", "customers_daily_production", "--yes"])
        #expect(conflict.status == 4 && conflict.stderr.contains("tasks.ingest.retries"), "\(conflict)")
        let taken = try cli.weft(["job", "promote", "customers_daily_production", "--yes", "--take", "target", "tasks.ingest.retries"])
        #expect(taken.status == 0, "\(taken)")
        #expect(try Workspace.open(at: cli.root).findJob("customers_daily_production").job.tasks.first { $0.key == "ingest" }?.retries == 5)
    }
}
