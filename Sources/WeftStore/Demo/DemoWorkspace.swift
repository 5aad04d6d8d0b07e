import Foundation
import WeftDomain

/// The demo workspace: the seed scenario of PRODUCT.md §5, ready to use.
public enum DemoWorkspace {
    /// A demo login.
    public struct Credential: Sendable, Hashable {
        public var user: String
        public var password: String
        public var role: String
    }

    /// The fixed demo passwords (printed by `weft demo` and shown on its login screen; never use them elsewhere).
    public static let credentials: [Credential] = [
        Credential(user: "admin", password: "admin-demo-pw", role: "workspace admin (in no team)"),
        Credential(user: "alice", password: "alice-demo-pw", role: "developer (team developers)"),
        Credential(user: "bob", password: "bob-demo-pw", role: "production support (team prod_support, included in developers and qa)"),
        Credential(user: "quinn", password: "quinn-demo-pw", role: "QA engineer (team qa)"),
    ]

    /// Where the demo lives: `--workspace` / `$WEFT_HOME` when given, else `$XDG_DATA_HOME/weft-demo`.
    public static func defaultRoot(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return Workspace.absolute(explicit) }
        if let home = environment["WEFT_HOME"], !home.isEmpty { return Workspace.absolute(home) }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return Workspace.absolute(data + "/weft-demo")
    }

    /// The demo project's files as shipped with Weft.
    public static var projectSource: String {
        Bundle.module.bundleURL.appendingPathComponent("customer_analytics").path
    }

    /// Where the demo gets a fabric kind's settings schema from: the kind's driver, which the store cannot see
    /// (the CLI passes its run service's), given the workspace being built.
    public typealias SettingsSchemas = (_ workspace: Workspace, _ kind: FabricKind) throws -> FabricSettingsSchema

    /// A schema of only the settings every kind takes (`description`) — all the demo's fabrics set. Stricter than
    /// any driver's, so a demo built with it is one the drivers accept.
    public static func commonSettingsOnly(_ workspace: Workspace, _ kind: FabricKind) -> FabricSettingsSchema {
        FabricSettingsSchema(kind: kind, settings: [])
    }

    /// Creates the demo workspace at `root` (or reuses it; `reset` recreates it). Returns whether it was created.
    /// Its fabrics' settings are checked with `schemas`.
    @discardableResult
    public static func ensure(at root: String, reset: Bool = false, schemas: SettingsSchemas = DemoWorkspace.commonSettingsOnly) throws -> Bool {
        let fm = FileManager.default
        if reset && fm.fileExists(atPath: root) {
            let isEmpty = (try? fm.contentsOfDirectory(atPath: root))?.isEmpty ?? false
            if Workspace.exists(at: root) {
                // Only a workspace `weft demo` made is deleted; its metastore says so (a damaged one is refused).
                guard try Workspace.isDemo(Metastore(path: root + "/weft.sqlite", connections: .single)) else {
                    throw WeftError.workspace(
                        "\(root) holds a workspace that 'weft demo' did not create; --reset deletes only demo workspaces, so nothing was "
                            + "deleted. For the demo use another directory (weft demo --workspace DIR, or unset WEFT_HOME); back this "
                            + "workspace up with 'weft backup DIR'. (A demo made before Weft recorded demos: delete its directory yourself.)")
                }
            } else if !isEmpty {
                throw WeftError.workspace("\(root) is not a Weft workspace; refusing to delete it for --reset")
            }
            try fm.removeItem(atPath: root)
        }
        if Workspace.exists(at: root) {
            // Reused as it is — unless it is not a metastore at all (refused with what to do).
            try MetastoreFile.check(root + "/weft.sqlite")
            return false
        }
        let staging = root + ".creating-\(getpid())"
        try? fm.removeItem(atPath: staging)
        do {
            try build(at: staging, schemas: schemas)
            try fm.createDirectory(atPath: (root as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard rename(staging, root) == 0 else { throw WeftError.failure("cannot move the demo workspace into \(root)") }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
        return true
    }

    static func build(at root: String, schemas: SettingsSchemas) throws {
        let c = credentials
        let ws = try Workspace.create(at: root, admin: c[0].user, password: c[0].password, demo: true)
        let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        try ws.createUser(admin, name: c[1].user, password: c[1].password)
        try ws.createUser(admin, name: c[2].user, password: c[2].password)
        try ws.createUser(admin, name: c[3].user, password: c[3].password)
        try ws.createTeam(admin, name: "prod_support")
        try ws.createTeam(admin, name: "developers", includes: ["prod_support"])
        try ws.createTeam(admin, name: "qa", includes: ["prod_support"])
        try ws.addMember(admin, team: "developers", user: "alice")
        try ws.addMember(admin, team: "prod_support", user: "bob")
        try ws.addMember(admin, team: "qa", user: "quinn")
        let local = try schemas(ws, .local)
        try ws.createFabric(
            admin, Fabric(name: "development", ownerTeam: "developers", stage: .development, kind: .local, slots: 4, settings: ["description": "dummy customer data"]),
            schema: local)
        try ws.createFabric(
            admin, Fabric(name: "qa", ownerTeam: "qa", stage: .qa, kind: .local, slots: 4, settings: ["description": "a slice of production's customer data"]),
            schema: local)
        try ws.createFabric(
            admin, Fabric(name: "production", ownerTeam: "prod_support", stage: .production, kind: .local, slots: 8, settings: ["description": "real customer data"]),
            schema: local)
        try ws.setSecret(admin, fabric: "development", secret: "anonymisation_salt", value: "development-salt-not-secret")
        try ws.setSecret(admin, fabric: "qa", secret: "anonymisation_salt", value: randomToken())
        try ws.setSecret(admin, fabric: "production", secret: "anonymisation_salt", value: randomToken())
        try writeData(ws.dataRoot(fabric: "development") + "/raw/customers.csv", rows: DemoData.development())
        try writeData(ws.dataRoot(fabric: "production") + "/raw/customers.csv", rows: DemoData.production())
        try writeData(ws.dataRoot(fabric: "qa") + "/raw/customers.csv", rows: DemoData.qa())
        let alice = try ws.principal(for: User(name: "alice"))
        try ws.createProject(alice, name: "customer_analytics", owner: "developers", from: projectSource)
    }

    static func writeData(_ path: String, rows: [String]) throws {
        try FileIO.atomicWrite(Data((rows.joined(separator: "\n") + "\n").utf8), to: path)
    }

    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}

/// Generated customer data: dummy rows for development, realistic-looking rows for production.
enum DemoData {
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let header = "customer_id,name,email,country,segment,lifetime_value"

    static func development() -> [String] {
        var rows = [header]
        for i in 1...400 {
            let country = ["DE", "FR", "NL"][i % 3]
            let email = i % 37 == 0 ? "invalid" : "test.user\(i)@example.invalid"
            rows.append("D\(i),Test User \(i),\(email),\(country),\(["smb", "enterprise"][i % 2]),\(i % 50).00")
        }
        return rows
    }

    /// QA's data: every tenth production row (a slice of real-looking data, no more).
    static func qa() -> [String] {
        let rows = production()
        return [rows[0]] + rows.dropFirst().enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
    }

    static func production() -> [String] {
        var rng = SeededRandom(state: 20_261_129)
        let first = ["Ana", "Ben", "Chloé", "Dmitri", "Emma", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kaja", "Luca", "Mei", "Noah", "Olga", "Pedro", "Sofia", "Yusuf", "Zoë", "Ömer"]
        let last = ["Müller", "García", "Rossi", "Dubois", "Nowak", "Jansen", "Silva", "Yılmaz", "Andersen", "Kowalski", "Tanaka", "Smith"]
        let domains = ["mail.de", "post.fr", "web.nl", "correo.es", "posta.it", "inbox.pl"]
        let countries = ["DE", "FR", "NL", "ES", "IT", "PL", "SE", "AT", "BE", "DK", "PT", "IE"]
        let segments = ["consumer", "smb", "mid_market", "enterprise"]
        var rows = [header]
        for i in 1...3000 {
            let f = first[Int(rng.next() % UInt64(first.count))]
            let l = last[Int(rng.next() % UInt64(last.count))]
            let email = rng.next() % 97 == 0 ? "" : "\(f.lowercased()).\(l.lowercased())\(i)@\(domains[Int(rng.next() % UInt64(domains.count))])"
            let value = Double(rng.next() % 500_000) / 100 * (rng.next() % 10 == 0 ? 8 : 1)
            rows.append(
                "P\(100_000 + i),\(f) \(l),\(email),\(countries[Int(rng.next() % UInt64(countries.count))]),\(segments[Int(rng.next() % UInt64(segments.count))]),\(String(format: "%.2f", value))"
            )
        }
        return rows
    }
}
