import Crypto
import Foundation
import GRDB
import WeftDomain

extension Workspace {
    /// Failed logins allowed before back-off starts.
    public static let freeLoginAttempts = 5
    /// How long a CLI session lasts.
    public static let sessionLifetime: TimeInterval = 12 * 3600

    /// Checks a password. After 5 failures for a user, further attempts wait a growing back-off (2, 4, 8 … 300 s).
    /// Every failure is an audit event; messages never reveal whether the user exists.
    public func login(user name: String, password: String, now: Date = Date()) throws -> Principal {
        struct Row1 { var hash: String; var failed: Int; var lockedUntil: Double?; var admin: Bool }
        let row = try metastore.pool.read { db -> Row1? in
            try Row.fetchOne(db, sql: "SELECT password_hash, failed_logins, locked_until, is_admin FROM users WHERE name = ?", arguments: [name])
                .map { Row1(hash: $0[0], failed: $0[1], lockedUntil: $0[2], admin: $0[3]) }
        }
        if let until = row?.lockedUntil, until > now.timeIntervalSince1970 {
            let wait = Int((until - now.timeIntervalSince1970).rounded(.up))
            audit(name, Action.login.rawValue, .user(name), result: .denied, detail: "throttled")
            throw WeftError.authentication("too many failed logins for \(name); try again in \(wait) s")
        }
        // Hash even for unknown users so timing does not tell who exists.
        let stored = row?.hash ?? "scrypt$\(PasswordHasher.defaultRounds)$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let ok = PasswordHasher.verify(password, against: stored) && row != nil
        guard ok, let row else {
            try metastore.pool.write { db in
                let failed = (row?.failed ?? 0) + 1
                var until: Double? = nil
                if failed >= Self.freeLoginAttempts {
                    until = now.timeIntervalSince1970 + min(300, pow(2, Double(failed - Self.freeLoginAttempts + 1)))
                }
                try db.execute(sql: "UPDATE users SET failed_logins = ?, locked_until = ? WHERE name = ?", arguments: [failed, until, name])
                try Workspace.insertAudit(
                    db, AuditEvent(at: now, user: name, action: Action.login.rawValue, object: "user \(name)", fabric: nil, project: nil, result: .denied, detail: "wrong user name or password"))
            }
            throw WeftError.authentication("wrong user name or password for '\(name)'")
        }
        try metastore.pool.write { db in
            try db.execute(sql: "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE name = ?", arguments: [name])
            try Workspace.insertAudit(
                db, AuditEvent(at: now, user: name, action: Action.login.rawValue, object: "user \(name)", fabric: nil, project: nil, result: .allowed, detail: ""))
        }
        return try principal(for: User(name: name, isAdmin: row.admin))
    }

    /// The principal for a known user (effective teams resolved).
    public func principal(for user: User) throws -> Principal {
        Principal(user: user, teams: TeamGraph(try teams()).effectiveTeams(of: user.name))
    }

    /// The principal for a user name, without a password (used after a session token was verified).
    func principal(named name: String) throws -> Principal {
        let admin = try metastore.pool.read { db in try Bool.fetchOne(db, sql: "SELECT is_admin FROM users WHERE name = ?", arguments: [name]) }
        guard let admin else { throw WeftError.authentication("the session's user \(name) no longer exists; log in again") }
        return try principal(for: User(name: name, isAdmin: admin))
    }

    /// Creates a session for `principal` and writes its token to the session file (mode 0600).
    public func startSession(_ principal: Principal, now: Date = Date()) throws {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let token = Data(bytes).base64EncodedString()
        try metastore.pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [now.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO sessions(token_hash, user, created_at, expires_at) VALUES (?,?,?,?)",
                arguments: [Self.tokenHash(token), principal.name, now.timeIntervalSince1970, now.timeIntervalSince1970 + Self.sessionLifetime])
        }
        try FileIO.atomicWrite(Data((principal.name + "\n" + token + "\n").utf8), to: sessionFile, mode: 0o600)
    }

    /// The principal of the current CLI session, if the token file is valid and not expired.
    public func sessionPrincipal(now: Date = Date()) throws -> Principal? {
        guard let text = try? String(contentsOfFile: sessionFile, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count >= 2 else { return nil }
        let user = try metastore.pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT user FROM sessions WHERE token_hash = ? AND expires_at > ?",
                arguments: [Self.tokenHash(lines[1]), now.timeIntervalSince1970])
        }
        guard let user else {
            throw WeftError.authentication("your session has expired; log in again with 'weft login'")
        }
        return try principal(named: user)
    }

    /// Ends the CLI session.
    public func logout() throws {
        if let text = try? String(contentsOfFile: sessionFile, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            if lines.count >= 2 {
                try metastore.pool.write { db in
                    try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [Self.tokenHash(lines[1])])
                }
            }
        }
        try? FileManager.default.removeItem(atPath: sessionFile)
    }

    static func tokenHash(_ token: String) -> String {
        FileIO.hex(SHA256.hash(data: Data(token.utf8)))
    }
}
