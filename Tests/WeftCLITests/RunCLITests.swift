import Foundation
import Testing
import WeftDomain
import WeftStore

/// `weft run` (detached and followed), `weft runs list|show|logs|cancel` and `weft schedule next` through the binary.
@Suite struct RunCLITests {
    /// Waits until `body` returns true, at most `seconds`.
    func eventually(_ seconds: Double, _ body: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try body() { return true }
            usleep(50_000)
        }
        return try body()
    }

    @Test func detachedRunOutlivesTheCommandAndIsVisibleToRunsCommands() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let start = try cli.weft(["run", "customers_daily_development"])
        #expect(start.status == 0, "\(start)")
        let id = try #require(start.stdout.split(separator: " ").dropFirst(2).first.map(String.init), "\(start)")
        // The run goes on in its own owner process and ends green.
        let done = try eventually(60) {
            let show = try cli.weft(["runs", "show", id, "-o", "json"])
            return show.status == 0 && show.stdout.contains("\"state\" : \"success\"") && !show.stdout.contains("\"state\" : \"running\"")
        }
        let shown = try cli.weft(["runs", "show", id])
        #expect(done, "run \(id) did not succeed: \(shown)")
        let list = try cli.weft(["runs", "list"])
        #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("alice"), "\(list)")
        let logs = try cli.weft(["runs", "logs", id, "ingest"])
        #expect(logs.status == 0 && logs.stdout.contains("::progress"), "\(logs)")
        // bob (prod_support is included in developers) may read development runs; nobody outside may.
        try cli.session(as: "bob")
        #expect(try cli.weft(["runs", "show", id]).status == 0)
    }

    @Test func cancelFromAnotherProcessEndsTheRunCancelled() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        // Slow the ingest step down so there is time to cancel.
        let slow = try cli.weft(["job", "config", "customers_daily_development", "--task", "ingest", "--set", "pace_seconds=2"])
        #expect(slow.status == 0, "\(slow)")
        let start = try cli.weft(["run", "customers_daily_development"])
        let id = try #require(start.stdout.split(separator: " ").dropFirst(2).first.map(String.init), "\(start)")
        let running = try eventually(30) { try cli.weft(["runs", "show", id]).stdout.contains("running") }
        #expect(running)
        let cancel = try cli.weft(["runs", "cancel", id])
        #expect(cancel.status == 0, "\(cancel)")
        let cancelled = try eventually(30) { try cli.weft(["runs", "show", id, "-o", "json"]).stdout.contains("\"state\" : \"cancelled\"") }
        let shownAfter = try cli.weft(["runs", "show", id])
        #expect(cancelled, "\(shownAfter)")
        // The run records who cancelled it (the user, not a process id), and so does the audit.
        #expect(shownAfter.stdout.contains("message:  cancelled by alice\n"), "\(shownAfter)")
        #expect(!shownAfter.stdout.contains("pid"), "\(shownAfter)")
        let ws = try Workspace.open(at: cli.root)
        let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        #expect(try ws.auditEvents(admin, limit: 20).contains { $0.action == "run.cancel" && $0.user == "alice" && $0.result == .allowed && $0.object.contains(id) })
        // No task process of the run remains.
        let remaining = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { pid in
            guard Int(pid) != nil, let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return String(decoding: env, as: UTF8.self).contains("WEFT_RUN_ID=\(id)")
        } ?? []
        #expect(remaining.isEmpty, "task processes of \(id) remain: \(remaining)")
        // Cancelling again is a conflict.
        #expect(try cli.weft(["runs", "cancel", id]).status == 4)
    }

    @Test func outsidersCannotReadOrCancelRuns() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let run = try cli.weft(["run", "customers_daily_development", "--follow"], timeout: 120)
        #expect(run.status == 0, "\(run)")
        let ws = try Workspace.open(at: cli.root)
        let id = try #require(try ws.metastore.runs(limit: 1).first?.id)
        let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        try ws.createUser(admin, name: "dave", password: "dave-test-pw")
        try cli.session(as: "dave")
        for args in [["runs", "show", id], ["runs", "logs", id], ["runs", "cancel", id], ["run", "customers_daily_development"]] {
            let r = try cli.weft(args)
            #expect(r.status == 3, "weft \(args.joined(separator: " ")): \(r)")
            #expect(r.stderr.contains("dave") && r.stderr.contains("developers"), "\(r)")
        }
        #expect(try cli.weft(["runs", "list"]).stdout.contains(id) == false)
    }

    @Test func scheduleNextPrintsFireTimesAndPointsAtBadFields() throws {
        let cli = try CLIWorkspace(demo: false)
        let r = try cli.weft(
            ["schedule", "next", "30 2 * * *", "--timezone", "Europe/Berlin", "--from", "2026-03-28T12:00", "--count", "2"])
        #expect(r.status == 0, "\(r)")
        // 02:30 does not exist on 2026-03-29 in Berlin: Airflow runs it just after the gap.
        #expect(r.stdout.split(separator: "\n") == ["2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"], "\(r.stdout)")
        let q = try cli.weft(["schedule", "next", "0 0 12 ? * 2#1", "--timezone", "UTC", "--from", "2026-11-29T00:00:00Z", "--count", "1"])
        #expect(q.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2026-12-07T12:00:00+00:00", "\(q)")
        let bad = try cli.weft(["schedule", "next", "0 25 * * *"])
        #expect(bad.status == 1 && bad.stderr.contains("field 2 (hours)"), "\(bad)")
    }
}
