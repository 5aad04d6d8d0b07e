import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// A demo workspace built once per test process (scrypt runs only here) and copied for each test.
enum DemoTemplate {
    static let path: String = {
        let dir = NSTemporaryDirectory() + "weft-store-template-\(getpid())/ws"
        // Removed when the test process exits.
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "weft-store-template-\(getpid())") }
        do {
            try DemoWorkspace.ensure(at: dir)
            // carol: a user in no team.
            let ws = try Workspace.open(at: dir)
            try ws.createUser(try ws.principal(for: User(name: "admin", isAdmin: true)), name: "carol", password: "carol-test-pw")
        } catch {
            fatalError("cannot build the demo template: \(error)")
        }
        return dir
    }()
}

/// A private copy of the demo workspace, removed when released.
final class TempWorkspace: @unchecked Sendable {
    let base: String
    let root: String
    let ws: Workspace
    let admin: Principal, alice: Principal, bob: Principal, carol: Principal

    init() throws {
        base = NSTemporaryDirectory() + "weft-store-test-" + UUID().uuidString
        root = base + "/ws"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: DemoTemplate.path, toPath: root)
        ws = try Workspace.open(at: root)
        admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        alice = try ws.principal(for: User(name: "alice"))
        bob = try ws.principal(for: User(name: "bob"))
        carol = try ws.principal(for: User(name: "carol"))
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    var project: String { ws.projectDirectory("customer_analytics") }

    func head(_ project: String = "customer_analytics") -> String? { ws.git(project).head() }

    /// The newest audit row id.
    func lastAuditID() throws -> Int64 {
        try ws.metastore.pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM audit") ?? 0 }
    }

    /// Audit rows newer than `id`, oldest first.
    func audit(after id: Int64) throws -> [AuditEvent] {
        try ws.auditEvents(admin, limit: 1000).filter { ($0.id ?? 0) > id }.reversed()
    }

    /// Everything in the metastore except the audit trail and caches, as text (to prove "nothing changed").
    func metastoreSnapshot() throws -> String {
        try ws.metastore.pool.read { db in
            var out = ""
            for table in ["users", "teams", "team_includes", "memberships", "fabrics", "fabric_secrets", "projects", "pending_ops", "sessions"] {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2")
                out += "\(table): " + rows.map { $0.description }.joined(separator: "\n") + "\n"
            }
            return out
        }
    }

    /// `git status --porcelain` of a project.
    func gitStatus(_ project: String = "customer_analytics") throws -> String {
        try ws.git(project).run(["status", "--porcelain", "--untracked-files=all"])
    }
}

/// Settings schemas built by hand (the store cannot see drivers): what the local driver declares, and one shaped
/// like the databricks driver's (a documented `secret_scope` setting, a `token` secret).
enum TestSchemas {
    static let local = FabricSettingsSchema(
        kind: .local, settings: [.init("sandbox", .onOff), .init("network", .onOff)])

    static let databricks = FabricSettingsSchema(
        kind: .databricks,
        settings: [
            .init("host", .url, required: true, help: "the workspace URL"),
            .init("artifacts_path", .absolutePath),
            .init("secret_scope"),
            .init("size.{name}.spark_version", required: true),
            .init("size.{name}.node_type_id", required: true),
            .init("size.{name}.num_workers", .positiveInt, required: true),
        ],
        secrets: ["token"])
}

/// The denial inside a thrown error, if it is one.
func denial(of error: any Error) -> PermissionDenial? {
    if let e = error as? WeftError, case .permissionDenied(let d) = e { return d }
    return nil
}

/// The problems inside a thrown `.invalid`, if it is one.
func problems(of error: any Error) -> [Problem]? {
    if let e = error as? WeftError, case .invalid(let ps) = e { return ps }
    return nil
}
