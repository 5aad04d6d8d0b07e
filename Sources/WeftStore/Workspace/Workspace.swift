import Foundation
import GRDB
import WeftDomain

/// One installation: the metastore, the projects' git repositories, fabric data and keys.
///
/// Every operation takes the acting `Principal`, checks `PermissionPolicy`, performs the change atomically and
/// writes an audit event (for allowed mutations and for every denied attempt).
public final class Workspace: Sendable {
    public let root: String
    public let metastore: Metastore
    let secrets: SecretBox
    /// Called after the metastore opens, e.g. to recover runs whose owner died (set by the engine layer).
    nonisolated(unsafe) public static var openHooks: [@Sendable (Workspace) -> Void] = []

    public var metastorePath: String { root + "/weft.sqlite" }
    public var projectsDirectory: String { root + "/projects" }
    public var fabricsDirectory: String { root + "/fabrics" }
    public var keysDirectory: String { root + "/keys" }
    /// The CLI session token file (mode 0600).
    public var sessionFile: String { root + "/session" }
    public func projectDirectory(_ project: String) -> String { projectsDirectory + "/" + project }
    public func dataRoot(fabric: String) -> String { fabricsDirectory + "/\(fabric)/data" }
    public func runDirectory(fabric: String, runID: String) -> String { fabricsDirectory + "/\(fabric)/runs/\(runID)" }

    /// The workspace directory: `--workspace`, else `$WEFT_HOME`, else `$XDG_DATA_HOME/weft` (~/.local/share/weft).
    public static func defaultRoot(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit) }
        if let home = environment["WEFT_HOME"], !home.isEmpty { return absolute(home) }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return absolute(data + "/weft")
    }

    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath + "/" + expanded) as NSString).standardizingPath
    }

    init(root: String, metastore: Metastore, secrets: SecretBox) {
        self.root = root
        self.metastore = metastore
        self.secrets = secrets
    }

    /// Whether a workspace exists at `root`.
    public static func exists(at root: String) -> Bool {
        FileManager.default.fileExists(atPath: root + "/weft.sqlite")
    }

    /// Opens an existing workspace, recovering interrupted changes. A short-lived command opens it with one
    /// metastore connection (`.single`); a long-lived screen with a pool that reads while runs write.
    public static func open(at root: String, connections: Metastore.Connections = .pool) throws -> Workspace {
        guard exists(at: root) else {
            throw WeftError.workspace(
                "no Weft workspace at \(root); create one with 'weft init --admin NAME --password-stdin' or try 'weft demo'")
        }
        let ws = Workspace(
            root: root, metastore: try Metastore(path: root + "/weft.sqlite", connections: connections),
            secrets: try SecretBox(keyDirectory: root + "/keys"))
        tightenPermissions(root: root)
        try ws.recoverAllPendingWrites()
        for hook in openHooks { hook(ws) }
        return ws
    }

    /// Creates a new workspace with its first admin — only where there is no metastore yet: an existing
    /// `weft.sqlite`, whole or damaged, is never replaced. `demo` marks it as made by `weft demo` (only such a
    /// workspace may be reset).
    public static func create(at root: String, admin: String, password: String, demo: Bool = false) throws -> Workspace {
        try Names.validate(admin, kind: "user")
        try checkPassword(password)
        let fm = FileManager.default
        if exists(at: root) {
            // A damaged one is refused with what to do; a whole one already is a workspace.
            try MetastoreFile.check(root + "/weft.sqlite")
            throw WeftError.alreadyExists(kind: "workspace", name: root)
        }
        for dir in [root, root + "/projects", root + "/fabrics", root + "/locks", root + "/keys"] {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let ws = Workspace(
            root: root, metastore: try Metastore(path: root + "/weft.sqlite"), secrets: try SecretBox(keyDirectory: root + "/keys"))
        tightenPermissions(root: root)
        let hash = try PasswordHasher.hash(password)
        try ws.metastore.pool.write { db in
            try db.execute(
                sql: "INSERT INTO users(name, is_admin, password_hash, created_at) VALUES (?, 1, ?, ?)",
                arguments: [admin, hash, Date().timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO workspace_info(key, value) VALUES ('kind', ?), ('created_at', ?)",
                arguments: [demo ? "demo" : "workspace", ISO8601DateFormatter().string(from: Date())])
            try Workspace.insertAudit(
                db, AuditEvent(at: Date(), user: admin, action: "workspace.init", object: "workspace \(root)", fabric: nil, project: nil, result: .allowed, detail: ""))
        }
        return ws
    }

    /// Makes the workspace private to its owner: the folder itself (which alone keeps every other user out of
    /// projects, logs, data roots and checkouts) and `keys/` 0700, the metastore (with its WAL and shared memory)
    /// and the key 0600. Run on every open, so a workspace made by an older Weft, or loosened by hand, is
    /// tightened silently; only what the current user owns is changed (chmod fails harmlessly otherwise).
    static func tightenPermissions(root: String) {
        func tighten(_ path: String, to mode: mode_t) {
            var st = stat()
            guard lstat(path, &st) == 0, st.st_uid == getuid(), st.st_mode & 0o7777 != mode else { return }
            // lstat above: a symlink is never followed (its mode is not a file's).
            guard (st.st_mode & S_IFMT) == S_IFDIR || (st.st_mode & S_IFMT) == S_IFREG else { return }
            _ = chmod(path, mode)
        }
        tighten(root, to: 0o700)
        tighten(root + "/keys", to: 0o700)
        for name in ["weft.sqlite", "weft.sqlite-wal", "weft.sqlite-shm", "keys/secrets.key", "session"] {
            tighten(root + "/" + name, to: 0o600)
        }
    }

    /// Whether `weft demo` created this workspace (recorded at creation; workspaces made before Weft recorded it
    /// are not demos).
    public func isDemo() throws -> Bool {
        try Self.isDemo(metastore)
    }

    static func isDemo(_ metastore: Metastore) throws -> Bool {
        try metastore.pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM workspace_info WHERE key = 'kind'") } == "demo"
    }

    static func checkPassword(_ password: String) throws(WeftError) {
        if password.count < 8 { throw .invalid("a password needs at least 8 characters") }
    }

    // MARK: permission and audit

    /// Checks the policy; a denial is audited and thrown as `.permissionDenied`.
    public func authorize(_ principal: Principal, _ action: Action, _ resource: Resource, project: String? = nil) throws {
        if let denial = PermissionPolicy.check(principal, action, resource) {
            audit(principal.name, action.rawValue, resource, project: project, result: .denied, detail: denial.description)
            throw WeftError.permissionDenied(denial)
        }
    }

    /// Records an audit event (best effort when outside a transaction).
    public func audit(
        _ user: String, _ action: String, _ resource: Resource, project: String? = nil, result: AuditEvent.Result, detail: String = ""
    ) {
        let event = AuditEvent(
            at: Date(), user: user, action: action, object: resource.label, fabric: resource.fabric?.name,
            project: project ?? Self.projectName(of: resource), result: result, detail: detail)
        try? metastore.pool.write { db in try Workspace.insertAudit(db, event) }
    }

    static func projectName(of resource: Resource) -> String? {
        switch resource {
        case .project(let p): return p.name
        case .job(_, let p, _): return p.name
        default: return nil
        }
    }

    static func insertAudit(_ db: Database, _ e: AuditEvent) throws {
        try db.execute(
            sql: "INSERT INTO audit(at, user, action, object, fabric, project, result, detail) VALUES (?,?,?,?,?,?,?,?)",
            arguments: [e.at.timeIntervalSince1970, e.user, e.action, e.object, e.fabric, e.project, e.result.rawValue, e.detail])
    }

    /// Audit events visible to `principal`: admins see all; others see events of fabrics they use and of no fabric.
    /// Asking for one fabric's events without using it is a denial (audited, exit 3), not an empty answer: the
    /// fabric's audit is part of its history, which only its team reads (`run.read` on the fabric).
    public func auditEvents(_ principal: Principal, fabric: String? = nil, user: String? = nil, limit: Int = 200) throws -> [AuditEvent] {
        if let fabric {
            let f = try self.fabric(fabric)
            if !principal.isAdmin { try authorize(principal, .readRuns, .fabric(f)) }
        }
        let usable = try fabrics().filter { principal.isMember(of: $0.ownerTeam) }.map(\.name)
        return try metastore.pool.read { db in
            var sql = "SELECT id, at, user, action, object, fabric, project, result, detail FROM audit WHERE 1=1"
            var args: [any DatabaseValueConvertible] = []
            if let fabric { sql += " AND fabric = ?"; args.append(fabric) }
            if let user { sql += " AND user = ?"; args.append(user) }
            if !principal.isAdmin {
                sql += " AND (fabric IS NULL OR fabric IN (\(usable.map { _ in "?" }.joined(separator: ","))))"
                args += usable
            }
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row in
                AuditEvent(
                    id: row["id"], at: Date(timeIntervalSince1970: row["at"]), user: row["user"], action: row["action"],
                    object: row["object"], fabric: row["fabric"], project: row["project"],
                    result: AuditEvent.Result(rawValue: row["result"]) ?? .failed, detail: row["detail"])
            }
        }
    }
}
