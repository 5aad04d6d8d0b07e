import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftEngine
@testable import WeftStore

/// The demo workspace built once per test process and copied for each test, with a small project `probe` of
/// its own: a pipeline that prints its configuration, and jobs that wait for a gate file so tests control when
/// tasks go on (no sleeps).
final class ServiceFixture: @unchecked Sendable {
    static let template: String = {
        let dir = NSTemporaryDirectory() + "weft-engine-template-\(getpid())/ws"
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "weft-engine-template-\(getpid())") }
        do { try DemoWorkspace.ensure(at: dir) } catch { fatalError("cannot build the demo template: \(error)") }
        return dir
    }()

    let base: String
    let root: String
    let ws: Workspace
    let admin: Principal, alice: Principal, bob: Principal
    /// A file the probe jobs' `gate` task waits for.
    let gate: String

    init() throws {
        base = NSTemporaryDirectory() + "weft-engine-svc-" + UUID().uuidString
        root = base + "/ws"
        // In the development fabric's data root: the only part of the workspace its sandboxed tasks see.
        gate = root + "/fabrics/development/data/gate"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.template, toPath: root)
        try FileManager.default.createDirectory(atPath: root + "/fabrics/development/data", withIntermediateDirectories: true)
        ws = try Workspace.open(at: root)
        admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        alice = try ws.principal(for: User(name: "alice"))
        bob = try ws.principal(for: User(name: "bob"))
        // A fabric of a kind whose runs live remotely (served by StandInRemoteDriver in the tests that use it).
        try ws.metastore.pool.write { db in
            try db.execute(
                sql: "INSERT INTO fabrics(name, owner_team, stage, kind, slots, settings, created_at) VALUES ('remote', 'developers', 'qa', 'airflow', 4, '{}', 0)")
        }
        try makeProbeProject()
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    /// The run service over the standard drivers, with short kill delays.
    /// The run service over a local driver; `launcher` names the task launcher beside the tests to use
    /// (`weft-launcher`, the default, or `weft`).
    func service(extra: [any FabricDriver] = [], launcher: String? = nil) -> RunService {
        var options = LocalEngineOptions(killGracePeriod: 1, retryBackoff: 0.05)
        if let launcher, let dir = SandboxSupport.launcherPath.map({ ($0 as NSString).deletingLastPathComponent }) {
            options.launcherPath = (dir as NSString).appendingPathComponent(launcher)
        }
        let local = LocalDriver(workspace: ws, options: options)
        return RunService(workspace: ws, drivers: DriverRegistry([local] + extra))
    }

    func openGate() { _ = FileManager.default.createFile(atPath: gate, contents: Data()) }

    private func makeProbeProject() throws {
        let src = base + "/probe-src"
        let fm = FileManager.default
        try fm.createDirectory(atPath: src + "/pipelines/echo_cfg", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: src + "/jobs", withIntermediateDirectories: true)
        try "name: probe\ndescription: \"test project\"\n".write(toFile: src + "/project.yaml", atomically: true, encoding: .utf8)
        try """
            name: echo_cfg
            kind: python
            entry: main.py
            config:
              schema:
                - name: greeting
                  type: string
                  required: true
              instances:
                development:
                  greeting: "hello-one"
            """.write(toFile: src + "/pipelines/echo_cfg/pipeline.yaml", atomically: true, encoding: .utf8)
        try """
            import json, os
            with open(os.environ["WEFT_CONFIG"]) as f:
                print("greeting=" + json.load(f)["greeting"])
            """.write(toFile: src + "/pipelines/echo_cfg/main.py", atomically: true, encoding: .utf8)
        try job("gated", fabric: "development", tasks: """
              - key: gate
                script: "echo waiting; while [ ! -f '\(gate)' ]; do sleep 0.02; done; echo through"
              - key: echo
                pipeline: echo_cfg
                config: development
                depends_on: [gate]
            """).write(toFile: src + "/jobs/gated.yaml", atomically: true, encoding: .utf8)
        try job("remote_job", fabric: "remote", tasks: """
              - key: first
                script: "echo first; while [ ! -f '\(gate)' ]; do sleep 0.02; done"
              - key: second
                script: "echo second"
                depends_on: [first]
            """).write(toFile: src + "/jobs/remote_job.yaml", atomically: true, encoding: .utf8)
        try job("slow", fabric: "development", tasks: """
              - key: wait
                script: "echo started; sleep 60"
            """).write(toFile: src + "/jobs/slow.yaml", atomically: true, encoding: .utf8)
        try ws.createProject(alice, name: "probe", owner: "developers", from: src)
    }

    func job(_ name: String, fabric: String, schedule: String? = nil, enabled: Bool = false, tasks: String) -> String {
        var text = "name: \(name)\nfabric: \(fabric)\nenabled: \(enabled)\n"
        if let schedule { text += "schedule:\n  cron: \"\(schedule)\"\n  timezone: UTC\n" }
        return text + "tasks:\n" + tasks + "\n"
    }

    /// Audit events newer than `id`, oldest first.
    func audit(after id: Int64) throws -> [AuditEvent] {
        try ws.auditEvents(admin, limit: 1000).filter { ($0.id ?? 0) > id }.reversed()
    }

    /// The newest audit row id.
    func lastAuditID() throws -> Int64 {
        try ws.auditEvents(admin, limit: 1).first?.id ?? 0
    }
}

/// Waits (bounded) until `condition` holds, checking every 10 ms.
func eventually(_ what: String, timeout: Double = 10, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !condition() {
        if Date() > deadline { throw TimedOut(what: what) }
        usleep(10_000)
    }
}

/// `eventually` for async tests: waits without blocking a cooperative thread (the drivers' pollers need them).
func eventuallyAsync(_ what: String, timeout: Double = 10, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try !condition() {
        if Date() > deadline { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Starts a process with posix_spawn (stdio on /dev/null) and returns its pid; Foundation's `Process` is not used
/// here because its exit monitoring is not reliable next to the engine's own child handling.
func spawnProcess(_ argv: [String]) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
    var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for p in cargs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
    guard rc == 0 else { throw TimedOut(what: "spawn of \(argv[0]) (errno \(rc))") }
    return pid
}

/// Waits for a child to exit.
func reap(_ pid: pid_t) {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
}
