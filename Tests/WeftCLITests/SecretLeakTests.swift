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

        let run = try cli.weft(["run", "leak_production", "--follow"], timeout: 120)
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
}
