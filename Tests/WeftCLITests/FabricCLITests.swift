import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// `weft fabric update` and `weft fabric check` (issue 7 item 5): settings are checked by the kind's driver when a
/// fabric is created or changed, and `check` has the driver test them for real. Bad input of both is in
/// CLIBadInputTests.
@Suite struct FabricCLITests {
    struct Check: Decodable, Equatable {
        var name: String
        var ok: Bool
        var detail: String
    }

    @Test func createWithTheDriversSettingsThenUpdateAndUnsetThem() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "admin")
        let created = try cli.weft([
            "fabric", "create", "staging", "--owner", "developers", "--stage", "qa", "--set", "sandbox=on", "--set", "description=the QA fabric",
        ])
        #expect(created.status == 0, "\(created)")
        let updated = try cli.weft(["fabric", "update", "staging", "--set", "network=off", "--set", "sandbox=off", "--unset", "description", "--slots", "2"])
        #expect(updated.status == 0, "\(updated)")
        #expect(updated.stdout.contains("Updated fabric staging (set network, sandbox; unset description; 2 slots)."), "\(updated.stdout)")

        let ws = try Workspace.open(at: cli.root)
        let f = try ws.fabric("staging")
        #expect(f.settings == ["sandbox": "off", "network": "off"])
        #expect(f.slots == 2)
        #expect(f.stage == .qa && f.kind == .local && f.ownerTeam == "developers")
        // One event, naming the keys that changed and never their values.
        let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        let events = try ws.auditEvents(admin, fabric: "staging").filter { $0.action == Action.changeFabric.rawValue }
        #expect(events.count == 1, "\(events)")
        let detail = try #require(events.first).detail
        #expect(detail == "add network; set sandbox; unset description; slots 4 → 2", "\(detail)")
        #expect(!detail.contains("off") && !detail.contains("QA fabric"), "\(detail)")
        #expect(events.first?.user == "admin" && events.first?.result == .allowed)

        // The fabric's team sees the new settings.
        try cli.session(as: "alice")
        let show = try cli.weft(["fabric", "show", "staging"])
        #expect(show.status == 0 && show.stdout.contains("settings: network=off, sandbox=off"), "\(show)")
        #expect(show.stdout.contains("slots:    2"), "\(show.stdout)")
    }

    @Test func aRefusedUpdateChangesNothingAndIsAuditedAsDenied() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "bob")
        let before = try Workspace.open(at: cli.root).fabric("production")
        let r = try cli.weft(["fabric", "update", "production", "--set", "sandbox=on"])
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains("only a workspace admin may do this"), "\(r.stderr)")
        let ws = try Workspace.open(at: cli.root)
        #expect(try ws.fabric("production") == before)
        let admin = try ws.principal(for: User(name: "admin", isAdmin: true))
        let denied = try ws.auditEvents(admin, fabric: "production").first
        #expect(denied?.user == "bob" && denied?.action == Action.changeFabric.rawValue && denied?.result == .denied, "\(String(describing: denied))")
    }

    @Test func checkOfTheDevelopmentFabricPasses() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        let r = try cli.weft(["fabric", "check", "development"])
        #expect(r.status == 0, "\(r)")
        let data = cli.root + "/fabrics/development/data"
        #expect(r.stdout.contains("✓ settings — valid for a local fabric"), "\(r.stdout)")
        #expect(r.stdout.contains("✓ data root writable — \(data)"), "\(r.stdout)")
        #expect(r.stdout.contains("✓ python3 found — /"), "\(r.stdout)")
        #expect(!r.stdout.contains("✗"), "\(r.stdout)")
        // The probe the check writes is gone again.
        let left = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix(".weft-check") }
        #expect(left.isEmpty, "\(left)")

        let json = try cli.weft(["fabric", "check", "development", "-o", "json"])
        #expect(json.status == 0, "\(json)")
        let checks = try decodeJSON([Check].self, json.stdout)
        #expect(checks.map(\.name).starts(with: ["settings", "data root writable", "python3 found"]), "\(checks)")
        #expect(checks.allSatisfy { $0.ok }, "\(checks)")

        // An admin may check any fabric (admins manage fabric records), without being in its team.
        try cli.session(as: "admin")
        #expect(try cli.weft(["fabric", "check", "production"]).status == 0)
    }

    @Test func checkFailsClearlyWhenTheDataRootCannotBeADirectory() throws {
        let cli = try CLIWorkspace()
        try cli.session(as: "alice")
        // Tests run as root, which ignores permission bits: make the data root a regular file instead.
        let data = cli.root + "/fabrics/development/data"
        try FileManager.default.removeItem(atPath: data)
        try "not a directory".write(toFile: data, atomically: true, encoding: .utf8)
        let r = try cli.weft(["fabric", "check", "development"])
        #expect(r.status == 1, "\(r)")
        let failing = r.stdout.split(separator: "\n").filter { $0.hasPrefix("✗") }
        #expect(failing.count == 1, "\(r.stdout)")
        let line = String(try #require(failing.first))
        #expect(line.hasPrefix("✗ data root writable — \(data): "), "\(line)")
        #expect(line.hasSuffix("; make it writable by this user"), "\(line)")
        #expect(r.stdout.contains("✓ python3 found"), "\(r.stdout)")

        let json = try cli.weft(["fabric", "check", "development", "-o", "json"])
        #expect(json.status == 1, "\(json)")
        let checks = try decodeJSON([Check].self, json.stdout)
        let bad = try #require(checks.first { $0.name == "data root writable" })
        #expect(!bad.ok && bad.detail.hasPrefix(data + ": "), "\(bad)")
        // The check does not repair anything behind the admin's back.
        var isDir: ObjCBool = true
        #expect(FileManager.default.fileExists(atPath: data, isDirectory: &isDir) && !isDir.boolValue)
    }

    @Test func checkReportsSettingsThatNoLongerFitTheKind() throws {
        let cli = try CLIWorkspace()
        // A row written before settings were checked (or by hand): check names the problem instead of guessing.
        let ws = try Workspace.open(at: cli.root)
        try ws.metastore.pool.write { db in
            try db.execute(sql: "UPDATE fabrics SET settings = ? WHERE name = 'development'", arguments: [#"{"sandbx":"on"}"#])
        }
        try cli.session(as: "alice")
        let r = try cli.weft(["fabric", "check", "development"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("✗ settings — unknown setting 'sandbx' for a local fabric; did you mean 'sandbox'?"), "\(r.stdout)")
        // ... and the admin fixes it with update: the bad key is unset in the same change.
        try cli.session(as: "admin")
        let stillBad = try cli.weft(["fabric", "update", "development", "--set", "sandbox=on"])
        #expect(stillBad.status == 1 && stillBad.stderr.contains("unknown setting 'sandbx'"), "\(stillBad)")
        let fixed = try cli.weft(["fabric", "update", "development", "--set", "sandbox=on", "--unset", "sandbx"])
        #expect(fixed.status == 0, "\(fixed)")
        try cli.session(as: "alice")
        #expect(try cli.weft(["fabric", "check", "development"]).status == 0)
    }
}
