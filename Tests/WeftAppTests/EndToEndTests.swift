import Foundation
import Testing
import WeftStore

/// Drives the real `weft` binary under tmux (private socket, 120×40) through the seed scenario by keyboard,
/// polling `capture-pane` with a timeout and dumping the screen on failure (fzf's test/lib/common.rb is the model).
/// Skipped when tmux is not installed; the binary is found next to the test bundle or in $WEFT_BINARY.
@Suite("end to end: the real binary under tmux", .serialized)
struct EndToEndTests {
    struct Tmux {
        let socket = "weft-e2e-\(getpid())"
        let env: [String: String]

        /// Runs a tmux command with posix_spawn and waitpid (Foundation's Process can miss the exit of a client whose
        /// server it forked, and a server inheriting a pipe keeps it open); output goes through a temporary file.
        @discardableResult
        func run(_ args: [String], capture: Bool = true) -> (status: Int32, out: String) {
            let out = NSTemporaryDirectory() + "\(socket)-\(UInt32.random(in: 0...UInt32.max)).out"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let argv = ["/usr/bin/env", "tmux", "-L", socket] + args
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, capture ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { for a in cargs { free(a) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ) == 0 else { return (127, "cannot run tmux") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (status, capture ? ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "") : "")
        }

        func start(_ command: String) {
            var args = ["new-session", "-d", "-s", "weft", "-x", "120", "-y", "40"]
            for (k, v) in env.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
            run(args + [command], capture: false)
            run(["set-option", "-g", "remain-on-exit", "on"], capture: false)
        }

        func respawn(_ command: String) {
            var args = ["respawn-pane", "-k", "-t", "weft:0"]
            for (k, v) in env.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
            run(args + [command], capture: false)
        }

        func screen() -> String { run(["capture-pane", "-p", "-t", "weft:0"]).out }
        func keys(_ keys: String...) { run(["send-keys", "-t", "weft:0"] + keys, capture: false) }
        func type(_ text: String) { run(["send-keys", "-t", "weft:0", "-l", text], capture: false) }
        func isDead() -> Bool { run(["display-message", "-p", "-t", "weft:0", "#{pane_dead}"]).out.trimmingCharacters(in: .whitespacesAndNewlines) == "1" }
        /// Ends the server and everything in it. kill-server alone has left servers behind (their socket gone, their
        /// children unreaped), so the server's pid is killed too.
        func kill() {
            let pid = run(["display-message", "-p", "#{pid}"]).out.trimmingCharacters(in: .whitespacesAndNewlines)
            run(["kill-server"], capture: false)
            if let pid = Int32(pid), pid > 1 { Foundation.kill(pid, SIGKILL) }
        }

        /// Polls until the screen satisfies `condition`; on timeout records an issue with the screen.
        @discardableResult
        func waitFor(_ what: String, timeout: Double = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: ((String) -> Bool)? = nil) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var last = ""
            while Date() < deadline {
                last = screen()
                if condition?(last) ?? last.contains(what) { return true }
                usleep(50_000)
            }
            Issue.record("timed out after \(timeout) s waiting for \"\(what)\"; the screen was:\n\(last)", sourceLocation: sourceLocation)
            return false
        }
    }

    static var binary: String? {
        if let b = ProcessInfo.processInfo.environment["WEFT_BINARY"], FileManager.default.isExecutableFile(atPath: b) { return b }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("weft").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static var hasTmux: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.enabled(if: hasTmux, "tmux is not installed"))
    func seedScenarioByKeyboard() throws {
        guard let weft = Self.binary else {
            Issue.record("the weft binary was not found next to the tests; build it (swift build --product weft) or set WEFT_BINARY")
            return
        }
        let tmp = NSTemporaryDirectory() + "weft-e2e-\(getpid())"
        try? FileManager.default.removeItem(atPath: tmp)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let ws = tmp + "/demo"
        let tmux = Tmux(env: [
            "NCURSES_NO_UTF8_ACS": "1", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "SWIFT_BACKTRACE": "interactive=no",
            "XDG_STATE_HOME": tmp + "/state", "XDG_CONFIG_HOME": tmp + "/config", "XDG_DATA_HOME": tmp + "/data", "HOME": tmp,
        ])
        defer {
            tmux.kill()
            try? FileManager.default.removeItem(atPath: tmp)
        }
        func login(_ user: String) {
            tmux.waitFor("Weft — log in")
            tmux.type(user)
            tmux.keys("Tab")
            tmux.type("\(user)-demo-pw")
            tmux.keys("Enter")
            tmux.waitFor("Logged in as \(user)")
        }

        // `weft demo` on a fresh workspace opens the login screen with the demo users and passwords.
        tmux.start("\(weft) demo --workspace \(ws)")
        // `weft demo` prints the users before it takes the screen too: wait for the login screen itself.
        guard tmux.waitFor("the login screen with the demo users", timeout: 60, { $0.contains("Weft — log in") && $0.contains("bob    bob-demo-pw") })
        else { return }

        // alice runs the development job and sees it reach success.
        login("alice")
        tmux.waitFor("customers_daily_development")
        tmux.keys("r")
        tmux.waitFor("Run r")
        // The run and its four tasks: five "✓ success" on one screen.
        guard tmux.waitFor("run success", timeout: 120, { $0.contains("✓ success   elapsed") && $0.components(separatedBy: "✓ success").count - 1 >= 5 })
        else { return }
        tmux.keys("Escape")
        // D onto production is greyed with the reason.
        tmux.keys("D")
        tmux.waitFor("✗ production — permission denied: alice may not duplicate a job onto fabric production")
        tmux.keys("Escape")
        // q restores the terminal: what weft demo printed before the TUI is back, the TUI is gone.
        tmux.keys("q")
        tmux.waitFor("exit", { _ in tmux.isDead() })
        let restored = tmux.screen()
        #expect(restored.contains("Created the demo workspace"))
        #expect(!restored.contains("Weft — log in") && !restored.contains("┏"))

        // bob duplicates the job onto production, configures it, enables it, runs it.
        tmux.respawn("\(weft) --workspace \(ws)")
        login("bob")
        tmux.keys("D")
        tmux.waitFor("Will create customers_daily_production on fabric production")
        tmux.keys("Enter")
        tmux.waitFor("Type the fabric's name (production) to confirm")
        tmux.type("production")
        tmux.keys("Enter")
        tmux.waitFor("Job customers_daily_production — fabric production — PRODUCTION")
        tmux.keys("e")
        tmux.waitFor("Configure ingest")
        tmux.keys("Down", "Down", "C-u")
        tmux.type("0.8")
        tmux.waitFor("override")
        tmux.keys("Enter")
        tmux.waitFor("Type the fabric's name (production) to confirm")
        tmux.type("production")
        tmux.keys("Enter")
        tmux.waitFor("Saved the configuration of customers_daily_production")
        tmux.keys("t")
        tmux.waitFor("Enable a production job")
        tmux.type("production")
        tmux.keys("Enter")
        tmux.waitFor("customers_daily_production is now enabled")
        // r on production asks for the fabric's name; a wrong word runs nothing.
        tmux.keys("r")
        tmux.waitFor("Run a production job")
        tmux.type("prod")
        tmux.keys("Enter")
        tmux.waitFor("type production exactly to confirm")
        #expect(try Metastore(path: ws + "/weft.sqlite").runs(project: nil, job: "customers_daily_production", fabrics: ["production"], states: nil, limit: 5).isEmpty)
        tmux.keys("Escape")
        tmux.keys("r")
        tmux.waitFor("Run a production job")
        tmux.type("production")
        tmux.keys("Enter")
        tmux.waitFor("on production — PRODUCTION")
        guard
            tmux.waitFor("production run success", timeout: 120, { $0.contains("✓ success   elapsed") && $0.components(separatedBy: "✓ success").count - 1 >= 5 })
        else { return }
        #expect(FileManager.default.fileExists(atPath: ws + "/fabrics/production/data/customer_analytics"))
        tmux.keys("Escape")
        // The diff shows the differences he made.
        tmux.keys("d")
        tmux.waitFor("the diff", { $0.contains("tasks.ingest.values.sample_rate") && $0.contains("tasks.ingest.config") })
        // Resize to below the minimum and back, and switch the theme.
        tmux.run(["resize-window", "-t", "weft", "-x", "70", "-y", "20"])
        tmux.waitFor("Terminal too small")
        tmux.run(["resize-window", "-t", "weft", "-x", "120", "-y", "40"])
        tmux.waitFor("tasks.ingest.values.sample_rate")
        tmux.keys(":")
        tmux.type("theme light")
        tmux.keys("Enter")
        tmux.waitFor("Theme light")
        tmux.keys("Escape", "Escape")
        // The seed scenario's last step: bob releases 1.0.0 with R — the plan per fabric, production's name typed,
        // live progress to the end.
        tmux.keys("R")
        tmux.waitFor("the release dialog", { $0.contains("Release customer_analytics") && $0.contains("1.0.0") && $0.contains("no release yet") })
        tmux.keys("Enter")
        tmux.waitFor("the plan", { $0.contains("→ fabric development") && $0.contains("→ fabric production") && $0.contains("+ add customers_daily_production") })
        tmux.keys("Enter")
        tmux.waitFor("Type the fabric's name (production) to confirm")
        tmux.type("production")
        tmux.keys("Enter")
        tmux.waitFor("the release's end", timeout: 120, { $0.contains("Released customer_analytics/1.0.0") && $0.contains("deploy production") })
        #expect(!tmux.screen().contains("✗ failed"))
        tmux.keys("Escape")
        // At 80×24 the same version again plans nothing to deploy.
        tmux.run(["resize-window", "-t", "weft", "-x", "80", "-y", "24"])
        tmux.waitFor("the main screen at 80×24", { !$0.contains("Terminal too small") && $0.contains("customers_daily_production") })
        tmux.keys("R")
        tmux.waitFor("last release 1.0.0")
        tmux.keys("BSpace")
        tmux.type("0")
        tmux.keys("Enter")
        tmux.waitFor("Every fabric holds this release already")
        tmux.keys("Enter")
        tmux.waitFor("nothing to deploy")
        tmux.run(["resize-window", "-t", "weft", "-x", "120", "-y", "40"])
        tmux.waitFor("release   1.0.0")
        tmux.keys("q")
        tmux.waitFor("exit", { _ in tmux.isDead() })

        // alice cannot see the production job's runs.
        tmux.respawn("\(weft) --workspace \(ws)")
        login("alice")
        tmux.keys("j")
        tmux.waitFor("permission denied: alice may not read the runs of job")
        tmux.keys("q")
        tmux.waitFor("exit", { _ in tmux.isDead() })
    }

    @Test(.enabled(if: hasTmux, "tmux is not installed"))
    func noTerminalIsAClearErrorWithStatus2() throws {
        guard let weft = Self.binary else { return }
        let tmp = NSTemporaryDirectory() + "weft-e2e-notty-\(getpid())"
        try DemoWorkspace.ensure(at: tmp)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: weft)
        p.arguments = ["--workspace", tmp]
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "interactive=no"
        env["XDG_STATE_HOME"] = tmp + "/state"
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        p.standardInput = Pipe()
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)
        #expect(String(decoding: data, as: UTF8.self).contains("weft needs a terminal"))
    }
}
