import Foundation
import GRDB
import WeftDomain

extension Workspace {
    // MARK: users

    /// Creates a user (admins only).
    public func createUser(_ principal: Principal, name: String, password: String, admin: Bool = false) throws {
        try authorize(principal, .createUser, .user(name))
        try Names.checkUnique(name, kind: "user", existing: try users().map(\.name))
        try Names.validate(name, kind: "user")
        try Workspace.checkPassword(password)
        let hash = try PasswordHasher.hash(password)
        try metastore.pool.write { db in
            // Again in the transaction that inserts: another process may have created it meanwhile.
            try Names.checkUnique(name, kind: "user", existing: try String.fetchAll(db, sql: "SELECT name FROM users"))
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
        let existing = Set(try teams().map(\.name))
        try Names.checkUnique(name, kind: "team", existing: existing)
        try Names.validate(name, kind: "team")
        for inc in includes where !existing.contains(inc) {
            throw WeftError.notFound(kind: "team", name: inc, hint: "create it first with 'weft team create \(inc)'")
        }
        try metastore.pool.write { db in
            try Names.checkUnique(name, kind: "team", existing: try String.fetchAll(db, sql: "SELECT name FROM teams"))
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
    /// A row whose stage, kind or settings this Weft cannot read is an error, never a guess.
    public func fabrics() throws -> [Fabric] {
        try metastore.pool.read { db in
            var secretNames: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT fabric, name FROM fabric_secrets ORDER BY name") {
                secretNames[row[0], default: []].append(row[1])
            }
            return try Row.fetchAll(db, sql: "SELECT name, owner_team, stage, kind, slots, settings FROM fabrics ORDER BY name").map { row in
                try Self.decodeFabric(row, secretNames: secretNames[row[0]] ?? [])
            }
        }
    }

    /// The fabric named `name`.
    public func fabric(_ name: String) throws -> Fabric {
        let found = try metastore.pool.read { db -> Fabric? in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT name, owner_team, stage, kind, slots, settings FROM fabrics WHERE name = ?", arguments: [name])
            else { return nil }
            let secretNames = try String.fetchAll(db, sql: "SELECT name FROM fabric_secrets WHERE fabric = ? ORDER BY name", arguments: [name])
            return try Self.decodeFabric(row, secretNames: secretNames)
        }
        guard let found else {
            throw WeftError.notFound(kind: "fabric", name: name, hint: "list fabrics with 'weft fabric list'")
        }
        return found
    }

    /// A fabric from its metastore row (name, owner_team, stage, kind, slots, settings).
    static func decodeFabric(_ row: Row, secretNames: [String]) throws -> Fabric {
        let name: String = row[0]
        let stageText: String = row[2]
        let kindText: String = row[3]
        let settingsText: String = row[5]
        guard let stage = Stage(rawValue: stageText) else {
            throw WeftError.workspace(
                "fabric \(name) has stage '\(stageText)' in the metastore, which this Weft does not know (it knows "
                    + Stage.allCases.map(\.rawValue).joined(separator: ", ")
                    + "); upgrade Weft, or fix the fabric's row in weft.sqlite")
        }
        guard let kind = FabricKind(rawValue: kindText) else {
            throw WeftError.workspace(
                "fabric \(name) has kind '\(kindText)' in the metastore, which this Weft does not know (it knows "
                    + FabricKind.allCases.map(\.rawValue).joined(separator: ", ")
                    + "); upgrade Weft, or fix the fabric's row in weft.sqlite")
        }
        guard let settings = try? JSONDecoder().decode([String: String].self, from: Data(settingsText.utf8)) else {
            throw WeftError.workspace(
                "fabric \(name) has settings in the metastore that are not a JSON object of strings; upgrade Weft, or fix the fabric's row in weft.sqlite")
        }
        return Fabric(name: name, ownerTeam: row[1], stage: stage, kind: kind, slots: row[4], settings: settings, secretNames: secretNames)
    }

    /// A fabric with its settings, for users who may see them.
    public func fabricDetails(_ principal: Principal, _ name: String) throws -> Fabric {
        let f = try fabric(name)
        try authorize(principal, .viewFabricSettings, .fabric(f))
        return f
    }

    /// Every fabric's name (without reading settings).
    func fabricNames() throws -> [String] {
        try metastore.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM fabrics") }
    }

    /// Creates a fabric record (admins only). Its settings are checked against its kind's `schema` (from the
    /// kind's driver): unknown keys (with a "did you mean"), values that do not fit, required keys missing and
    /// secrets given as settings are all reported at once.
    public func createFabric(_ principal: Principal, _ fabric: Fabric, schema: FabricSettingsSchema) throws {
        try authorize(principal, .createFabric, .fabric(fabric))
        try Names.checkUnique(fabric.name, kind: "fabric", existing: try fabricNames())
        try Names.validate(fabric.name, kind: "fabric")
        guard (1...256).contains(fabric.slots) else { throw WeftError.invalid("slots must be between 1 and 256, not \(fabric.slots)") }
        try schema.validate(fabric.settings, of: fabric.name, kind: fabric.kind)
        guard try teams().contains(where: { $0.name == fabric.ownerTeam }) else {
            throw WeftError.notFound(kind: "team", name: fabric.ownerTeam, hint: "create it first with 'weft team create \(fabric.ownerTeam)'")
        }
        let settings = try Self.encodeSettings(fabric.settings)
        try metastore.pool.write { db in
            // Again in the transaction that inserts: another process may have created it meanwhile.
            try Names.checkUnique(fabric.name, kind: "fabric", existing: try String.fetchAll(db, sql: "SELECT name FROM fabrics"))
            try db.execute(
                sql: "INSERT INTO fabrics(name, owner_team, stage, kind, slots, settings, created_at) VALUES (?,?,?,?,?,?,?)",
                arguments: [fabric.name, fabric.ownerTeam, fabric.stage.rawValue, fabric.kind.rawValue, fabric.slots, settings, Date().timeIntervalSince1970])
            try Workspace.insertAudit(db, event(principal, .createFabric, .fabric(fabric), detail: "stage \(fabric.stage.rawValue), owner \(fabric.ownerTeam)"))
        }
        try FileManager.default.createDirectory(
            atPath: dataRoot(fabric: fabric.name), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Changes a fabric's settings and slots (admins only): `set` adds or replaces settings, `unset` removes them,
    /// `slots` (when given) replaces the slot count. The resulting settings are checked against the kind's
    /// `schema` as on creation (so a required setting cannot be unset), read, checked and written in one
    /// transaction, and audited with the keys that changed — never their values. A fabric's stage, kind and owner
    /// are not changed here: a production fabric must not quietly become something else (docs/decisions.md).
    @discardableResult
    public func updateFabric(
        _ principal: Principal, name: String, set: [String: String] = [:], unset: [String] = [], slots: Int? = nil,
        schema: FabricSettingsSchema
    ) throws -> Fabric {
        let current = try fabric(name)
        try authorize(principal, .changeFabric, .fabric(current))
        if set.isEmpty && unset.isEmpty && slots == nil {
            throw WeftError.invalid("nothing to change on fabric \(name); give --set key=value, --unset KEY or --slots N")
        }
        var problems: [Problem] = []
        for key in Set(unset).intersection(set.keys).sorted() {
            problems.append(Problem("fabric \(name): setting '\(key)' is both set and unset; give it once"))
        }
        if let slots, !(1...256).contains(slots) { problems.append(Problem("slots must be between 1 and 256, not \(slots)")) }
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        return try metastore.pool.write { db -> Fabric in
            // Read again inside the transaction: a change made meanwhile is neither lost nor checked stale.
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT name, owner_team, stage, kind, slots, settings FROM fabrics WHERE name = ?", arguments: [name])
            else { throw WeftError.notFound(kind: "fabric", name: name, hint: "list fabrics with 'weft fabric list'") }
            let secretNames = try String.fetchAll(db, sql: "SELECT name FROM fabric_secrets WHERE fabric = ? ORDER BY name", arguments: [name])
            var f = try Self.decodeFabric(row, secretNames: secretNames)
            var missing: [Problem] = []
            for key in Set(unset).sorted() where f.settings[key] == nil {
                let hint = Suggestion.closest(to: key, in: f.settings.keys).map { "; did you mean '\($0)'?" } ?? ""
                let has = f.settings.isEmpty ? "it has none" : "it has " + f.settings.keys.sorted().joined(separator: ", ")
                missing.append(Problem("fabric \(name) has no setting '\(key)' to unset\(hint) (\(has))"))
            }
            if !missing.isEmpty { throw WeftError.invalid(missing) }
            let before = f
            for key in unset { f.settings[key] = nil }
            for (key, value) in set { f.settings[key] = value }
            if let slots { f.slots = slots }
            try schema.validate(f.settings, of: name, kind: f.kind)
            try db.execute(
                sql: "UPDATE fabrics SET settings = ?, slots = ? WHERE name = ?",
                arguments: [try Self.encodeSettings(f.settings), f.slots, name])
            // Keys only: a value may be something its team should not see in the audit trail of every fabric.
            var changes: [String] = []
            let added = set.keys.filter { before.settings[$0] == nil }.sorted()
            let replaced = set.keys.filter { before.settings[$0] != nil }.sorted()
            if !added.isEmpty { changes.append("add " + added.joined(separator: ", ")) }
            if !replaced.isEmpty { changes.append("set " + replaced.joined(separator: ", ")) }
            if !unset.isEmpty { changes.append("unset " + Set(unset).sorted().joined(separator: ", ")) }
            if let slots { changes.append("slots \(before.slots) → \(slots)") }
            try Workspace.insertAudit(db, event(principal, .changeFabric, .fabric(f), detail: changes.joined(separator: "; ")))
            return f
        }
    }

    /// A fabric's settings as stored (a JSON object of strings).
    static func encodeSettings(_ settings: [String: String]) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(settings), as: UTF8.self)
    }

    /// Sets (or replaces) a fabric secret: the fabric's team or an admin. The value is never shown back.
    /// The shortest secret value accepted.
    public static let minimumSecretLength = 8

    public func setSecret(_ principal: Principal, fabric name: String, secret: String, value: String) throws {
        let f = try fabric(name)
        try authorize(principal, .setFabricSecret, .fabric(f))
        try Names.validate(secret, kind: "secret")
        guard !value.isEmpty else { throw WeftError.invalid("the secret value is empty; pipe it on standard input") }
        // A short value is guessable, and its masked log lines ("****" where each occurrence was) reveal it.
        guard value.count >= Self.minimumSecretLength else {
            throw WeftError.invalid(
                "the secret value has \(value.count) character\(value.count == 1 ? "" : "s"); a secret needs at least \(Self.minimumSecretLength) (pipe the whole value in with --value-stdin)")
        }
        let sealed = try secrets.seal(value, context: "\(name)/\(secret)")
        try metastore.pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO fabric_secrets(fabric, name, sealed, updated_at, updated_by) VALUES (?,?,?,?,?)",
                arguments: [name, secret, sealed, Date().timeIntervalSince1970, principal.name])
            try Workspace.insertAudit(db, event(principal, .setFabricSecret, .fabric(f), detail: "secret \(secret)"))
        }
    }

    /// Decrypted secret values of a fabric — only for building a task's configuration; never displayed.
    @_spi(Drivers) public func secretValues(fabric: String) throws -> [String: String] {
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
