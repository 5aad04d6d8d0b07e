import Foundation
import WeftDomain
import WeftStore

/// `weft-bench foundation`: the foundation issue's figures, measured on real processes.
///
/// - `weft job duplicate` p50 in a project of 1,000 jobs (the whole command: exec, open, session, write, commit);
/// - `weft job list -o json` over 10,000 jobs (warm index; the first, indexing, call is printed too);
/// - login (scrypt) in-process and as `weft login`.
enum FoundationBenchmark {
    static func run(arguments: [String]) async -> Int32 {
        let samples = Int(value(of: "--samples", in: arguments) ?? "") ?? 25
        let keep = arguments.contains("--keep")
        let dir = NSTemporaryDirectory() + "weft-bench-foundation-\(getpid())"
        defer { if !keep { try? FileManager.default.removeItem(atPath: dir) } }
        do {
            let weft = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("weft").path
            guard FileManager.default.isExecutableFile(atPath: weft) else {
                print("weft binary not found next to weft-bench (\(weft)); build it: swift build -c release --product weft")
                return 1
            }
            print("Weft foundation benchmark (\(samples) samples each; release binaries; \(ProcessInfo.processInfo.activeProcessorCount) cores)")
            let root = dir + "/ws"
            try DemoWorkspace.ensure(at: root)
            let ws = try Workspace.open(at: root)
            let bob = try ws.principal(for: User(name: "bob"))
            try ws.startSession(bob)

            // 1,000 jobs in customer_analytics.
            try addJobs(ws, project: "customer_analytics", count: 999, fabric: "development")
            var dup: [Double] = []
            for i in 0..<samples {
                let t = try time(weft, ["job", "duplicate", "customer_analytics/customers_daily_development", "--fabric", "production", "--name", "dup_\(i)", "--workspace", root])
                dup.append(t)
            }
            report("weft job duplicate (project of 1,000 jobs)", dup, target: "p50 < 50 ms")

            // 10,000 jobs in a second project.
            let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
            _ = admin
            let alice = try ws.principal(for: User(name: "alice"))
            try ws.createProject(alice, name: "big", owner: "developers", from: DemoWorkspace.projectSource)
            try addJobs(ws, project: "big", count: 10_000, fabric: "development", replaceDemoJob: true)
            let cold = try time(weft, ["job", "list", "--project", "big", "-o", "json", "--workspace", root])
            var list: [Double] = []
            for _ in 0..<samples {
                list.append(try time(weft, ["job", "list", "--project", "big", "-o", "json", "--workspace", root]))
            }
            print(String(format: "  (first listing after the 10,000 files were committed, parsing them all: %.0f ms)", cold))
            report("weft job list -o json (10,000 jobs)", list, target: "< 200 ms")

            // The whole `weft run JOB --follow` command for the engine benchmark's chain of 10 `true` tasks.
            try addChainJob(ws)
            var runs: [Double] = []
            for _ in 0..<samples {
                runs.append(try time(weft, ["run", "customer_analytics/chain10", "--follow", "--workspace", root]))
            }
            report("weft run chain10 --follow (10 chained `true`)", runs, target: "process start included")

            var login: [Double] = []
            for _ in 0..<max(5, samples / 3) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try ws.login(user: "alice", password: "alice-demo-pw")
                login.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            report("login (scrypt N=2^15, r=8, p=1), in-process", login, target: "50–500 ms")
            var loginCLI: [Double] = []
            for _ in 0..<max(5, samples / 3) {
                loginCLI.append(try time(weft, ["login", "--user", "alice", "--password-stdin", "--workspace", root], input: "alice-demo-pw\n"))
            }
            report("weft login (whole command)", loginCLI, target: "50–500 ms")
            return 0
        } catch {
            print("benchmark failed: \(error)")
            return 1
        }
    }

    static func value(of flag: String, in args: [String]) -> String? {
        guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    /// Writes `count` generated jobs into a project as one commit (setup only; not what is measured).
    static func addJobs(_ ws: Workspace, project: String, count: Int, fabric: String, replaceDemoJob: Bool = false) throws {
        let dir = ws.projectDirectory(project) + "/jobs"
        if replaceDemoJob { try? FileManager.default.removeItem(atPath: dir + "/customers_daily_development.yaml") }
        for i in 0..<count {
            let job = Job(
                name: "generated_\(i)", fabric: fabric, schedule: JobSchedule(cron: "\(i % 60) \(i % 24) * * *", timezone: "UTC"),
                enabled: false,
                tasks: [
                    JobTask(key: "ingest", action: .pipeline(name: "ingest", config: "development", overrides: ["sample_rate": .double(0.1)])),
                    JobTask(key: "clean", action: .pipeline(name: "clean", config: "development", overrides: [:]), dependsOn: ["ingest"]),
                    JobTask(key: "notify", action: .script("echo done \(i)"), dependsOn: ["clean"], runIf: .allDone),
                ])
            try Data(ProjectFiles.encodeJob(job).utf8).write(to: URL(fileURLWithPath: dir + "/generated_\(i).yaml"))
        }
        let g = ws.git(project)
        try g.run(["add", "-A", "jobs"], author: Git.Author(name: "bench", email: "bench@weft.local"))
        try g.run(["commit", "-q", "-m", "Add \(count) generated jobs"], author: Git.Author(name: "bench", email: "bench@weft.local"))
    }

    /// A job of 10 chained `true` script tasks on the development fabric.
    static func addChainJob(_ ws: Workspace) throws {
        let tasks = (0..<10).map { i in
            JobTask(key: "t\(i)", action: .script("true"), dependsOn: i == 0 ? [] : ["t\(i - 1)"])
        }
        let job = Job(name: "chain10", fabric: "development", maxConcurrentRuns: 1, tasks: tasks)
        let dir = ws.projectDirectory("customer_analytics")
        try Data(ProjectFiles.encodeJob(job).utf8).write(to: URL(fileURLWithPath: dir + "/jobs/chain10.yaml"))
        let g = ws.git("customer_analytics")
        try g.run(["add", "-A", "jobs"], author: Git.Author(name: "bench", email: "bench@weft.local"))
        try g.run(["commit", "-q", "-m", "Add chain10"], author: Git.Author(name: "bench", email: "bench@weft.local"))
    }

    /// Runs a command and returns its wall time in milliseconds; fails on a non-zero exit.
    static func time(_ exe: String, _ args: [String], input: String? = nil) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inPipe.fileHandleForWriting.close()
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard p.terminationStatus == 0 else {
            throw WeftError.failure("\(args.joined(separator: " ")) exited \(p.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
        }
        return ms
    }

    static func report(_ name: String, _ ms: [Double], target: String) {
        let s = ms.sorted()
        func pct(_ p: Double) -> Double { s[min(s.count - 1, Int(Double(s.count - 1) * p))] }
        print(String(format: "%-48@ p50 %7.1f ms   p90 %7.1f ms   min %7.1f ms   max %7.1f ms   (target: %@)", name as NSString, pct(0.5), pct(0.9), s.first ?? 0, s.last ?? 0, target as NSString))
    }
}
