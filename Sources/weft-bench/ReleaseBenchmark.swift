import Foundation
import WeftDomain
import WeftStore

/// `weft-bench release [--samples N] [--full N] [--keep]`: the whole `weft release` command of the demo project, as
/// bob runs it from his CLI session, with the demo job on all three fabrics (development, qa, production; the qa and
/// production copies duplicated, configured and enabled as the seed scenario does).
///
/// - `weft release customer_analytics --version V --dry-run` (validate at HEAD, plan for 3 fabrics): p50/p90 over N.
/// - the full release (build, unit tests, tag, record, deploy to 3 fabrics), each sample a new commit and version.
/// - the split: the unit tests' processes — the same `python3 -m unittest discover -s tests` of each pipeline, two at
///   a time as the release runs them, in a checkout of the same commit, timed right after each release — and the rest.
enum ReleaseBenchmark {
    struct Out {
        var status: Int32
        var stdout: String
        var stderr: String
        var ms: Double
    }

    static func spawn(_ exe: String, _ args: [String], directory: String? = nil, environment: [String: String]? = nil) throws -> Out {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        final class Box: @unchecked Sendable { var data = Data() }
        let o = Box(), e = Box()
        let readers = DispatchGroup()
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        for (pipe, box) in [(out, o), (err, e)] {
            readers.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                readers.leave()
            }
        }
        p.waitUntilExit()
        readers.wait()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        return Out(status: p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self), stderr: String(decoding: e.data, as: UTF8.self), ms: ms)
    }

    static func run(arguments: [String]) async -> Int32 {
        let samples = Int(FoundationBenchmark.value(of: "--samples", in: arguments) ?? "") ?? 20
        let full = Int(FoundationBenchmark.value(of: "--full", in: arguments) ?? "") ?? 5
        let keep = arguments.contains("--keep")
        let dir = NSTemporaryDirectory() + "weft-bench-release-\(getpid())"
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
            // bob: prod_support, included in developers and qa, so all three fabrics are his to deploy to.
            try ws.startSession(try ws.principal(for: User(name: "bob")))
            func weftOK(_ args: [String]) throws -> Out {
                let r = try spawn(weft, args + ["--workspace", root])
                guard r.status == 0 else { throw WeftError.failure("weft \(args.joined(separator: " ")) exited \(r.status): \(r.stderr)\(r.stdout)") }
                return r
            }
            for (fabric, batch) in [("qa", 200), ("production", 400)] {
                let name = "customers_daily_\(fabric)"
                _ = try weftOK(["job", "duplicate", "customers_daily_development", "--fabric", fabric, "--name", name])
                _ = try weftOK(["job", "config", name, "--task", "ingest", "--instance", fabric, "--set", "batch_size=\(batch)"])
                _ = try weftOK(["job", "enable", name])
            }
            let project = ws.projectDirectory("customer_analytics")
            let git = ws.git("customer_analytics")
            let author = Git.Author(name: "bench", email: "bench@weft.local")
            /// A new commit (setup, not measured): the production job's batch size changes.
            func commit(_ i: Int) throws {
                let path = project + "/jobs/customers_daily_production.yaml"
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try text.replacingOccurrences(of: #"batch_size: \d+"#, with: "batch_size: \(500 + i)", options: .regularExpression)
                    .write(toFile: path, atomically: true, encoding: .utf8)
                try git.run(["commit", "-q", "-a", "-m", "bench \(i)"], author: author)
            }
            let cores = ProcessInfo.processInfo.activeProcessorCount

            // Dry run: a version not released yet, planned for the 3 fabrics.
            let dryArgs = ["release", "customer_analytics", "--version", "0.9.0", "--dry-run"]
            let plan = try weftOK(dryArgs)
            let fabricsPlanned = plan.stdout.components(separatedBy: "→ fabric ").count - 1
            print("weft release customer_analytics --dry-run, whole command (\(samples) samples after 3 warm-up runs; \(cores) cores; \(fabricsPlanned) fabrics planned)")
            for _ in 0..<3 { _ = try weftOK(dryArgs) }
            var dry: [Double] = []
            for _ in 0..<samples { dry.append(try weftOK(dryArgs).ms) }
            FoundationBenchmark.report("weft release --dry-run (3 fabrics)", dry, target: "p50 < 300 ms")

            // Full releases, each of a new commit as a new version; then the same unit tests timed by themselves.
            print("weft release customer_analytics --version 1.0.K --yes, whole command (\(full) samples, each a new commit; after 1 warm-up release)")
            var total: [Double] = [], tests: [Double] = [], testSum: [Double] = [], rest: [Double] = []
            let checkout = dir + "/checkout"
            let pipelines = ["aggregate", "clean", "ingest"]
            let helperEnv: [String: String] = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8",
                "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
            ]
            for k in 0...full {
                try commit(k)
                let r = try weftOK(["release", "customer_analytics", "--version", "1.0.\(k)", "--yes"])
                let deployed = r.stdout.components(separatedBy: "\n").first { $0.contains("deployed to") } ?? ""
                guard ["development", "qa", "production"].allSatisfy(deployed.contains) else {
                    throw WeftError.failure("release 1.0.\(k) did not deploy to the 3 fabrics: \(r.stdout)")
                }
                // The unit tests alone, as the release runs them: two at a time, in a checkout of the commit.
                try? FileManager.default.removeItem(atPath: checkout)
                let extract = try spawn("/bin/sh", ["-c", "mkdir -p \"$2\" && git -C \"$1\" archive --format=tar HEAD | tar -x -C \"$2\"", "sh", project, checkout])
                guard extract.status == 0 else { throw WeftError.failure("checkout: \(extract.stderr)") }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let times = try await withThrowingTaskGroup(of: Double.self) { group in
                    var out: [Double] = [], next = 0
                    func add(_ i: Int) {
                        group.addTask {
                            let o = try spawn("/bin/sh", ["-c", "python3 -m unittest discover -s tests 2>&1"], directory: checkout + "/pipelines/\(pipelines[i])", environment: helperEnv)
                            guard o.status == 0 else { throw WeftError.failure("tests of \(pipelines[i]) failed: \(o.stdout)") }
                            return o.ms
                        }
                    }
                    while next < 2 { add(next); next += 1 }
                    for try await t in group {
                        out.append(t)
                        if next < pipelines.count { add(next); next += 1 }
                    }
                    return out
                }
                let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                if k == 0 { continue }  // warm-up
                total.append(r.ms)
                tests.append(wall)
                testSum.append(times.reduce(0, +))
                rest.append(r.ms - wall)
            }
            FoundationBenchmark.report("full release (build, tests, tag, 3 fabrics)", total, target: "< 5 s")
            FoundationBenchmark.report("  of which the unit tests' processes (wall)", tests, target: "—")
            FoundationBenchmark.report("  (the 3 test processes' times added up)", testSum, target: "—")
            FoundationBenchmark.report("  Weft's own work (release − tests' wall)", rest, target: "< 1 s")
            // The floor in the same run: process start, and one python3 start (the build step is one python3).
            var version: [Double] = [], python: [Double] = []
            for _ in 0..<samples { version.append(try weftOK(["--version"]).ms) }
            for _ in 0..<samples { python.append(try spawn("/usr/bin/env", ["python3", "-I", "-c", "pass"]).ms) }
            FoundationBenchmark.report("  floor: weft --version (process start)", version, target: "—")
            FoundationBenchmark.report("  floor: python3 -I -c pass", python, target: "—")
            return 0
        } catch {
            print("benchmark failed: \(error)")
            return 1
        }
    }
}
