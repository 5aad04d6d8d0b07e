import Foundation
import TerminalUI
import WeftApp
import WeftDomain
import WeftStore

/// `weft-bench tui`: the TUI's figures — exec → first frame under tmux beside htop, the jobs view's first frame and
/// filter keystrokes in a 10,000-job / 100,000-run workspace, idle CPU and RSS of the real binary.
enum TUIBenchmark {
    /// Entry point; returns the exit status.
    @MainActor
    static func run(arguments: [String]) async -> Int32 {
        var jobs = 10_000
        var runs = 100_000
        var launches = 10
        var keep = false
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--jobs": i += 1; jobs = i < arguments.count ? Int(arguments[i]) ?? jobs : jobs
            case "--runs": i += 1; runs = i < arguments.count ? Int(arguments[i]) ?? runs : runs
            case "--launches": i += 1; launches = i < arguments.count ? Int(arguments[i]) ?? launches : launches
            case "--keep": keep = true
            default:
                print("usage: weft-bench tui [--jobs N] [--runs N] [--launches N] [--keep]")
                return arguments[i] == "-h" || arguments[i] == "--help" ? 0 : 2
            }
            i += 1
        }
        let root = NSTemporaryDirectory() + "weft-bench-tui-\(getpid())"
        defer { if !keep { try? FileManager.default.removeItem(atPath: root) } }
        do {
            return try await measure(root: root, jobs: jobs, runs: runs, launches: launches)
        } catch {
            FileHandle.standardError.write(Data("weft-bench tui: \(error)\n".utf8))
            return 1
        }
    }

    static func ms(_ start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded(.up)))]
    }

    static func line(_ name: String, _ samples: [Double], unit: String = "ms", target: String? = nil) {
        let s = samples.sorted()
        var text = String(format: "  %-46@ p50 %8.2f   p99 %8.2f   min %8.2f   max %8.2f %@", name as NSString, quantile(s, 0.5), quantile(s, 0.99), s.first ?? 0, s.last ?? 0, unit as NSString)
        if let target { text += "   (target \(target))" }
        print(text)
    }

    @MainActor
    static func measure(root: String, jobs: Int, runs: Int, launches: Int) async throws -> Int32 {
        print("Weft TUI benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        let demo = root + "/demo"
        try DemoWorkspace.ensure(at: demo)
        let big = root + "/big"
        let t0 = DispatchTime.now().uptimeNanoseconds
        try makeBigWorkspace(at: big, jobs: jobs, runs: runs)
        print(String(format: "  built a workspace of %d jobs and %d runs in %.1f s", jobs, runs, ms(t0) / 1000))

        // In-process: the jobs view's first frame after login, and filter keystrokes.
        let ws = try Workspace.open(at: big)
        let bob = try ws.login(user: "bob", password: "bob-demo-pw")
        var firstFrames: [Double] = []
        var keystrokes: [Double] = []
        var rowsShown = 0
        for round in 0..<5 {
            let backend = TestBackend(width: 120, height: 40, recordsFrames: false)
            let app = try WeftTUI.makeRuntime(workspace: ws, backend: backend, themeName: "default", environment: ["XDG_CONFIG_HOME": root + "/config"])
            app.render()
            let start = DispatchTime.now().uptimeNanoseconds
            app.dispatch(.loggedIn(bob))
            app.waitUntilIdle(timeout: 60)
            app.render()
            firstFrames.append(ms(start))
            rowsShown = app.state.data.jobs.count
            guard round < 2 else { continue }
            app.dispatch(.key("/"))
            for text in ["job_0", "job_01", "prod", "job_099"] {
                for c in text {
                    let k = DispatchTime.now().uptimeNanoseconds
                    app.dispatch(.key(.character(c)))
                    app.render()
                    keystrokes.append(ms(k))
                }
                for _ in text {
                    let k = DispatchTime.now().uptimeNanoseconds
                    app.dispatch(.key(.backspace))
                    app.render()
                    keystrokes.append(ms(k))
                }
            }
            app.waitUntilIdle(timeout: 60)
        }
        print("  in-process (TestBackend 120×40), \(rowsShown) jobs visible to bob:")
        line("jobs view first frame (login → frame)", firstFrames, target: "< 150 ms")
        line("filter keystroke → frame", keystrokes, target: "p99 < 16 ms")

        // The real binary under tmux, beside htop.
        guard let weft = siblingBinary("weft") else {
            print("  (weft binary not found next to weft-bench; skipping the tmux measurements)")
            return 0
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            print("  (tmux not installed; skipping the tmux measurements)")
            return 0
        }
        let tmux = Tmux(socket: "weft-bench-\(getpid())")
        defer { tmux.run(["kill-server"]) }
        let env = "env NCURSES_NO_UTF8_ACS=1 LANG=C.UTF-8 TERM=tmux-256color XDG_STATE_HOME=\(root)/state XDG_CONFIG_HOME=\(root)/config "
        tmux.run(["new-session", "-d", "-s", "keep", "-x", "120", "-y", "40", "sleep 100000"])
        tmux.run(["set-option", "-g", "remain-on-exit", "on"])
        var weftTimes: [Double] = []
        var htopTimes: [Double] = []
        let htop = ["/usr/bin/htop", "/usr/local/bin/htop"].first { FileManager.default.isExecutableFile(atPath: $0) }
        for _ in 0..<launches {
            weftTimes.append(tmux.launch(env + "\(weft) --workspace \(demo)", until: "Weft — log in"))
            if let htop { htopTimes.append(tmux.launch(env + htop, until: "Load average")) }
        }
        print("  under tmux 120×40 (exec → first complete frame, polled with capture-pane):")
        line("weft (login screen)", weftTimes)
        if htop != nil { line("htop (same harness)", htopTimes) } else { print("  (htop not installed: apt-get install htop)") }

        // Idle CPU and RSS of the real binary on the big workspace, logged in, jobs view shown.
        _ = tmux.launch(env + "\(weft) --workspace \(big)", until: "Weft — log in")
        tmux.run(["send-keys", "-t", "b:0", "-l", "bob"])
        tmux.run(["send-keys", "-t", "b:0", "Tab"])
        tmux.run(["send-keys", "-t", "b:0", "-l", "bob-demo-pw"])
        tmux.run(["send-keys", "-t", "b:0", "Enter"])
        _ = tmux.waitFor("Logged in as bob", timeout: 120)
        _ = tmux.waitFor("job_0", timeout: 120)
        let pid = Int32(tmux.run(["display-message", "-p", "-t", "b:0", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        usleep(500_000)
        let cpu0 = cpuTicks(pid)
        let w0 = DispatchTime.now().uptimeNanoseconds
        sleep(5)
        let cpu1 = cpuTicks(pid)
        let seconds = ms(w0) / 1000
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let idle = cpu0 != nil && cpu1 != nil ? Double((cpu1 ?? 0) - (cpu0 ?? 0)) / ticks / seconds * 100 : -1
        print(String(format: "  idle CPU, logged in, jobs view of %d jobs, 5 s: %.2f %% of a core (target 0)", jobs, idle))
        print(String(format: "  RSS, same moment: %.1f MB (target < 50 MB)", Double(rssKB(pid) ?? 0) / 1024))
        tmux.run(["send-keys", "-t", "b:0", "q"])
        return 0
    }

    /// A copy of the demo with `jobs` jobs (half on production) and `runs` past runs.
    static func makeBigWorkspace(at root: String, jobs: Int, runs: Int) throws {
        try DemoWorkspace.ensure(at: root)
        let ws = try Workspace.open(at: root)
        let dir = ws.projectDirectory("customer_analytics")
        let template = try String(contentsOfFile: dir + "/jobs/customers_daily_development.yaml", encoding: .utf8)
        for n in 0..<jobs {
            let name = String(format: "job_%05d", n)
            let fabric = n % 2 == 0 ? "development" : "production"
            var text = template.replacingOccurrences(of: "name: customers_daily_development", with: "name: \(name)")
            text = text.replacingOccurrences(of: "fabric: development", with: "fabric: \(fabric)")
            try text.write(toFile: dir + "/jobs/\(name).yaml", atomically: false, encoding: .utf8)
        }
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/bin/sh")
        git.arguments = ["-c", "cd \"$1\" && git add -A jobs && git -c user.name=bench -c user.email=bench@example.invalid commit -q -m 'bench jobs'", "sh", dir]
        try git.run()
        git.waitUntilExit()
        try ws.refreshJobIndex(project: "customer_analytics")
        let now = Date()
        var batch: [RunRecord] = []
        for n in 0..<runs {
            let job = n % jobs
            let queued = now.addingTimeInterval(-Double(runs - n) * 60)
            batch.append(
                RunRecord(
                    id: String(format: "bench-%07d", n), project: "customer_analytics", job: String(format: "job_%05d", job),
                    fabric: job % 2 == 0 ? "development" : "production", state: n % 17 == 0 ? .failed : .success, trigger: .schedule, user: "scheduler",
                    commit: "bench", queuedAt: queued, startedAt: queued, finishedAt: queued.addingTimeInterval(30)))
            if batch.count == 10_000 {
                try ws.insertRunHistory(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try ws.insertRunHistory(batch)
    }

    static func siblingBinary(_ name: String) -> String? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let path = dir.appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Int(fields[11]), let s = Int(fields[12]) else { return nil }
        return u + s
    }

    static func rssKB(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    struct Tmux {
        let socket: String

        /// Runs tmux with posix_spawn and waitpid (Foundation's Process can miss the exit of a client whose server
        /// it forked); output goes through a temporary file, read only for capture-pane and display-message.
        @discardableResult
        func run(_ args: [String]) -> String {
            let out = NSTemporaryDirectory() + "\(socket).out"
            let argv = ["/usr/bin/tmux", "-L", socket] + args
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { for a in cargs { free(a) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ) == 0 else { return "" }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        }

        /// Polls the screen until it contains `text`; returns the milliseconds it took.
        @discardableResult
        func waitFor(_ text: String, timeout: Double) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if run(["capture-pane", "-p", "-t", "b:0"]).contains(text) { return TUIBenchmark.ms(start) }
            }
            return -1
        }

        /// Respawns the pane with `command` and measures exec → `text` on screen: the shell writes the wall-clock
        /// time just before it execs the program; the poller notes the time it first sees the text.
        func launch(_ command: String, until text: String) -> Double {
            let stamp = NSTemporaryDirectory() + "\(socket).start"
            try? FileManager.default.removeItem(atPath: stamp)
            run(["kill-session", "-t", "b"])
            run(["new-session", "-d", "-s", "b", "-x", "120", "-y", "40", "date +%s%N > \(stamp); exec \(command)"])
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                if run(["capture-pane", "-p", "-t", "b:0"]).contains(text) {
                    let seen = Date().timeIntervalSince1970
                    guard let raw = try? String(contentsOfFile: stamp, encoding: .utf8), let ns = Double(raw.trimmingCharacters(in: .whitespacesAndNewlines)) else { return -1 }
                    return (seen - ns / 1e9) * 1000
                }
            }
            return -1
        }
    }
}
