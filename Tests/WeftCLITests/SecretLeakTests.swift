import Foundation
import Testing
import WeftDomain

@testable import WeftStore

/// A fabric secret set through the CLI and used by a running task appears nowhere in clear: not in the workspace
/// (the metastore included), not in git history, not in any CLI output.
@Suite struct SecretLeakTests {
    @Test func secretValueAppearsNowhere() throws {
        let cli = try CLIWorkspace()
        let secret = "canary-\(UUID().uuidString)-Zq9"
        try cli.session(as: "bob")

        let set = try cli.weft(["fabric", "set-secret", "production", "TOKEN", "--value-stdin"], stdin: secret + "\n")
        #expect(set.status == 0, "\(set)")

        // A project whose pipeline prints its WEFT_CONFIG file and the secret, with a job on production.
        let src = cli.base + "/leak-src"
        try FileManager.default.createDirectory(atPath: src + "/pipelines/leak", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: src + "/jobs", withIntermediateDirectories: true)
        try "name: leak\ndescription: prints its secret\n".write(toFile: src + "/project.yaml", atomically: true, encoding: .utf8)
        try """
            name: leak
            kind: python
            entry: main.py
            config:
              schema:
                - name: token
                  type: secret
                  required: true
                - name: label
                  type: string
                  default: "x"
              instances:
                production:
                  token: {secret: TOKEN}

            """.write(toFile: src + "/pipelines/leak/pipeline.yaml", atomically: true, encoding: .utf8)
        try """
            import json, os, sys
            path = os.environ["WEFT_CONFIG"]
            text = open(path).read()
            print("CONFIG " + text)
            token = json.loads(text)["token"]
            print("TOKEN " + token)
            print("TOKEN-REV " + token[::-1])
            print("::progress 0.5 halfway " + token)
            sys.stderr.write("STDERR " + token + "\\n")

            """.write(toFile: src + "/pipelines/leak/main.py", atomically: true, encoding: .utf8)
        try """
            name: leak_production
            fabric: production
            tasks:
              - key: leak
                pipeline: leak
                config: production
              - key: echo
                script: "echo SCRIPT $WEFT_TASK"
                depends_on: [leak]

            """.write(toFile: src + "/jobs/leak_production.yaml", atomically: true, encoding: .utf8)
        let create = try cli.weft(["project", "create", "leak", "--owner", "developers", "--from", src])
        #expect(create.status == 0, "\(create)")
        try FileManager.default.removeItem(atPath: src)

        let run = try cli.weft(["run", "leak_production", "--follow", "--yes"], timeout: 120)
        #expect(run.status == 0, "\(run)")
        let runs = try cli.weft(["runs", "list", "-o", "json"])
        #expect(runs.status == 0, "\(runs)")
        struct RunRow: Decodable { var id: String }
        let runID = try #require((try? decodeJSON([RunRow].self, runs.stdout))?.first?.id, "no run listed: \(runs.stdout)")
        let logs = try cli.weft(["runs", "logs", runID])
        #expect(logs.status == 0, "\(logs)")
        // The task really got the secret (its reverse is in the log), and the value itself is masked.
        #expect(logs.stdout.contains("TOKEN-REV " + String(secret.reversed())), "the task did not receive the secret:\n\(logs.stdout)")
        #expect(logs.stdout.contains("CONFIG "), "\(logs.stdout)")
        for args in [
            ["runs", "logs", runID, "leak"], ["runs", "show", runID], ["runs", "show", runID, "-o", "json"],
            ["fabric", "show", "production"], ["fabric", "show", "production", "-o", "json"], ["fabric", "list", "-o", "json"],
            ["audit", "-o", "json", "--limit", "500"], ["audit", "--limit", "500"], ["job", "show", "leak_production", "-o", "json"],
            ["pipeline", "show", "leak/leak"], ["project", "show", "leak"],
        ] {
            let r = try cli.weft(args)
            #expect(r.status == 0, "weft \(args.joined(separator: " ")): \(r)")
        }
        try cli.session(as: "admin")
        #expect(try cli.weft(["audit", "-o", "json", "--limit", "1000"]).status == 0)

        // 1. Every CLI output of this test.
        for (i, text) in cli.outputs.enumerated() {
            #expect(!text.contains(secret), "CLI output #\(i) holds the secret:\n\(text)")
        }
        // 2. Every file under the test folder: the workspace (metastore, WAL, logs, checkouts, keys), HOME, TMPDIR.
        let needle = Data(secret.utf8)
        var scanned = 0
        let walker = FileManager.default.enumerator(atPath: cli.base)
        while let rel = walker?.nextObject() as? String {
            let path = cli.base + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            scanned += 1
            #expect(data.range(of: needle) == nil, "\(rel) holds the secret in clear")
        }
        #expect(scanned > 20)
        #expect(FileManager.default.fileExists(atPath: cli.root + "/weft.sqlite"))
        // 3. Every project's whole git history.
        for project in try FileManager.default.contentsOfDirectory(atPath: cli.root + "/projects") where !project.hasPrefix(".") {
            let log = try cli.git(["log", "-p", "--all", "--format=%H %an %s%n%b"], in: cli.root + "/projects/" + project)
            #expect(log.status == 0 && !log.stdout.isEmpty)
            #expect(!log.stdout.contains(secret), "git history of \(project) holds the secret")
        }
    }

    /// A multi-line secret and one with every character that escaping changes, printed by a task as is, line by
    /// line, JSON-, shell- and URL-escaped, base64-encoded, on stderr and split across two writes, leave no trace —
    /// in task logs, `runs logs`, `-o json`, the audit or any file under the workspace, HOME and TMPDIR — after runs
    /// that end normally, time out, are cancelled, and whose detached owner is killed with SIGKILL. The task gets its
    /// configuration as a sealed memfd (no file), and neither the owner nor its tasks hold WEFT_PASSWORD.
    @Test func multiLineEscapedAndSplitSecretsLeaveNoTrace() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "bob")
        let tag = UUID().uuidString.prefix(8)
        let multi = "multi-\(tag)\nline-secret-77-\(tag)"
        let special = #"sp ec/ial'q"$&=+%-\#(tag)"#

        // Refused: shorter than 8 characters, with a message that says what to do (bad input, exit 1).
        let short = try cli.weft(["fabric", "set-secret", "production", "SHORT", "--value-stdin"], stdin: "x\n")
        #expect(short.status == 1 && short.stderr.contains("at least 8"), "\(short)")
        for (name, value) in [("MULTI", multi), ("SPECIAL", special)] {
            let set = try cli.weft(["fabric", "set-secret", "production", name, "--value-stdin"], stdin: value + "\n")
            #expect(set.status == 0, "\(set)")
        }

        let src = cli.base + "/leak-src"
        try FileManager.default.createDirectory(atPath: src + "/pipelines/leak", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: src + "/jobs", withIntermediateDirectories: true)
        try "name: leak2\ndescription: prints its secrets in every form\n".write(toFile: src + "/project.yaml", atomically: true, encoding: .utf8)
        try """
            name: leak
            kind: python
            entry: main.py
            config:
              schema:
                - name: token
                  type: secret
                  required: true
                - name: special
                  type: secret
                  required: true
                - name: mode
                  type: string
                  default: "end"
              instances:
                production:
                  token: {secret: MULTI}
                  special: {secret: SPECIAL}
                production_hang:
                  token: {secret: MULTI}
                  special: {secret: SPECIAL}
                  mode: "hang"

            """.write(toFile: src + "/pipelines/leak/pipeline.yaml", atomically: true, encoding: .utf8)
        try #"""
            import base64, json, os, shlex, sys, time, urllib.parse
            path = os.environ["WEFT_CONFIG"]
            cfg = json.loads(open(path).read())
            print("CONFIG-PATH " + path)
            try:
                with open(path, "w") as f:
                    f.write("{}")
                print("CONFIG-WRITABLE")
            except OSError as e:
                print("CONFIG-SEALED " + type(e).__name__)
            print("HAS-PASSWORD " + str(any("WEFT_PASSWORD" in k for k in os.environ)))
            for name in ("token", "special"):
                s = cfg[name]
                forms = [s, json.dumps(s)[1:-1], json.dumps(s).replace("/", "\\/")[1:-1], shlex.quote(s),
                         urllib.parse.quote(s, safe=""), base64.b64encode(s.encode()).decode()]
                for i, f in enumerate(forms):
                    print("FORM %s %d %s" % (name, i, f))
                    print("REV %s %d %s" % (name, i, f[::-1]))
                print("OBJ " + json.dumps({"v": s}))
                sys.stderr.write("STDERR " + s + "\n")
                sys.stderr.flush()
                sys.stdout.write("SPLIT " + s[:5])
                sys.stdout.flush()
                time.sleep(0.05)
                sys.stdout.write(s[5:] + " END\n")
                sys.stdout.flush()
            print("READY", flush=True)
            if cfg["mode"] == "hang":
                sys.stdout.write("PARTIAL " + cfg["special"])
                sys.stdout.flush()
                time.sleep(600)

            """#.write(toFile: src + "/pipelines/leak/main.py", atomically: true, encoding: .utf8)
        for (job, instance, timeout) in [("leak_end", "production", ""), ("leak_timeout", "production_hang", "\n    timeout: 4"), ("leak_hang", "production_hang", "")] {
            try """
                name: \(job)
                fabric: production
                tasks:
                  - key: leak
                    pipeline: leak
                    config: \(instance)\(timeout)

                """.write(toFile: src + "/jobs/\(job).yaml", atomically: true, encoding: .utf8)
        }
        let create = try cli.weft(["project", "create", "leak2", "--owner", "developers", "--from", src])
        #expect(create.status == 0, "\(create)")
        try FileManager.default.removeItem(atPath: src)

        struct Detail: Decodable {
            struct Run: Decodable { var id: String; var state: String; var message: String? }
            var run: Run
        }
        func state(_ id: String) throws -> Detail.Run? {
            let r = try cli.weft(["runs", "show", id, "-o", "json"])
            return r.status == 0 ? try? decodeJSON(Detail.self, r.stdout).run : nil
        }
        func waitFor(_ what: String, timeout: Double = 60, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while try !condition() {
                guard Date() < deadline else { throw WeftError.failure("timed out waiting for \(what)") }
                usleep(50_000)
            }
        }
        func startDetached(_ job: String, env: [String: String] = [:]) throws -> String {
            let r = try cli.weft(["run", job, "--yes"], env: env)
            #expect(r.status == 0, "\(r)")
            let words = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard let i = words.firstIndex(of: "run"), i + 1 < words.count else { throw WeftError.failure("no run id in \(r.stdout)") }
            return String(words[i + 1])
        }
        func waitReady(_ id: String) throws {
            try waitFor("run \(id) to print READY") { try cli.weft(["runs", "logs", id]).stdout.contains("READY") }
        }

        // 1. Ends normally; 2. times out (its task killed with a partial line of the secret pending).
        let end = try cli.weft(["run", "leak_end", "--follow", "--yes"], timeout: 120)
        #expect(end.status == 0, "\(end)")
        let timedOut = try cli.weft(["run", "leak_timeout", "--follow", "--yes"], timeout: 120)
        #expect(timedOut.status == 1, "\(timedOut)")
        // 3. Cancelled.
        // 3. Cancelled, while followed by a `weft run --follow` signed in with WEFT_USER/WEFT_PASSWORD: that
        //    process scrubbed the password from its environment at start (/proc/PID/environ no longer shows it).
        let password = "bob-demo-pw"
        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: cli.weft)
        follower.arguments = ["run", "leak_hang", "--follow", "--yes", "--workspace", cli.root]
        follower.environment = cli.environment(["WEFT_USER": "bob", "WEFT_PASSWORD": password])
        #expect(FileManager.default.createFile(atPath: cli.base + "/follow.out", contents: nil))
        let followOut = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.base + "/follow.out"))
        follower.standardOutput = followOut
        follower.standardError = followOut
        follower.standardInput = FileHandle.nullDevice
        try follower.run()
        struct Row: Decodable { var id: String; var job: String; var state: String }
        var cancelled = ""
        try waitFor("the followed run to start") {
            let rows = (try? decodeJSON([Row].self, try cli.weft(["runs", "list", "-o", "json"]).stdout)) ?? []
            cancelled = rows.first { $0.job == "leak_hang" && $0.state == "running" }?.id ?? ""
            return !cancelled.isEmpty
        }
        try waitReady(cancelled)
        let followerEnv = Self.processes().first { $0.pid == follower.processIdentifier }?.environ ?? "unreadable"
        #expect(followerEnv.contains("WEFT_USER=bob"), "\(followerEnv)")
        #expect(!followerEnv.contains(password), "weft run --follow keeps WEFT_PASSWORD in its environment")
        let cancel = try cli.weft(["runs", "cancel", cancelled])
        #expect(cancel.status == 0, "\(cancel)")
        try waitFor("run \(cancelled) to end") { try state(cancelled)?.state == "cancelled" }
        follower.waitUntilExit()
        try followOut.close()
        #expect(follower.terminationStatus == 1)
        // 4. The owner (signed in through WEFT_USER/WEFT_PASSWORD) killed with SIGKILL.
        let killed = try startDetached("leak_hang", env: ["WEFT_USER": "bob", "WEFT_PASSWORD": password])
        try waitReady(killed)
        let procs = Self.processes()
        let owner = try #require(procs.first { $0.cmdline.contains("--owner") && $0.cmdline.contains(killed) && !($0.cmdline.first ?? "").hasSuffix("setsid") }, "no owner process of \(killed)")
        let setsid = procs.first { $0.pid == owner.ppid }
        let tasks = procs.filter { $0.environ.contains("WEFT_RUN_ID=\(killed)") }
        #expect(!tasks.isEmpty, "no task process of \(killed)")
        for p in [owner] + tasks + (setsid.map { [$0] } ?? []) {
            #expect(!p.environ.contains(password), "pid \(p.pid) (\(p.cmdline.joined(separator: " "))) holds WEFT_PASSWORD in its environment")
            #expect(!p.environ.contains("WEFT_PASSWORD"), "pid \(p.pid) has WEFT_PASSWORD in its environment")
        }
        #expect(kill(owner.pid, SIGKILL) == 0)
        try waitFor("run \(killed) to be recovered") {
            _ = try cli.weft(["runs", "list"])
            return try state(killed)?.state == "failed"
        }

        var logs: [String: String] = [:]
        for id in [cancelled, killed] + (try Self.runIDs(cli)) where logs[id] == nil {
            let r = try cli.weft(["runs", "logs", id])
            #expect(r.status == 0, "\(r)")
            logs[id] = r.stdout
            for args in [["runs", "show", id], ["runs", "show", id, "-o", "json"], ["runs", "logs", id, "leak"]] {
                #expect(try cli.weft(args).status == 0)
            }
        }
        #expect(logs.count == 4, "\(logs.keys)")
        for args in [["audit", "-o", "json", "--limit", "500"], ["audit", "--limit", "500"], ["runs", "list", "-o", "json"]] {
            #expect(try cli.weft(args).status == 0)
        }

        // What was printed, computed here independently of Weft.
        func jsonInner(_ s: String, escapingSlashes: Bool) throws -> String {
            let enc = JSONEncoder()
            if !escapingSlashes { enc.outputFormatting = [.withoutEscapingSlashes] }
            return String(String(decoding: try enc.encode(s), as: UTF8.self).dropFirst().dropLast())
        }
        var needles: [String] = []
        for s in [multi, special] {
            var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
            allowed.insert(charactersIn: "-._~")
            needles += [
                s, try jsonInner(s, escapingSlashes: false), try jsonInner(s, escapingSlashes: true),
                "'" + s.replacingOccurrences(of: "'", with: #"'"'"'"#) + "'",
                s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s, Data(s.utf8).base64EncodedString(),
            ]
        }
        needles += multi.split(separator: "\n").map(String.init)
        for (id, text) in logs {
            #expect(text.contains("CONFIG-PATH /dev/fd/"), "run \(id): the configuration was not a memfd:\n\(text)")
            #expect(text.contains("CONFIG-SEALED") && !text.contains("CONFIG-WRITABLE"), "run \(id):\n\(text)")
            #expect(text.contains("HAS-PASSWORD False"), "run \(id):\n\(text)")
            #expect(text.contains("SPLIT **** END"), "run \(id):\n\(text)")
            // Each form was printed as computed here: its reverse (not masked) is in the log.
            for n in needles.prefix(12) {
                #expect(text.contains(String(n.reversed())), "run \(id): the task did not print \(n) (reversed) — the test's forms are wrong:\n\(text)")
            }
        }
        #expect(logs[killed].map { !$0.contains("PARTIAL") } ?? false)  // killed with its owner: the partial line is lost
        // Every CLI output.
        for (i, text) in cli.outputs.enumerated() {
            for n in needles { #expect(!text.contains(n), "CLI output #\(i) holds \(n.debugDescription):\n\(text)") }
        }
        // Every file under the test folder: workspace (metastore, WAL, logs, checkouts, keys), HOME, TMPDIR.
        var scanned = 0
        let walker = FileManager.default.enumerator(atPath: cli.base)
        while let rel = walker?.nextObject() as? String {
            let path = cli.base + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            scanned += 1
            for n in needles { #expect(data.range(of: Data(n.utf8)) == nil, "\(rel) holds \(n.debugDescription)") }
            #expect(!rel.contains("weft-config"), "\(rel): a configuration file was left behind")
        }
        #expect(scanned > 20)
        // Private to the user: the workspace folder, the metastore, the key, task logs.
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1 }
        #expect(mode(cli.root) == 0o700)
        #expect(mode(cli.root + "/weft.sqlite") == 0o600)
        #expect(mode(cli.root + "/keys/secrets.key") == 0o600)
        let logFiles = (FileManager.default.subpaths(atPath: cli.root) ?? []).filter { $0.hasSuffix("/leak.log") }
        #expect(!logFiles.isEmpty)
        for f in logFiles { #expect(mode(cli.root + "/" + f) == 0o600, "\(f)") }
    }

    /// A workspace made by an older Weft (or loosened by hand) is made private again by the next command that
    /// opens it: the folder and keys/ 0700, the metastore and the key 0600.
    @Test func anExistingWorkspaceIsTightenedOnOpen() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "bob")
        func mode(_ path: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1 }
        let loose: [(String, Int, Int)] = [
            (cli.root, 0o755, 0o700), (cli.root + "/keys", 0o755, 0o700), (cli.root + "/weft.sqlite", 0o644, 0o600),
            (cli.root + "/keys/secrets.key", 0o644, 0o600), (cli.root + "/session", 0o644, 0o600),
        ]
        for (path, m, _) in loose { #expect(chmod(path, mode_t(m)) == 0, "\(path)") }
        let r = try cli.weft(["fabric", "list"])
        #expect(r.status == 0, "\(r)")
        for (path, _, want) in loose { #expect(mode(path) == want, "\(path): \(String(mode(path), radix: 8))") }
    }

    struct ProcessInfoEntry {
        var pid: Int32
        var ppid: Int32
        var cmdline: [String]
        var environ: String
    }

    /// Every process of this user readable in /proc: pid, parent, argv and environment (NULs as newlines).
    static func processes() -> [ProcessInfoEntry] {
        var out: [ProcessInfoEntry] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name),
                let cmd = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8)
            else { continue }
            let env = FileManager.default.contents(atPath: "/proc/\(name)/environ") ?? Data()
            let afterName = stat.split(separator: ")").last.map(String.init) ?? ""
            let fields = afterName.split(separator: " ")
            let ppid = fields.count > 1 ? Int32(fields[1]) ?? 0 : 0
            out.append(
                ProcessInfoEntry(
                    pid: pid, ppid: ppid, cmdline: cmd.split(separator: 0).map { String(decoding: $0, as: UTF8.self) },
                    environ: String(decoding: env.map { $0 == 0 ? 0x0A : $0 }, as: UTF8.self)))
        }
        return out
    }

    static func runIDs(_ cli: CLIWorkspace) throws -> [String] {
        struct RunRow: Decodable { var id: String }
        let runs = try cli.weft(["runs", "list", "-o", "json"])
        return (try? decodeJSON([RunRow].self, runs.stdout))?.map(\.id) ?? []
    }
}
