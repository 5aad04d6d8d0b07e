import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftCLI
@testable import WeftStore

/// Two `weft job config … --if-match BLOB` processes started together: exactly one wins, the other exits 4.
@Suite struct CLIConflictTests {
    @Test func twoConcurrentEditorsOneWinsTheOtherGetsExit4() throws {
        let cli = try CLIWorkspace()
        let ws = try Workspace.open(at: cli.root)
        let bob = try ws.principal(for: User(name: "bob"))
        try ws.duplicateJob(bob, "customers_daily_development", fabric: "production")
        try ws.startSession(bob)
        for round in 0..<4 {
            let list = try cli.weft(["job", "list", "-o", "json"])
            let blob = try #require(try decodeJSON([JobListEntry].self, list.stdout).first { $0.name == "customers_daily_production" }?.blob)
            let values = ["0.\(round)1", "0.\(round)2"]
            let results = UnsafeResults(count: 2)
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                results.set(i, Result {
                    try cli.weft(["job", "config", "customers_daily_production", "--task", "ingest", "--set", "sample_rate=\(values[i])", "--if-match", blob])
                })
            }
            let rs = try (0..<2).map { try results.get($0).get() }
            let codes = rs.map(\.status).sorted()
            #expect(codes == [0, 4], "round \(round): \(rs)")
            guard let winner = rs.firstIndex(where: { $0.status == 0 }), let loser = rs.firstIndex(where: { $0.status == 4 }) else { continue }
            #expect(rs[loser].stderr.contains("changed by someone else"), "\(rs[loser].stderr)")
            let text = try #require(try cli.fileAtHEAD("jobs/customers_daily_production.yaml"))
            let job = try ProjectFiles.decodeJob(text, file: "x").job
            #expect(job.task("ingest")?.overrides["sample_rate"] == .double(Double(values[winner])!), "round \(round): \(text)")
            #expect(try cli.git(["status", "--porcelain"]).stdout.isEmpty)
            // The loser's stale blob keeps failing; nothing is lost.
            let again = try cli.weft(["job", "config", "customers_daily_production", "--task", "ingest", "--set", "sample_rate=0.99", "--if-match", blob])
            #expect(again.status == 4)
            #expect(try cli.fileAtHEAD("jobs/customers_daily_production.yaml") == text)
        }
        let log = try cli.git(["log", "--format=%an %s", "--", "jobs/customers_daily_production.yaml"]).stdout
        #expect(log.split(separator: "\n").count == 5, "\(log)")  // the duplicate + one winner per round
    }
}

final class UnsafeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Result<ProcResult, any Error>?]
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<ProcResult, any Error>) { lock.withLock { items[i] = r } }
    func get(_ i: Int) -> Result<ProcResult, any Error> { lock.withLock { items[i] ?? .failure(CLIError.timeout("no result")) } }
}

/// Bad input through the CLI: a specific message, exit 1 (or 3), and nothing changes.
@Suite struct CLIBadInputTests {
    func snapshot(_ cli: CLIWorkspace) throws -> String {
        let ws = try Workspace.open(at: cli.root)
        let tables = try ws.metastore.pool.read { db in
            try ["users", "teams", "team_includes", "memberships", "fabrics", "fabric_secrets", "projects", "pending_ops"].map { t in
                t + ": " + (try Row.fetchAll(db, sql: "SELECT * FROM \(t) ORDER BY 1, 2").map(\.description).joined(separator: "\n"))
            }.joined(separator: "\n")
        }
        let projects = try FileManager.default.contentsOfDirectory(atPath: cli.root + "/projects").sorted().joined(separator: ",")
        return tables + "\nprojects dir: " + projects + "\nhead: " + (try cli.head())
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var user: String
        var args: [String]
        var exit: Int32 = 1
        var expected: [String]
        var forbidden: [String] = []
        var testDescription: String {
            "\(user): weft " + args.joined(separator: " ").unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
        }
    }

    static let cases: [Case] = [
        Case(user: "admin", args: ["project", "create", "p2", "--owner", "nope"], expected: ["no team named 'nope'", "weft team create nope"]),
        Case(user: "alice", args: ["project", "create", "p2", "--owner", "nope"], expected: ["no team named 'nope'"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "nope", "--stage", "qa"], expected: ["no team named 'nope'"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--set", "api_token=hunter2"],
             expected: ["setting 'api_token' is a secret", "weft fabric set-secret staging api_token --value-stdin"], forbidden: ["hunter2"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--set", "password=hunter2"],
             expected: ["setting 'password' is a secret", "weft fabric set-secret staging password --value-stdin"], forbidden: ["hunter2"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--set", "sandbx=on"],
             expected: ["unknown setting 'sandbx' for a local fabric", "did you mean 'sandbox'?"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--set", "sandbox=maybe"],
             expected: ["setting 'sandbox' must be on or off"]),
        // Every problem at once, not the first only.
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa",
                                   "--set", "sandbx=on", "--set", "network=maybe", "--set", "token=hunter2"],
             expected: ["3 problems", "did you mean 'sandbox'?", "setting 'network' must be on or off", "setting 'token' is a secret"],
             forbidden: ["hunter2"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--kind", "airflow"],
             expected: ["fabrics of kind airflow have no driver in this Weft", "kinds it drives: local"]),
        Case(user: "admin", args: ["fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--set", "sandbox"], exit: 2,
             expected: ["--set 'sandbox' is not key=value; write e.g. --set sandbox=on"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--set", "=on"], exit: 2, expected: ["has no key before '='"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--set", "sandbox=on", "--set", "sandbox=off"], exit: 2,
             expected: ["more than once"]),
        Case(user: "admin", args: ["fabric", "update", "development"], exit: 2, expected: ["nothing to change"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--set", "sandbx=on"],
             expected: ["fabric development: unknown setting 'sandbx'", "did you mean 'sandbox'?"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--set", "network=sometimes"],
             expected: ["setting 'network' must be on or off"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--set", "db_password=hunter2"],
             expected: ["setting 'db_password' is a secret", "weft fabric set-secret development db_password --value-stdin"],
             forbidden: ["hunter2"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--unset", "descriptoin"],
             expected: ["fabric development has no setting 'descriptoin' to unset", "did you mean 'description'?"]),
        Case(user: "admin", args: ["fabric", "update", "development", "--slots", "0"], expected: ["slots must be between 1 and 256, not 0"]),
        Case(user: "admin", args: ["fabric", "update", "nope", "--slots", "2"], expected: ["no fabric named 'nope'"]),
        Case(user: "alice", args: ["fabric", "update", "development", "--set", "sandbox=on"], exit: 3,
             expected: ["permission denied: alice may not change fabric development", "only a workspace admin"]),
        Case(user: "bob", args: ["fabric", "update", "production", "--slots", "2"], exit: 3, expected: ["bob may not change fabric production"]),
        Case(user: "alice", args: ["fabric", "check", "production"], exit: 3, expected: ["team prod_support"]),
        Case(user: "admin", args: ["team", "create", "t2", "--include", "nope"], expected: ["no team named 'nope'"]),
        Case(user: "admin", args: ["team", "add-member", "developers", "zed"], expected: ["no user named 'zed'"]),
        Case(user: "bob", args: ["job", "duplicate", "customers_daily_development", "--fabric", "nope"],
             expected: ["no fabric named 'nope'", "weft fabric list"]),
        Case(user: "bob", args: ["job", "duplicate", "customers_daily_development", "--fabric", "production", "--name", "9bad name"],
             expected: ["not a valid job name"]),
        Case(user: "alice", args: ["job", "duplicate", "no_such_job", "--fabric", "development"], expected: ["no job named 'no_such_job'"]),
        Case(user: "alice", args: ["job", "config", "customers_daily_development", "--task", "clean", "--set", "salt=hunter2"],
             expected: ["salt is a secret", "plain-text secrets are rejected"], forbidden: ["hunter2"]),
        Case(user: "alice", args: ["job", "config", "customers_daily_development", "--task", "ingest", "--set", "sample_rate=7"],
             expected: ["sample_rate is 7, above the maximum 1"]),
        Case(user: "alice", args: ["job", "config", "customers_daily_development", "--task", "aggregate", "--set", "top_n=abc"],
             expected: ["top_n must be a whole number, not 'abc'"]),
        Case(user: "alice", args: ["job", "config", "customers_daily_development", "--task", "ingest", "--set", "colour=red"],
             expected: ["unknown field 'colour'"]),
        Case(user: "alice", args: ["job", "config", "customers_daily_development", "--task", "ingest", "--instance", "staging"],
             expected: ["no configuration instance 'staging'"]),
        Case(user: "alice", args: ["job", "config", "customers_daily_development", "--task", "nosuch", "--set", "a=b"],
             expected: ["no task named 'nosuch'"]),
        Case(user: "alice", args: ["pipeline", "config", "customer_analytics/clean", "--instance", "development", "--set", "salt=hunter2"],
             expected: ["plain-text secrets are rejected"], forbidden: ["hunter2"]),
        Case(user: "alice", args: ["job", "duplicate", "customers_daily_development", "--fabric", "production"], exit: 3,
             expected: ["permission denied: alice may not duplicate a job onto fabric production", "team prod_support"]),
        // Names are unique ignoring case and Unicode compatibility forms; the message names the existing one.
        Case(user: "admin", args: ["fabric", "create", "Production", "--owner", "prod_support", "--stage", "production"],
             expected: ["fabric name 'Production' is taken: a fabric named 'production' exists already"]),
        Case(user: "admin", args: ["fabric", "create", "ｐｒｏｄｕｃｔｉｏｎ", "--owner", "prod_support", "--stage", "production"],
             expected: ["a fabric named 'production' exists already"]),
        Case(user: "admin", args: ["team", "create", "Developers"], expected: ["a team named 'developers' exists already"]),
        Case(user: "bob", args: ["job", "duplicate", "customers_daily_development", "--fabric", "production", "--name", "Customers_Daily_Development"],
             expected: ["a job named 'customers_daily_development' exists already"]),
        // Outside prod_support, production's audit is a denial, not an empty table.
        Case(user: "alice", args: ["audit", "--fabric", "production"], exit: 3,
             expected: ["permission denied: alice may not", "fabric production", "team prod_support"]),
        // A name given on the command line comes back in the error with its control characters shown, not sent.
        Case(user: "alice", args: ["job", "show", "x\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m"],
             expected: ["no job named 'x^[]0;owned^G^[[2J\\u{9B}31m'"], forbidden: ["\u{1B}", "\u{07}", "\u{9B}"]),
    ]

    @Test(arguments: cases)
    func badInputChangesNothing(_ c: Case) throws {
        let cli = try CLIWorkspace()
        try cli.session(as: c.user)
        let before = try snapshot(cli)
        let r = try cli.weft(c.args)
        #expect(r.status == c.exit && !r.signalled, "\(r)")
        for e in c.expected { #expect(r.stderr.contains(e), "expected '\(e)' in: \(r.stderr)") }
        for f in c.forbidden { #expect(!(r.stdout + r.stderr).contains(f), "'\(f)' echoed back: \(r)") }
        #expect(try snapshot(cli) == before)
        #expect(try cli.git(["status", "--porcelain", "--untracked-files=all"]).stdout.isEmpty)
    }

    @Test func badProjectImportThroughTheCLI() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let dir = cli.base + "/import"
        try FileManager.default.copyItem(atPath: DemoWorkspace.projectSource, toPath: dir)
        let jobFile = dir + "/jobs/customers_daily_development.yaml"
        let lines = try String(contentsOfFile: jobFile, encoding: .utf8).components(separatedBy: "\n")
        let cronLine = try #require(lines.firstIndex { $0.contains("cron:") })
        var broken = lines
        broken[cronLine] = "  cron: \"0 25 * * *\""
        try broken.joined(separator: "\n").write(toFile: jobFile, atomically: true, encoding: .utf8)
        let before = try snapshot(cli)
        let r = try cli.weft(["project", "create", "imported", "--owner", "developers", "--from", dir])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("jobs/customers_daily_development.yaml:\(cronLine + 1): schedule:"), "\(r.stderr)")
        #expect(try snapshot(cli) == before)
        #expect(!FileManager.default.fileExists(atPath: cli.root + "/projects/imported"))
    }

    /// A malformed job file committed with plain git: `job list` warns with file:line and lists the rest.
    @Test func malformedJobCommittedWithGitIsReportedAndTheRestStillLists() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        try "name: broken_job\nfabric: development\ntasks:\n  - key: a\n    script: \"echo\"\n    retries: lots\n"
            .write(toFile: cli.projectDir + "/jobs/broken_job.yaml", atomically: true, encoding: .utf8)
        try "name: [unclosed\n".write(toFile: cli.projectDir + "/jobs/garbled.yaml", atomically: true, encoding: .utf8)
        #expect(try cli.git(["add", "-A"]).status == 0)
        let commit = try cli.git(["-c", "user.name=mallory", "-c", "user.email=m@x", "commit", "-q", "-m", "hand-edited"])
        #expect(commit.status == 0, "\(commit)")
        let r = try cli.weft(["job", "list", "-o", "json"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("warning: customer_analytics/jobs/broken_job.yaml:6: retries must be a whole number, not 'lots'"), "\(r.stderr)")
        #expect(r.stderr.contains("warning: customer_analytics/jobs/garbled.yaml:"), "\(r.stderr)")
        let names = try decodeJSON([JobListEntry].self, r.stdout).map(\.name)
        #expect(names == ["customers_daily_development"])
        let show = try cli.weft(["job", "show", "broken_job"])
        #expect(show.status == 1 && show.stderr.contains("broken_job.yaml:6"), "\(show)")
        #expect(try cli.weft(["job", "show", "customers_daily_development"]).status == 0)
    }

    /// A job's YAML committed with plain git (as a project member could), so tests can run what they need.
    func commitJob(_ cli: CLIWorkspace, _ job: Job) throws {
        try ProjectFiles.encodeJob(job).write(toFile: cli.projectDir + "/jobs/\(job.name).yaml", atomically: true, encoding: .utf8)
        #expect(try cli.git(["add", "-A"]).status == 0)
        let commit = try cli.git(["-c", "user.name=alice", "-c", "user.email=a@x", "commit", "-q", "-m", "add \(job.name)"])
        #expect(commit.status == 0, "\(commit)")
    }

    /// Task output and progress messages with ESC sequences (clear screen, OSC window title, SGR, a C1 CSI, a
    /// carriage return) are shown as text by `run --follow`, `runs logs` and `runs show`; `-o json` stays exact.
    @Test func controlCharactersFromTasksNeverReachTheTerminal() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let script = #"printf '\033[2J\033]0;owned\007clear\n'; printf 'csi \302\233 31m red\rhidden\n'; printf '::progress 0.5 \033[2Jhalf\n'; exit 3"#
        try commitJob(cli, Job(name: "noisy", fabric: "development", tasks: [JobTask(key: "paint", action: .script(script))]))
        let run = try cli.weft(["run", "noisy", "--follow"], timeout: 120)
        #expect(run.status == 1, "\(run)")
        let controls: [Character] = ["\u{1B}", "\u{07}", "\u{9B}", "\r"]
        for c in controls { #expect(!(run.stdout + run.stderr).contains(c), "\(c.unicodeScalars.first!.value) reached the terminal: \(run)") }
        #expect(run.stdout.contains("paint: 50% ^[[2Jhalf"), "\(run.stdout)")
        let ws = try Workspace.open(at: cli.root)
        let id = try #require(try ws.metastore.runs(limit: 1).first?.id)
        let logs = try cli.weft(["runs", "logs", id, "paint"])
        #expect(logs.status == 0, "\(logs)")
        for c in controls { #expect(!logs.stdout.contains(c), "\(c.unicodeScalars.first!.value) reached the terminal: \(logs.stdout)") }
        #expect(logs.stdout.contains("^[[2J^[]0;owned^Gclear\n"), "\(logs.stdout)")
        #expect(logs.stdout.contains("csi \\u{9B} 31m red^Mhidden\n"), "\(logs.stdout)")
        let show = try cli.weft(["runs", "show", id])
        for c in controls { #expect(!show.stdout.contains(c), "\(show.stdout)") }
        // JSON keeps the exact text, escaped as JSON escapes it.
        struct Out: Decodable { struct T: Decodable { var key: String; var progressMessage: String? }; var tasks: [T] }
        let json = try cli.weft(["runs", "show", id, "-o", "json"])
        for c in controls { #expect(!json.stdout.contains(c), "\(json.stdout)") }
        #expect(try decodeJSON(Out.self, json.stdout).tasks.first?.progressMessage == "\u{1B}[2Jhalf", "\(json.stdout)")
    }

    /// A binary job file committed with plain git: `job list` warns with the file and the byte offset.
    @Test func aBinaryJobFileAtHEADIsReportedWithItsOffset() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]).write(to: URL(fileURLWithPath: cli.projectDir + "/jobs/elf.yaml"))
        #expect(try cli.git(["add", "-A"]).status == 0)
        #expect(try cli.git(["-c", "user.name=mallory", "-c", "user.email=m@x", "commit", "-q", "-m", "binary"]).status == 0)
        let r = try cli.weft(["job", "list"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("warning: customer_analytics/jobs/elf.yaml:1: control character U+007F at byte offset 0"), "\(r.stderr)")
        #expect(r.stdout.contains("customers_daily_development"))
    }

    /// `weft job show` of a 10,000-task chain: linear, and the depth drawn is capped.
    @Test func jobShowOfATenThousandTaskChainIsFastAndFlat() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let n = 10_000
        let tasks = (0..<n).map { i in JobTask(key: "t\(i)", action: .script("true"), dependsOn: i == 0 ? [] : ["t\(i - 1)"]) }
        try commitJob(cli, Job(name: "chain", fabric: "development", tasks: tasks))
        _ = try cli.weft(["job", "list"], timeout: 120)  // builds the job index (parses the file once)
        let start = Date()
        let r = try cli.weft(["job", "show", "chain"], timeout: 120)
        let elapsed = Date().timeIntervalSince(start)
        print("weft job show of a \(n)-task chain: \(String(format: "%.3f", elapsed)) s")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(elapsed < 5, "took \(elapsed) s")
        let lines = r.stdout.split(separator: "\n")
        let taskLines = lines.filter { $0.contains("└ t") }
        #expect(taskLines.count == n)
        let deepest = taskLines.map { $0.prefix { $0 == " " }.count }.max() ?? 0
        #expect(deepest <= 2 * 9, "indentation grew to \(deepest)")
        #expect(r.stdout.contains("… (depth 8+, drawn flat)"))
        #expect(taskLines.last?.contains("t9999  (depth 9999)") == true, "\(taskLines.last ?? "")")
    }
}

/// `TerminalText`: every control character is shown, nothing else changes.
@Suite struct TerminalTextTests {
    @Test func controlCharactersAreShownVisibly() {
        #expect(TerminalText.safe("plain ✓ text\twith tab\n") == "plain ✓ text\twith tab\n")
        #expect(TerminalText.safe("\u{1B}[2J\u{1B}]0;title\u{07}x") == "^[[2J^[]0;title^Gx")
        #expect(TerminalText.safe("\u{0}\u{7F}\u{9B}31m\u{85}") == "^@^?\\u{9B}31m\\u{85}")
        #expect(TerminalText.safe("over\rwrite\r\nnext\r") == "over^Mwrite\nnext")
        #expect(TerminalText.field("two\nlines") == "two^Jlines")
        #expect(TerminalText.json(#"{"a" : "x\#u{9B}y\#u{7F}"}"#) == #"{"a" : "x\u009by\u007f"}"#)
    }

    @Test func tableCellsAreSingleLineAndAligned() {
        let out = Table.render(["A", "B"], [["x\u{1B}[2J", "1"], ["two\nlines", "2"]])
        #expect(out == "A           B\nx^[[2J      1\ntwo^Jlines  2", "\(out)")
    }
}
