import Foundation
import GRDB
import WeftDomain

extension Workspace {
    // MARK: users

    /// Creates a user (admins only).
    public func createUser(_ principal: Principal, name: String, password: String, admin: Bool = false) throws {
        try authorize(principal, .createUser, .user(name))
        try Names.validate(name, kind: "user")
        try Workspace.checkPassword(password)
        let hash = try PasswordHasher.hash(password)
        try metastore.pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [name]) != nil {
                throw WeftError.alreadyExists(kind: "user", name: name)
            }
            try db.execute(
                sql: "INSERT INTO users(name, is_admin, password_hash, created_at) VALUES (?,?,?,?)",
                arguments: [name, admin, hash, Date().timeIntervalSince1970])
            try Workspace.insertAudit(db, event(principal, .createUser, .user(name), detail: admin ? "admin" : ""))
        }
    }

    /// Every user.
    public func users() throws -> [User] {
        try metastore.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, is_admin FROM users ORDER BY name").map { User(name: $0[0], isAdmin: $0[1]) }
        }
    }

    func event(_ p: Principal, _ action: Action, _ r: Resource, project: String? = nil, detail: String = "") -> AuditEvent {
        AuditEvent(
            at: Date(), user: p.name, action: action.rawValue, object: r.label, fabric: r.fabric?.name,
            project: project ?? Workspace.projectName(of: r), result: .allowed, detail: detail)
    }

    // MARK: teams

    /// Every team with its direct members and included teams.
    public func teams() throws -> [Team] {
        try metastore.pool.read { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM teams ORDER BY name")
            var includes: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT team, included FROM team_includes ORDER BY included") {
                includes[row[0], default: []].append(row[1])
            }
            var members: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT team, user FROM memberships ORDER BY user") {
                members[row[0], default: []].append(row[1])
            }
            return names.map { Team(name: $0, includes: includes[$0] ?? [], members: members[$0] ?? []) }
        }
    }

    /// The team named `name`.
    public func team(_ name: String) throws -> Team {
        guard let t = try teams().first(where: { $0.name == name }) else {
            throw WeftError.notFound(kind: "team", name: name, hint: "list teams with 'weft team list'")
        }
        return t
    }

    /// Creates a team, optionally including other teams (admins only).
    public func createTeam(_ principal: Principal, name: String, includes: [String] = []) throws {
        try authorize(principal, .createTeam, .team(name))
        try Names.validate(name, kind: "team")
        let existing = Set(try teams().map(\.name))
        if existing.contains(name) { throw WeftError.alreadyExists(kind: "team", name: name) }
        for inc in includes where !existing.contains(inc) {
            throw WeftError.notFound(kind: "team", name: inc, hint: "create it first with 'weft team create \(inc)'")
        }
        try metastore.pool.write { db in
            try db.execute(sql: "INSERT INTO teams(name, created_at) VALUES (?, ?)", arguments: [name, Date().timeIntervalSince1970])
            for inc in includes {
                try db.execute(sql: "INSERT INTO team_includes(team, included) VALUES (?, ?)", arguments: [name, inc])
            }
            try Workspace.insertAudit(db, event(principal, .createTeam, .team(name), detail: includes.isEmpty ? "" : "includes " + includes.joined(separator: ", ")))
        }
    }

    /// Makes `included` part of `team` (admins only); refuses cycles.
    public func includeTeam(_ principal: Principal, team: String, included: String) throws {
        try authorize(principal, .changeTeam, .team(team))
        _ = try self.team(team)
        _ = try self.team(included)
        if TeamGraph(try teams()).wouldCycle(team: team, including: included) {
            throw WeftError.invalid("team \(team) cannot include \(included): \(included) already includes \(team)")
        }
        try metastore.pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO team_includes(team, included) VALUES (?, ?)", arguments: [team, included])
            try Workspace.insertAudit(db, event(principal, .changeTeam, .team(team), detail: "include \(included)"))
        }
    }

    /// Adds a user to a team (admins only).
    public func addMember(_ principal: Principal, team: String, user: String) throws {
        try authorize(principal, .changeTeam, .team(team))
        _ = try self.team(team)
        guard try users().contains(where: { $0.name == user }) else {
            throw WeftError.notFound(kind: "user", name: user, hint: "create the user first with 'weft user create \(user) --password-stdin'")
        }
        try metastore.pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO memberships(team, user) VALUES (?, ?)", arguments: [team, user])
            try Workspace.insertAudit(db, event(principal, .changeTeam, .team(team), detail: "add member \(user)"))
        }
    }

    // MARK: fabrics

    /// Every fabric (names, stages, kinds and owners are visible to all; settings are not part of listing output).
    public func fabrics() throws -> [Fabric] {
        try metastore.pool.read { db in
            var secretNames: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT fabric, name FROM fabric_secrets ORDER BY name") {
                secretNames[row[0], default: []].append(row[1])
            }
            return try Row.fetchAll(db, sql: "SELECT name, owner_team, stage, kind, slots, settings FROM fabrics ORDER BY name").map { row in
                let settingsText: String = row[5]
                let settings = (try? JSONDecoder().decode([String: String].self, from: Data(settingsText.utf8))) ?? [:]
                return Fabric(
                    name: row[0], ownerTeam: row[1], stage: Stage(rawValue: row[2]) ?? .development,
                    kind: FabricKind(rawValue: row[3]) ?? .local, slots: row[4], settings: settings,
                    secretNames: secretNames[row[0]] ?? [])
            }
        }
    }

    /// The fabric named `name`.
    public func fabric(_ name: String) throws -> Fabric {
        guard let f = try fabrics().first(where: { $0.name == name }) else {
            throw WeftError.notFound(kind: "fabric", name: name, hint: "list fabrics with 'weft fabric list'")
        }
        return f
    }

    /// A fabric with its settings, for users who may see them.
    public func fabricDetails(_ principal: Principal, _ name: String) throws -> Fabric {
        let f = try fabric(name)
        try authorize(principal, .viewFabricSettings, .fabric(f))
        return f
    }

    /// Creates a fabric record (admins only).
    public func createFabric(_ principal: Principal, _ fabric: Fabric) throws {
        try authorize(principal, .createFabric, .fabric(fabric))
        try Names.validate(fabric.name, kind: "fabric")
        guard (1...256).contains(fabric.slots) else { throw WeftError.invalid("slots must be between 1 and 256, not \(fabric.slots)") }
        for key in fabric.settings.keys where Self.looksSecret(key) {
            throw WeftError.invalid(
                "setting '\(key)' looks like a secret; settings are visible to the fabric's team — store it with 'weft fabric set-secret \(fabric.name) \(key) --value-stdin'")
        }
        guard try teams().contains(where: { $0.name == fabric.ownerTeam }) else {
            throw WeftError.notFound(kind: "team", name: fabric.ownerTeam, hint: "create it first with 'weft team create \(fabric.ownerTeam)'")
        }
        let settings = String(decoding: try JSONEncoder().encode(fabric.settings), as: UTF8.self)
        try metastore.pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM fabrics WHERE name = ?", arguments: [fabric.name]) != nil {
                throw WeftError.alreadyExists(kind: "fabric", name: fabric.name)
            }
            try db.execute(
                sql: "INSERT INTO fabrics(name, owner_team, stage, kind, slots, settings, created_at) VALUES (?,?,?,?,?,?,?)",
                arguments: [fabric.name, fabric.ownerTeam, fabric.stage.rawValue, fabric.kind.rawValue, fabric.slots, settings, Date().timeIntervalSince1970])
            try Workspace.insertAudit(db, event(principal, .createFabric, .fabric(fabric), detail: "stage \(fabric.stage.rawValue), owner \(fabric.ownerTeam)"))
        }
        try FileManager.default.createDirectory(atPath: dataRoot(fabric: fabric.name), withIntermediateDirectories: true)
    }

    static func looksSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["password", "secret", "token", "apikey", "api_key", "private_key"].contains { k.contains($0) }
    }

    /// Sets (or replaces) a fabric secret: the fabric's team or an admin. The value is never shown back.
    public func setSecret(_ principal: Principal, fabric name: String, secret: String, value: String) throws {
        let f = try fabric(name)
        try authorize(principal, .setFabricSecret, .fabric(f))
        try Names.validate(secret, kind: "secret")
        guard !value.isEmpty else { throw WeftError.invalid("the secret value is empty; pipe it on standard input") }
        let sealed = try secrets.seal(value, context: "\(name)/\(secret)")
        try metastore.pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO fabric_secrets(fabric, name, sealed, updated_at, updated_by) VALUES (?,?,?,?,?)",
                arguments: [name, secret, sealed, Date().timeIntervalSince1970, principal.name])
            try Workspace.insertAudit(db, event(principal, .setFabricSecret, .fabric(f), detail: "secret \(secret)"))
        }
    }

    /// Decrypted secret values of a fabric — only for building a task's configuration; never displayed.
    func secretValues(fabric: String) throws -> [String: String] {
        let rows = try metastore.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sealed FROM fabric_secrets WHERE fabric = ?", arguments: [fabric])
        }
        var out: [String: String] = [:]
        for row in rows {
            let name: String = row[0]
            let sealed: Data = row[1]
            out[name] = try secrets.open(sealed, context: "\(fabric)/\(name)")
        }
        return out
    }
}
