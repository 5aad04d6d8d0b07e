import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// Data the user has is never destroyed by accident: `weft demo --reset` deletes only a workspace `weft demo` made;
/// a metastore that is empty, truncated, not SQLite or another application's is refused with what to do and left
/// byte for byte as it was; `weft backup` makes a copy that works as a workspace once copied into place.
@Suite struct DataSafetyTests {
    /// Every file under `root` with its bytes, except the metastore's (compared by content, see `dump`).
    func files(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: root) else { return out }
        while let f = e.nextObject() as? String {
            if f.hasPrefix("weft.sqlite") || f == "session" { continue }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: root + "/" + f, isDirectory: &isDir), !isDir.boolValue { out[f] = fm.contents(atPath: root + "/" + f) }
        }
        return out
    }

    /// Every row of every table of a metastore, as text.
    func dump(_ path: String) throws -> String {
        var config = Configuration()
        config.readonly = true
        let q = try DatabaseQueue(path: path, configuration: config)
        return try q.read { db in
            var text = ""
            for t in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
                text += "## \(t)\n"
                // Sorted as text: some tables have no rowid.
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(t)\"").map(\.description).sorted() { text += row + "\n" }
            }
            return text
        }
    }

    func counts(_ path: String) throws -> [String: Int] {
        let q = try DatabaseQueue(path: path)
        return try q.read { db in
            var c: [String: Int] = [:]
            for t in ["users", "projects", "runs", "audit", "fabric_secrets"] { c[t] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t)") }
            return c
        }
    }

    /// Seen: `WEFT_HOME=<a real workspace> weft demo --reset` deleted its users, projects, runs, audit and secrets.
    /// Now refused with what to do, and nothing changes — for a workspace made by `weft init` and for one full of data
    /// that `weft demo` did not make (a copy of the demo's data, marked as a workspace).
    @Test func demoResetRefusesARealWorkspace() throws {
        // A workspace made by `weft init`, with a second user.
        let real = try CLIWorkspace(demo: false)
        let made = try real.weft(["init", "--admin", "root", "--password-stdin"], stdin: "root-password-1\n")
        try #require(made.status == 0, "\(made)")
        let user = try real.weft(["user", "create", "carol", "--password-stdin"], stdin: "carol-password-1\n", env: ["WEFT_USER": "root", "WEFT_PASSWORD": "root-password-1"])
        try #require(user.status == 0, "\(user)")
        // A workspace with users, projects, runs, audit and secrets that is not a demo.
        let full = try CLIWorkspace()
        try full.session(as: "bob")
        let run = try full.weft(["run", "customers_daily_development", "--follow"], timeout: 120)
        try #require(run.status == 0, "\(run)")
        try DatabaseQueue(path: full.root + "/weft.sqlite").write { db in
            try db.execute(sql: "UPDATE workspace_info SET value = 'workspace' WHERE key = 'kind'")
        }
        for cli in [real, full] {
            let beforeFiles = files(cli.root), beforeRows = try dump(cli.root + "/weft.sqlite")
            // As seen (WEFT_HOME), and with --workspace.
            let viaHome = try runProcess(cli.weft, ["demo", "--reset", "--no-tui"], environment: cli.environment(["WEFT_HOME": cli.root]))
            let viaOption = try cli.weft(["demo", "--reset", "--no-tui"])
            for r in [viaHome, viaOption] {
                #expect(r.status == 1 && !r.signalled, "\(r)")
                #expect(r.stderr.contains("did not create") && r.stderr.contains("nothing was deleted") && r.stderr.contains("weft backup"), "\(r.stderr)")
            }
            #expect(files(cli.root) == beforeFiles, "files of the workspace changed")
            #expect(try dump(cli.root + "/weft.sqlite") == beforeRows, "the metastore's contents changed")
        }
        let c = try counts(full.root + "/weft.sqlite")
        #expect(c["users"] == 4 && c["projects"] == 1 && (c["runs"] ?? 0) >= 1 && (c["fabric_secrets"] ?? 0) == 3, "\(c)")
        #expect(try counts(real.root + "/weft.sqlite")["users"] == 2)
    }

    /// `--reset` still recreates a workspace that `weft demo` made.
    @Test func demoResetRecreatesADemo() throws {
        let cli = try CLIWorkspace(demo: false)
        let first = try cli.weft(["demo", "--no-tui"])
        try #require(first.status == 0 && first.stdout.contains("Created"), "\(first)")
        let extra = try cli.weft(["user", "create", "zed", "--password-stdin"], stdin: "zed-password-1\n", env: ["WEFT_USER": "admin", "WEFT_PASSWORD": "admin-demo-pw"])
        try #require(extra.status == 0, "\(extra)")
        let again = try cli.weft(["demo", "--reset", "--no-tui"])
        #expect(again.status == 0 && again.stdout.contains("Created"), "\(again)")
        let users = try cli.weft(["user", "list"], env: ["WEFT_USER": "admin", "WEFT_PASSWORD": "admin-demo-pw"])
        #expect(users.status == 0 && !users.stdout.contains("zed") && users.stdout.contains("alice"), "\(users)")
    }

    enum Damage: String, CaseIterable, CustomStringConvertible {
        case zeroLength, truncated, randomBytes, foreignSQLite, foreignApplicationID
        var description: String { rawValue }
    }

    /// Seen: `truncate -s 0 weft.sqlite` made the next command create an empty metastore silently (then "wrong user
    /// name or password"). Now every command refuses it with the way back (a backup), and the file stays as it was.
    @Test(arguments: Damage.allCases)
    func damagedMetastoreIsRefusedAndKept(_ damage: Damage) throws {
        let cli = try CLIWorkspace()
        let path = cli.root + "/weft.sqlite"
        let fm = FileManager.default
        // As a closed workspace leaves it: everything in the main file.
        try DatabaseQueue(path: path).writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        switch damage {
        case .zeroLength:
            try #require(truncate(path, 0) == 0)
        case .truncated:
            let size = try #require((try fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value)
            try #require(size >= 16384, "the demo metastore is \(size) bytes")
            try #require(truncate(path, off_t(size / 2 / 4096 * 4096)) == 0)
        case .randomBytes:
            var rng = SystemRandomNumberGenerator()
            try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: path))
        case .foreignSQLite, .foreignApplicationID:
            let other = cli.base + "/other.sqlite"
            let q = try DatabaseQueue(path: other)
            try q.write { db in
                try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes(text) VALUES ('keep me')")
                if damage == .foreignApplicationID { try db.execute(sql: "PRAGMA application_id = 42") }
            }
            try q.close()
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: path + suffix) }
            try fm.copyItem(atPath: other, toPath: path)
        }
        let before = try #require(fm.contents(atPath: path))
        let sidecars = ["-wal", "-shm"].map { fm.contents(atPath: path + $0) }
        let word: String = switch damage {
        case .zeroLength: "is empty (0 bytes)"
        case .truncated: "is truncated"
        case .randomBytes: "is not a SQLite database"
        case .foreignSQLite: "without Weft's schema"
        case .foreignApplicationID: "another application's SQLite database (application_id 0x0000002a"
        }
        let commands: [([String], String?)] = [
            (["job", "list"], nil), (["login", "--user", "bob", "--password-stdin"], "bob-demo-pw\n"), (["runs", "list"], nil),
            (["init", "--admin", "root", "--password-stdin"], "root-password-1\n"), (["demo", "--reset", "--no-tui"], nil),
            (["demo", "--no-tui"], nil),
        ]
        for (args, stdin) in commands {
            let r = try cli.weft(args, stdin: stdin)
            #expect(r.status == 1 && !r.signalled, "\(damage) \(args): \(r)")
            #expect(r.stderr.contains(word) && r.stderr.contains("Restore the workspace from a backup"), "\(damage) \(args): \(r.stderr)")
            #expect(!r.stderr.contains("wrong user name or password"), "\(damage) \(args): \(r.stderr)")
            #expect(fm.contents(atPath: path) == before, "\(damage) \(args): weft.sqlite changed")
            #expect(["-wal", "-shm"].map { fm.contents(atPath: path + $0) } == sidecars, "\(damage) \(args): the WAL files changed")
        }
    }

    /// A metastore made before Weft recorded its application_id (0, Weft's schema) still opens, and is marked.
    @Test func metastoreFromBeforeTheMarkOpens() throws {
        let cli = try CLIWorkspace()
        let path = cli.root + "/weft.sqlite"
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "PRAGMA application_id = 0")
            try db.execute(sql: "DROP TABLE workspace_info")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v8-workspace-identity'")
        }
        try q.close()
        try cli.session(as: "bob")
        let list = try cli.weft(["job", "list"])
        #expect(list.status == 0 && list.stdout.contains("customers_daily_development"), "\(list)")
        let id = try DatabaseQueue(path: path).read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
        #expect(id == Metastore.applicationID)
        // Not known to be a demo, so not reset.
        let reset = try cli.weft(["demo", "--reset", "--no-tui"])
        #expect(reset.status == 1 && reset.stderr.contains("did not create"), "\(reset)")
    }

    func mode(_ path: String) throws -> Int {
        ((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// `weft backup DIR` (admins): private, never over an existing backup; copied into a fresh directory it is a
    /// workspace where login, `job list`, `runs list`, releases and runs that need the secrets work.
    @Test func backupAndRestoreRoundTrip() throws {
        let cli = try CLIWorkspace()
        try ReleaseCLITests.seedProductionJob(cli)
        let run = try cli.weft(["run", "customers_daily_development", "--follow"], timeout: 120)
        try #require(run.status == 0, "\(run)")
        let release = try cli.weft(["release", "customer_analytics", "--version", "1.0.0", "--yes"], timeout: 180)
        try #require(release.status == 0, "\(release)")
        let jobsBefore = try cli.weft(["job", "list", "-o", "json"])
        let runsBefore = try cli.weft(["runs", "list", "-o", "json"])
        let runIDs = try #require(try JSONSerialization.jsonObject(with: Data(runsBefore.stdout.utf8)) as? [[String: Any]]).compactMap { $0["id"] as? String }
        try #require(!runIDs.isEmpty)

        let backup = cli.base + "/backups/one"
        // Only admins.
        let denied = try cli.weft(["backup", backup])
        #expect(denied.status == 3 && denied.stderr.contains("back up"), "\(denied)")
        #expect(!FileManager.default.fileExists(atPath: backup))
        try cli.session(as: "admin")
        let made = try cli.weft(["backup", backup])
        try #require(made.status == 0, "\(made)")
        #expect(try mode(backup) == 0o700 && mode(backup + "/keys") == 0o700)
        #expect(try mode(backup + "/weft.sqlite") == 0o600 && mode(backup + "/keys/secrets.key") == 0o600)
        #expect(!FileManager.default.fileExists(atPath: backup + "/session"))
        // Never over an existing backup.
        let snapshot = files(backup)
        let again = try cli.weft(["backup", backup])
        #expect(again.status == 4 && again.stderr.contains("not an empty directory"), "\(again)")
        #expect(files(backup) == snapshot)
        let audit = try cli.weft(["audit"])
        #expect(audit.stdout.contains("workspace.backup"), "\(audit)")

        // Restore: copy into a fresh directory and use it.
        let restored = cli.base + "/restored"
        let cp = try runProcess("/bin/cp", ["-a", backup, restored], environment: cli.environment())
        try #require(cp.status == 0, "\(cp)")
        func weft(_ args: [String], stdin: String? = nil) throws -> ProcResult {
            try runProcess(cli.weft, args + ["--workspace", restored], environment: cli.environment(), stdin: stdin, timeout: 120)
        }
        let notYet = try weft(["job", "list"])
        #expect(notYet.status != 0 && notYet.stderr.contains("not logged in"), "sessions are not in a backup: \(notYet)")
        let login = try weft(["login", "--user", "bob", "--password-stdin"], stdin: "bob-demo-pw\n")
        #expect(login.status == 0, "\(login)")
        let jobs = try weft(["job", "list", "-o", "json"])
        #expect(jobs.status == 0 && jobs.stdout == jobsBefore.stdout, "\(jobs)")
        let runs = try weft(["runs", "list", "-o", "json"])
        #expect(runs.status == 0 && runIDs.allSatisfy(runs.stdout.contains), "\(runs)")
        let releases = try weft(["releases", "customer_analytics"])
        #expect(releases.status == 0 && releases.stdout.contains("1.0.0"), "\(releases)")
        #expect(try cli.head(restored + "/projects/customer_analytics") == cli.head())
        let tags = try cli.git(["tag", "--list"], in: restored + "/projects/customer_analytics")
        #expect(tags.stdout.contains("customer_analytics/1.0.0"), "\(tags)")
        let status = try cli.git(["status", "--porcelain", "--untracked-files=all"], in: restored + "/projects/customer_analytics")
        #expect(status.stdout.isEmpty, "\(status)")
        // Fabric data roots are not in a backup (docs/backup.md): put them back as their storage's own backup would.
        for f in ["development", "production"] {
            let data = "/fabrics/\(f)/data"
            try? FileManager.default.removeItem(atPath: restored + data)
            try FileManager.default.copyItem(atPath: cli.root + data, toPath: restored + data)
        }
        // Runs decrypt their secrets with the restored key: the deployed release on production, HEAD on development.
        let prod = try weft(["run", "customers_daily_production", "--follow", "--yes"])
        #expect(prod.status == 0 && prod.stdout.contains("release 1.0.0"), "\(prod)")
        let dev = try weft(["run", "customers_daily_development", "--follow"])
        #expect(dev.status == 0, "\(dev)")
        // A change in the restored workspace is a commit as usual.
        let edit = try weft(["job", "disable", "customers_daily_development"])
        #expect(edit.status == 0, "\(edit)")
    }
}
