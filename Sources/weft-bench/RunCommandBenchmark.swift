import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// `weft-bench run-command [--samples N] [--keep]`: the whole `weft run JOB --follow` command (exec, session,
/// run service, plan at the revision, local driver, engine, progress printing, exit) for a chain of 10 `true`
/// tasks and for 20 parallel `true` tasks on a fabric of 8 slots, with a CLI session as a user would have.
enum RunCommandBenchmark {
    static func run(arguments: [String]) async -> Int32 {
        let samples = Int(FoundationBenchmark.value(of: "--samples", in: arguments) ?? "") ?? 30
        let keep = arguments.contains("--keep")
        let dir = NSTemporaryDirectory() + "weft-bench-runcmd-\(getpid())"
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        do {
            let weft = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("weft").path
            guard FileManager.default.isExecutableFile(atPath: weft) else {
                print("weft binary not found next to weft-bench (\(weft)); build it: swift build -c release --product weft")
                return 1
            }
            let root = dir + "/ws"
            try DemoWorkspace.ensure(at: root)
            let ws = try Workspace.open(at: root)
            // bob: prod_support, included in developers, so both fabrics are his (production has 8 slots).
            try ws.startSession(try ws.principal(for: User(name: "bob")))
            try FoundationBenchmark.addChainJob(ws)
            try addParallelJob(ws)
            print("weft run … --follow, whole command (\(samples) samples each, after 3 warm-up runs; \(ProcessInfo.processInfo.activeProcessorCount) cores)")
            for (job, label) in [("customer_analytics/chain10", "chain of 10 `true` (development)"), ("customer_analytics/parallel20", "20 parallel `true`, 8 slots (production)")] {
                for _ in 0..<3 { _ = try FoundationBenchmark.time(weft, ["run", job, "--follow", "--yes", "--workspace", root]) }
                var ms: [Double] = []
                for _ in 0..<samples { ms.append(try FoundationBenchmark.time(weft, ["run", job, "--follow", "--yes", "--workspace", root])) }
                FoundationBenchmark.report("weft run \(label)", ms, target: "p50 ≤ 30 ms")
            }
            // The sandbox's cost: the chain on development with `sandbox: off` and `on` (network on, the development
            // default), one sample of each in turn so that both see the same machine.
            let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
            let schema = LocalDriver(workspace: ws).settingsSchema
            var off: [Double] = []
            var on: [Double] = []
            var onNoNet: [Double] = []
            for i in 0..<(samples + 3) {
                for (setting, network) in [("off", "on"), ("on", "on"), ("on", "off")] {
                    try ws.updateFabric(admin, name: "development", set: ["sandbox": setting, "network": network], schema: schema)
                    let t = try FoundationBenchmark.time(weft, ["run", "customer_analytics/chain10", "--follow", "--workspace", root])
                    guard i >= 3 else { continue }
                    if setting == "off" { off.append(t) } else if network == "on" { on.append(t) } else { onNoNet.append(t) }
                }
            }
            try ws.updateFabric(admin, name: "development", set: ["sandbox": "on", "network": "on"], schema: schema)
            FoundationBenchmark.report("weft run chain of 10 `true`, sandbox: off", off, target: "—")
            FoundationBenchmark.report("weft run chain of 10 `true`, sandbox: on (network on)", on, target: "p50 ≤ 1.5 × sandbox: off")
            FoundationBenchmark.report("weft run chain of 10 `true`, sandbox: on, network: off", onNoNet, target: "—")
            func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? 0 : s[(s.count - 1) / 2] }
            let ratio = median(on) / max(0.001, median(off))
            print(String(format: "  sandbox on / off, p50: %.2f×", ratio))
            // What verifying a checkout against its commit costs (the demo project's export, warm), per run.
            let head = try ws.headCommit(project: "customer_analytics")
            let files = try FileManager.default.subpathsOfDirectory(
                atPath: try ws.exportRevision(project: "customer_analytics", commit: head, fabric: "development")).count
            var verify: [Double] = []
            for _ in 0..<(samples * 3) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try ws.verifiedExport(project: "customer_analytics", commit: head, fabric: "development")
                verify.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            FoundationBenchmark.report("  verify a checkout (\(files) entries)", verify, target: "—")
            // The floor on this machine, in the same run: process start, and the same tasks started by a shell.
            var version: [Double] = []
            for _ in 0..<samples { version.append(try FoundationBenchmark.time(weft, ["--version"])) }
            FoundationBenchmark.report("  floor: weft --version (process start)", version, target: "—")
            let byHand = [
                ("  floor: sh, 10 `sh -c true` one after another", "i=0; while [ $i -lt 10 ]; do /bin/sh -c true; i=$((i+1)); done"),
            ]
            for (label, script) in byHand {
                var ms: [Double] = []
                for _ in 0..<samples { ms.append(try FoundationBenchmark.time("/bin/sh", ["-c", script])) }
                FoundationBenchmark.report(label, ms, target: "—")
            }
            return 0
        } catch {
            print("benchmark failed: \(error)")
            return 1
        }
    }

    /// A job of 20 independent `true` tasks on the production fabric (8 slots).
    static func addParallelJob(_ ws: Workspace) throws {
        let tasks = (0..<20).map { i in JobTask(key: "p\(i)", action: .script("true")) }
        let job = Job(name: "parallel20", fabric: "production", maxConcurrentRuns: 1, tasks: tasks)
        let dir = ws.projectDirectory("customer_analytics")
        try Data(ProjectFiles.encodeJob(job).utf8).write(to: URL(fileURLWithPath: dir + "/jobs/parallel20.yaml"))
        let g = ws.git("customer_analytics")
        try g.run(["add", "-A", "jobs"], author: Git.Author(name: "bench", email: "bench@weft.local"))
        try g.run(["commit", "-q", "-m", "Add parallel20"], author: Git.Author(name: "bench", email: "bench@weft.local"))
    }
}
