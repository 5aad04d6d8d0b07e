import Foundation
import Testing
import WeftDomain
import WeftStore

/// `weft run` where bubblewrap cannot run (`WEFT_BWRAP=/nonexistent`): production is refused with why and what to
/// do, unless the fabric says `sandbox: off`; development runs unsandboxed with a warning in its task log.
@Suite struct SandboxCLITests {
    @Test func withoutBubblewrapProductionIsRefusedUnlessItsSandboxIsOff() throws {
        let cli = try CLIWorkspace()
        let job = "name: prod_probe\nfabric: production\nenabled: false\ntasks:\n  - key: main\n    script: \"echo ran-on-production\"\n"
        try job.write(toFile: cli.projectDir + "/jobs/prod_probe.yaml", atomically: true, encoding: .utf8)
        let dev = "name: dev_probe\nfabric: development\nenabled: false\ntasks:\n  - key: main\n    script: \"echo ran-on-development\"\n"
        try dev.write(toFile: cli.projectDir + "/jobs/dev_probe.yaml", atomically: true, encoding: .utf8)
        #expect(try cli.git(["add", "jobs"]).status == 0)
        #expect(try cli.git(["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "probes"]).status == 0)
        let noBwrap = ["WEFT_BWRAP": "/nonexistent"]
        try cli.session(as: "bob")
        let refused = try cli.weft(["run", "prod_probe", "--follow", "--yes"], env: noBwrap)
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("refusing to run tasks of production fabric production without a sandbox: bubblewrap (/nonexistent) is not an executable file"), "\(refused)")
        #expect(refused.stderr.contains("--set sandbox=off"), "\(refused)")
        #expect(!refused.stdout.contains("ran-on-production"))
        // Development falls back, and says so in the task's log.
        let fellBack = try cli.weft(["run", "dev_probe", "--follow"], env: noBwrap)
        #expect(fellBack.status == 0, "\(fellBack)")
        let devRuns = try cli.weft(["runs", "list", "-o", "json"])
        let devID = try #require(devRuns.stdout.split(separator: "\"").first { $0.hasPrefix("r2") }.map(String.init), "\(devRuns)")
        let log = try cli.weft(["runs", "logs", devID, "main"])
        #expect(log.stdout.contains("runs WITHOUT a sandbox") && log.stdout.contains("ran-on-development"), "\(log)")
        // The fabric's owner turns the sandbox off on purpose: production runs (unsandboxed).
        try cli.session(as: "admin")
        #expect(try cli.weft(["fabric", "update", "production", "--set", "sandbox=off"]).status == 0)
        try cli.session(as: "bob")
        let ran = try cli.weft(["run", "prod_probe", "--follow", "--yes"], env: noBwrap)
        #expect(ran.status == 0, "\(ran)")
    }
}
