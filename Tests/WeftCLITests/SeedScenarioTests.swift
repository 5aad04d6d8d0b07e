import Foundation
import Testing
import WeftDomain

@testable import WeftStore

/// The seed scenario (PRODUCT.md §5, issue 2's first criterion) end to end through the CLI on a workspace made only
/// with `weft init` and CLI commands.
@Suite struct SeedScenarioTests {
    @Test func seedScenarioThroughTheCLI() throws {
        let cli = try CLIWorkspace(demo: false)
        func ok(_ args: [String], stdin: String? = nil, timeout: Double = 60, _ note: String = "") throws -> ProcResult {
            let r = try cli.weft(args, stdin: stdin, timeout: timeout)
            #expect(r.status == 0 && !r.signalled, "weft \(args.joined(separator: " ")) \(note): \(r)")
            return r
        }
        func denied(_ args: [String], user: String, team: String, _ words: [String]) throws {
            let r = try cli.weft(args)
            #expect(r.status == 3, "weft \(args.joined(separator: " ")) should be denied: \(r)")
            let msg = r.stderr
            #expect(msg.contains("permission denied: \(user) may not"), "\(msg)")
            #expect(msg.contains("team \(team)"), "\(msg)")
            for w in words { #expect(msg.contains(w), "expected '\(w)' in \(msg)") }
        }
        func login(_ user: String) throws {
            let r = try ok(["login", "--user", user, "--password-stdin"], stdin: "\(user)-seed-pw\n")
            let who = try ok(["whoami"])
            #expect(who.stdout.contains(user), "\(r) \(who)")
        }

        // The admin sets the workspace up.
        _ = try ok(["init", "--admin", "root", "--password-stdin"], stdin: "root-seed-pw\n")
        try login("root")
        _ = try ok(["user", "create", "alice", "--password-stdin"], stdin: "alice-seed-pw\n")
        _ = try ok(["user", "create", "bob", "--password-stdin"], stdin: "bob-seed-pw\n")
        _ = try ok(["team", "create", "prod_support"])
        _ = try ok(["team", "create", "developers", "--include", "prod_support"])
        _ = try ok(["team", "add-member", "developers", "alice"])
        _ = try ok(["team", "add-member", "prod_support", "bob"])
        _ = try ok(["fabric", "create", "development", "--owner", "developers", "--stage", "development", "--kind", "local", "--slots", "4"])
        _ = try ok(["fabric", "create", "production", "--owner", "prod_support", "--stage", "production", "--kind", "local", "--slots", "8"])
        _ = try ok(["fabric", "set-secret", "development", "anonymisation_salt", "--value-stdin"], stdin: "dev-salt\n")
        _ = try ok(["fabric", "set-secret", "production", "anonymisation_salt", "--value-stdin"], stdin: "prod-salt-\(UUID().uuidString)\n")
        // Admins use fabrics only through teams.
        try denied(["fabric", "show", "production"], user: "root", team: "prod_support", ["see the settings of fabric production"])
        let teams = try ok(["team", "show", "developers", "-o", "json"])
        #expect(teams.stdout.contains("prod_support"))

        // Fabric data: a small customers file on each.
        let header = "customer_id,name,email,country,segment,lifetime_value\n"
        for (fabric, rows) in [("development", 30), ("production", 60)] {
            let dir = cli.root + "/fabrics/\(fabric)/data/raw"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let body = (1...rows).map { i in "\(fabric.prefix(1))\(i),N \(i),u\(i)@example.org,\(["DE", "FR", "NL"][i % 3]),smb,\(i).50" }
            try (header + body.joined(separator: "\n") + "\n").write(toFile: dir + "/customers.csv", atomically: true, encoding: .utf8)
        }

        // alice imports the shipped demo project (the project's jobs live on development, her fabric).
        try login("alice")
        _ = try ok(["project", "create", "customer_analytics", "--owner", "developers", "--from", DemoWorkspace.projectSource])
        let list = try ok(["job", "list", "-o", "json"])
        #expect(try decodeJSON([JobListEntry].self, list.stdout).map(\.name) == ["customers_daily_development"])
        let devRun = try ok(["run", "customers_daily_development", "--follow"], timeout: 180)
        #expect(devRun.stdout.contains("success"), "\(devRun.stdout)")
        #expect(FileManager.default.fileExists(atPath: cli.root + "/fabrics/development/data/customer_analytics/report.json"))

        // alice cannot duplicate onto production.
        let projectDir = cli.root + "/projects/customer_analytics"
        let headBefore = try cli.head(projectDir)
        try denied(
            ["job", "duplicate", "customers_daily_development", "--fabric", "production"], user: "alice", team: "prod_support",
            ["duplicate a job onto fabric production"])
        #expect(try cli.head(projectDir) == headBefore)
        try denied(["fabric", "show", "production"], user: "alice", team: "prod_support", ["see the settings of fabric production"])
        #expect(try cli.weft(["fabric", "show", "development"]).status == 0)

        // bob duplicates, configures, enables and runs the production job.
        try login("bob")
        let dup = try ok(["job", "duplicate", "customers_daily_development", "--fabric", "production"])
        #expect(dup.stdout.contains("customer_analytics/customers_daily_production"), "\(dup.stdout)")
        #expect(dup.stdout.contains("configuration development → production"), "\(dup.stdout)")
        let devCommit = headBefore
        _ = try ok(["job", "config", "customers_daily_production", "--task", "ingest", "--instance", "production", "--set", "sample_rate=0.9", "--set", "batch_size=20"])
        _ = try ok(["job", "config", "customers_daily_production", "--task", "aggregate", "--set", "top_n=4"])
        let diff = try ok(["job", "diff", "customers_daily_production", "-o", "json"])
        #expect(diff.stdout.contains("tasks.ingest.values.sample_rate"), "\(diff.stdout)")
        #expect(try ok(["fabric", "show", "production"]).stdout.contains("anonymisation_salt (set)"))

        // alice cannot enable or edit the production job.
        try login("alice")
        let headBob = try cli.head(projectDir)
        try denied(["job", "enable", "customers_daily_production"], user: "alice", team: "prod_support", ["enable job customers_daily_production"])
        try denied(
            ["job", "config", "customers_daily_production", "--task", "ingest", "--set", "sample_rate=0.1"], user: "alice", team: "prod_support",
            ["edit job customers_daily_production"])
        try denied(["job", "disable", "customers_daily_production"], user: "alice", team: "prod_support", ["disable job"])
        try denied(["run", "customers_daily_production"], user: "alice", team: "prod_support", ["run job customers_daily_production"])
        try denied(["runs", "list", "--fabric", "production"], user: "alice", team: "prod_support", ["read the runs of fabric production"])
        #expect(try cli.head(projectDir) == headBob)
        // She can read the production job's definition (job files are code in the project).
        #expect(try cli.weft(["job", "show", "customers_daily_production"]).status == 0)

        try login("bob")
        _ = try ok(["job", "enable", "customers_daily_production"])
        // A production run is a deliberate act: without a terminal it needs --yes, on one the fabric's name typed
        // after what will run is shown; neither refusal records a run.
        let prodRuns = { try Metastore(path: cli.root + "/weft.sqlite").runs(job: "customers_daily_production", fabrics: ["production"]).count }
        let unconfirmed = try cli.weft(["run", "customers_daily_production", "--follow"])
        #expect(unconfirmed.status == 1 && unconfirmed.stderr.contains("starts on production fabric production; without a terminal to confirm on, add --yes"), "\(unconfirmed)")
        #expect(try prodRuns() == 0)
        // Weft's hidden background-owner mode is no way around it.
        let byHand = try cli.weft(["run", "customers_daily_production", "--owner"])
        #expect(byHand.status == 1 && byHand.stderr.contains("add --yes"), "\(byHand)")
        #expect(try prodRuns() == 0)
        // Without --follow the confirmed run is handed to the owner, which starts it.
        let detached = try cli.weft(["run", "customers_daily_production", "--yes"])
        #expect(detached.status == 0 && detached.stdout.contains("Started run"), "\(detached)")
        #expect(try prodRuns() == 1)
        let ownerDone = Date().addingTimeInterval(120)
        while try Metastore(path: cli.root + "/weft.sqlite").runs(job: "customers_daily_production", fabrics: ["production"]).contains(where: { !$0.state.isFinished }), Date() < ownerDone {
            usleep(50_000)
        }
        #expect(try Metastore(path: cli.root + "/weft.sqlite").runs(job: "customers_daily_production", fabrics: ["production"]).first?.state == .success)
        // On a terminal (script(1) gives the command a pseudo-terminal; what is piped in is typed).
        func onTerminal(_ typed: String) throws -> ProcResult {
            let command = ([cli.weft, "run", "customers_daily_production", "--follow", "--workspace", cli.root]).map { "'\($0)'" }.joined(separator: " ")
            return try runProcess("/usr/bin/script", ["-qec", command, "/dev/null"], environment: cli.environment(), stdin: typed + "\n", timeout: 180)
        }
        let wrong = try onTerminal("prod")
        #expect(wrong.status == 1, "\(wrong)")
        #expect(wrong.stdout.contains("run customer_analytics/customers_daily_production on PRODUCTION fabric production"), "\(wrong.stdout)")
        #expect(wrong.stdout.contains("revision: HEAD") && wrong.stdout.contains("task ingest: "), "\(wrong.stdout)")
        #expect(wrong.stdout.contains("not confirmed ('prod' is not 'production'); nothing was started"), "\(wrong.stdout)")
        #expect(try prodRuns() == 1)
        let typedRun = try onTerminal("production")
        #expect(typedRun.status == 0 && typedRun.stdout.contains("success"), "\(typedRun.stdout)")
        #expect(try prodRuns() == 2)
        let prodRun = try ok(["run", "customers_daily_production", "--follow", "--yes"], timeout: 180)
        #expect(prodRun.stdout.contains("success"), "\(prodRun.stdout)")
        #expect(FileManager.default.fileExists(atPath: cli.root + "/fabrics/production/data/customer_analytics/report.json"))
        let audit = try ok(["audit", "--fabric", "production", "-o", "json"])
        #expect(audit.stdout.contains("\"user\" : \"alice\"") && audit.stdout.contains("\"denied\""), "\(audit.stdout)")

        // The production job file in git: based_on the dev job at the commit it was read at; bob authored every change.
        let text = try #require(try cli.fileAtHEAD("jobs/customers_daily_production.yaml", in: projectDir))
        let job = try ProjectFiles.decodeJob(text, file: "jobs/customers_daily_production.yaml").job
        #expect(job.basedOn == BasedOn(job: "customers_daily_development", commit: devCommit), "\(text)")
        #expect(job.enabled && job.fabric == "production")
        #expect(job.task("ingest")?.configInstance == "production")
        #expect(job.task("clean")?.configInstance == "production")
        #expect(job.task("ingest")?.overrides["sample_rate"] == .double(0.9))
        let authors = try cli.git(["log", "--format=%an|%ae", "--", "jobs/customers_daily_production.yaml"], in: projectDir).stdout
            .split(separator: "\n").map(String.init)
        #expect(authors.count == 4, "\(authors)")  // duplicate, two configs, enable
        #expect(authors.allSatisfy { $0 == "bob|bob@weft.local" }, "\(authors)")
        let firstCommit = try cli.git(["log", "--format=%an", "--reverse"], in: projectDir).stdout.split(separator: "\n").first
        #expect(firstCommit == "alice")
        #expect(try cli.git(["status", "--porcelain"], in: projectDir).stdout.isEmpty)
    }
}
