import Foundation
import Testing
import WeftDomain
import WeftEngine

@testable import WeftCLI
@testable import WeftStore

/// The CLI and the scheduler start, watch, cancel and read the logs of runs through the run service, and leave the
/// same audit events (one start, one cancel; the TUI's are checked by FlowTests with the same shape).
@Suite(.serialized) struct RunServiceFacesTests {
    func runEvents(_ ws: Workspace, after mark: Int64) throws -> [[String]] {
        let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        return try ws.auditEvents(admin, limit: 200).filter { ($0.id ?? 0) > mark && $0.action.hasPrefix("run.") }.reversed()
            .map { [$0.user, $0.action, $0.object, $0.result.rawValue, $0.fabric ?? "", $0.project ?? ""] }
    }

    func lastAudit(_ ws: Workspace) throws -> Int64 {
        try ws.auditEvents(try ws.principal(for: User(name: "admin", isAdmin: true)), limit: 1).first?.id ?? 0
    }

    func waitFor(_ what: String, _ seconds: Double = 60, _ body: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !body() {
            if Date() > deadline { throw CLIError.timeout(what) }
            usleep(20_000)
        }
    }

    @Test func theCLIGoesThroughTheRunService() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let ws = try Workspace.open(at: cli.root)
        let mark = try lastAudit(ws)
        let start = try cli.weft(["run", "customers_daily_development"])
        #expect(start.status == 0, "\(start)")
        let id = try #require(start.stdout.split(separator: " ").dropFirst(2).first.map(String.init), "\(start)")
        #expect(start.stdout.contains("(HEAD "), "the start says what revision runs: \(start.stdout)")
        try waitFor("the first task to log") {
            let logs = try cli.weft(["runs", "logs", id, "ingest"])
            return logs.status == 0 && !logs.stdout.isEmpty
        }
        let shown = try cli.weft(["runs", "show", id])
        #expect(shown.stdout.contains("revision: HEAD "), "\(shown)")
        #expect(shown.stdout.contains("not released"))
        let cancel = try cli.weft(["runs", "cancel", id])
        #expect(cancel.status == 0, "\(cancel)")
        try waitFor("the run to end") { try ws.metastore.run(id: id)?.state == .cancelled }
        let object = "run \(id) of job customers_daily_development on fabric development"
        #expect(try runEvents(ws, after: mark) == [
            ["alice", "run.start", object, "allowed", "development", "customer_analytics"],
            ["alice", "run.cancel", object, "allowed", "development", "customer_analytics"],
        ])
        // Someone outside the fabric's team: refused and audited, for every run command.
        try cli.session(as: "admin")
        let mark2 = try lastAudit(ws)
        for args in [["run", "customers_daily_development"], ["runs", "show", id], ["runs", "logs", id], ["runs", "cancel", id]] {
            let r = try cli.weft(args)
            #expect(r.status == 3, "\(args): \(r)")
        }
        #expect(try runEvents(ws, after: mark2).map { [$0[0], $0[1], $0[3]] } == [
            ["admin", "run.start", "denied"], ["admin", "run.read", "denied"], ["admin", "run.read", "denied"], ["admin", "run.cancel", "denied"],
        ])
    }

    @Test func theSchedulerGoesThroughTheRunService() async throws {
        let cli = try CLIWorkspace()
        let ws = try Workspace.open(at: cli.root)
        let service = RunService(workspace: ws)
        let source = WorkspaceSchedulerSource(service: service)
        // The scheduler fires what is deployed: release the project (development only, as alice) first.
        #expect(try await source.enabledJobs().isEmpty)
        let alice = try ws.principal(for: User(name: "alice"))
        _ = try await ReleaseService(workspace: ws, drivers: service.drivers).release(alice, ReleaseRequest(project: "customer_analytics", version: "1.0.0"))
        let mark = try lastAudit(ws)
        let jobs = try await source.enabledJobs()
        #expect(jobs.map(\.job) == ["customers_daily_development"])
        let run = try await source.startRun(try #require(jobs.first), trigger: .schedule)
        let (_, stream) = try service.watch(alice, runID: run.id)
        var sawTask = false
        for try await e in try #require(stream) {
            if case .taskStarted = e { sawTask = true; break }
        }
        #expect(sawTask)
        try waitFor("the first task to log") { !(try service.logs(alice, runID: run.id, task: "ingest").first?.text.isEmpty ?? true) }
        try await service.cancel(alice, runID: run.id)
        try waitFor("the run to end") { try ws.metastore.run(id: run.id)?.state == .cancelled }
        let object = "run \(run.id) of job customers_daily_development on fabric development"
        #expect(try runEvents(ws, after: mark) == [
            ["scheduler", "run.start", object, "allowed", "development", "customer_analytics"],
            ["alice", "run.cancel", object, "allowed", "development", "customer_analytics"],
        ])
        await service.shutdown(timeout: 10)
    }
}
