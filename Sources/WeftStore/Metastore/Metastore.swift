import Foundation
import GRDB
import WeftDomain

/// The SQLite metastore (`weft.sqlite`, WAL mode, versioned migrations).
public final class Metastore: Sendable {
    /// How a process connects to the metastore.
    public enum Connections: Sendable {
        /// A writer and a pool of readers that read while it writes (the TUI: lists refresh while runs write).
        case pool
        /// One connection for everything (a CLI command: opens in about half the time, one file handle set, and
        /// no WAL set-up write on every open; the file stays in WAL mode for the other processes).
        case single
    }

    /// The connection(s); every multi-step change goes through one `write` transaction.
    public let pool: any DatabaseWriter
    public let path: String

    /// SQLite's `application_id` of a Weft metastore: "WEFT".
    public static let applicationID: Int32 = 0x5745_4654

    /// Opens and migrates the metastore at `path`, creating it only when no file is there. An existing file that is
    /// not a Weft metastore — empty, truncated, not SQLite, another application's database — is refused with what to
    /// do and never written (`MetastoreFile.check`).
    public init(path: String, connections: Connections = .pool) throws {
        self.path = path
        // Checked (unless this process has it open already) and counted as open in one step: see `OpenMetastores`.
        var key = try OpenMetastores.retain(path)
        var opened = false
        defer { if !opened { OpenMetastores.release(key) } }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A 1 MB page cache per connection instead of 2 MB: the OS caches the file anyway.
            try db.execute(sql: "PRAGMA cache_size = -1024")
        }
        do {
            switch connections {
            case .pool:
                pool = try DatabasePool(path: path, configuration: config)
            case .single:
                let queue = try DatabaseQueue(path: path, configuration: config)
                // WAL is a property of the file: a no-op once set, and what the pool's processes need.
                try queue.writeWithoutTransaction { db in
                    if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                        try db.execute(sql: "PRAGMA journal_mode = WAL")
                    }
                    // A command usually ends with exit(), so its connection is not closed and the WAL is neither
                    // checkpointed nor removed; the next process to open the file first re-reads every frame of it
                    // (~10 µs a frame). Checkpointing every 64 pages keeps that under a millisecond.
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = 64")
                    try db.execute(sql: "PRAGMA journal_size_limit = 1048576")
                }
                pool = queue
            }
            try Self.migrator.migrate(pool)
        } catch {
            throw WeftError.workspace("cannot open the metastore \(path): \(error)")
        }
        // A file created just now is counted from here.
        if key == nil { key = OpenMetastores.retainCreated(path) }
        fileKey = key
        opened = true
    }

    /// The metastore file (device, inode) this instance counts as open in `OpenMetastores`.
    private let fileKey: OpenMetastores.Key?

    deinit { OpenMetastores.release(fileKey) }

    /// All schema migrations, in order. Never edit a shipped migration; add a new one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        name TEXT PRIMARY KEY,
                        is_admin INTEGER NOT NULL DEFAULT 0,
                        password_hash TEXT NOT NULL,
                        failed_logins INTEGER NOT NULL DEFAULT 0,
                        locked_until REAL,
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE teams (name TEXT PRIMARY KEY, created_at REAL NOT NULL);
                    CREATE TABLE team_includes (
                        team TEXT NOT NULL REFERENCES teams(name) ON DELETE CASCADE,
                        included TEXT NOT NULL REFERENCES teams(name) ON DELETE CASCADE,
                        PRIMARY KEY (team, included)
                    );
                    CREATE TABLE memberships (
                        team TEXT NOT NULL REFERENCES teams(name) ON DELETE CASCADE,
                        user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                        PRIMARY KEY (team, user)
                    );
                    CREATE TABLE fabrics (
                        name TEXT PRIMARY KEY,
                        owner_team TEXT NOT NULL REFERENCES teams(name),
                        stage TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        slots INTEGER NOT NULL,
                        settings TEXT NOT NULL DEFAULT '{}',
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE fabric_secrets (
                        fabric TEXT NOT NULL REFERENCES fabrics(name) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        sealed BLOB NOT NULL,
                        updated_at REAL NOT NULL,
                        updated_by TEXT NOT NULL,
                        PRIMARY KEY (fabric, name)
                    );
                    CREATE TABLE projects (
                        name TEXT PRIMARY KEY,
                        owner_team TEXT NOT NULL REFERENCES teams(name),
                        description TEXT NOT NULL DEFAULT '',
                        created_at REAL NOT NULL
                    );
                    CREATE TABLE job_index (
                        project TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE,
                        path TEXT NOT NULL,
                        blob TEXT NOT NULL,
                        name TEXT NOT NULL,
                        fabric TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (project, path)
                    );
                    CREATE INDEX job_index_name ON job_index(name);
                    CREATE TABLE project_index_state (
                        project TEXT PRIMARY KEY REFERENCES projects(name) ON DELETE CASCADE,
                        tree TEXT NOT NULL
                    );
                    CREATE TABLE runs (
                        id TEXT PRIMARY KEY,
                        project TEXT NOT NULL,
                        job TEXT NOT NULL,
                        fabric TEXT NOT NULL,
                        state TEXT NOT NULL,
                        trigger TEXT NOT NULL,
                        user TEXT NOT NULL,
                        commit_id TEXT NOT NULL,
                        queued_at REAL NOT NULL,
                        started_at REAL,
                        finished_at REAL,
                        message TEXT,
                        owner_pid INTEGER,
                        owner_start TEXT
                    );
                    CREATE INDEX runs_job ON runs(project, job, queued_at);
                    CREATE INDEX runs_fabric ON runs(fabric, queued_at);
                    CREATE INDEX runs_state ON runs(state);
                    CREATE TABLE task_runs (
                        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempt INTEGER NOT NULL DEFAULT 0,
                        exit_code INTEGER,
                        progress REAL,
                        progress_message TEXT,
                        started_at REAL,
                        finished_at REAL,
                        message TEXT,
                        pid INTEGER,
                        PRIMARY KEY (run_id, key)
                    );
                    CREATE TABLE releases (
                        id TEXT PRIMARY KEY,
                        project TEXT NOT NULL REFERENCES projects(name),
                        version TEXT NOT NULL,
                        commit_id TEXT NOT NULL,
                        tag TEXT NOT NULL,
                        state TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        UNIQUE (project, version)
                    );
                    CREATE TABLE deployments (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        release_id TEXT NOT NULL REFERENCES releases(id),
                        fabric TEXT NOT NULL,
                        job TEXT NOT NULL,
                        change TEXT NOT NULL,
                        state TEXT NOT NULL,
                        deployed_by TEXT NOT NULL,
                        deployed_at REAL NOT NULL
                    );
                    CREATE TABLE sessions (
                        token_hash TEXT PRIMARY KEY,
                        user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL
                    );
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at REAL NOT NULL,
                        user TEXT NOT NULL,
                        action TEXT NOT NULL,
                        object TEXT NOT NULL,
                        fabric TEXT,
                        project TEXT,
                        result TEXT NOT NULL,
                        detail TEXT NOT NULL DEFAULT ''
                    );
                    CREATE INDEX audit_at ON audit(at);
                    CREATE TABLE pending_ops (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        project TEXT NOT NULL,
                        paths TEXT NOT NULL,
                        started_at REAL NOT NULL
                    );
                    CREATE TABLE scheduler_state (
                        project TEXT NOT NULL,
                        job TEXT NOT NULL,
                        last_fire REAL NOT NULL,
                        PRIMARY KEY (project, job)
                    );
                    """)
        }
        m.registerMigration("v2-journal-audit") { db in
            // The write journal carries the HEAD it started from and the audit event to record once the commit lands,
            // so a crash between the commit and the audit row loses neither.
            try db.execute(sql: "ALTER TABLE pending_ops ADD COLUMN head TEXT")
            try db.execute(sql: "ALTER TABLE pending_ops ADD COLUMN audit BLOB")
        }
        m.registerMigration("v3-job-index-binary") { db in
            // Job index bodies moved from JSON to JobCodec: index again.
            try db.execute(sql: "DELETE FROM job_index")
            try db.execute(sql: "DELETE FROM project_index_state")
        }
        m.registerMigration("v4-listing-speed") { db in
            // The job index clustered by (project, path): a listing reads it in order, without a sort or row lookups.
            try db.execute(
                sql: """
                    DROP TABLE job_index;
                    CREATE TABLE job_index (
                        project TEXT NOT NULL REFERENCES projects(name) ON DELETE CASCADE,
                        path TEXT NOT NULL,
                        blob TEXT NOT NULL,
                        name TEXT NOT NULL,
                        fabric TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (project, path)
                    ) WITHOUT ROWID;
                    CREATE INDEX job_index_name ON job_index(name);
                    DELETE FROM project_index_state;
                    """)
            // The last run of every job, kept by triggers, so the main screen does not group 100,000 runs.
            try db.execute(
                sql: """
                    CREATE TABLE job_last_run (
                        project TEXT NOT NULL,
                        job TEXT NOT NULL,
                        fabric TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        state TEXT NOT NULL,
                        queued_at REAL NOT NULL,
                        PRIMARY KEY (project, job)
                    ) WITHOUT ROWID;
                    INSERT INTO job_last_run(project, job, fabric, run_id, state, queued_at)
                        SELECT project, job, fabric, id, state, MAX(queued_at) FROM runs GROUP BY project, job;
                    CREATE TRIGGER runs_last_insert AFTER INSERT ON runs BEGIN
                        INSERT INTO job_last_run(project, job, fabric, run_id, state, queued_at)
                            VALUES (NEW.project, NEW.job, NEW.fabric, NEW.id, NEW.state, NEW.queued_at)
                        ON CONFLICT(project, job) DO UPDATE SET
                            fabric = excluded.fabric, run_id = excluded.run_id, state = excluded.state, queued_at = excluded.queued_at
                        WHERE excluded.queued_at >= job_last_run.queued_at;
                    END;
                    CREATE TRIGGER runs_last_update AFTER UPDATE OF state ON runs BEGIN
                        UPDATE job_last_run SET state = NEW.state WHERE project = NEW.project AND job = NEW.job AND run_id = NEW.id;
                    END;
                    CREATE TRIGGER runs_last_delete AFTER DELETE ON runs BEGIN
                        DELETE FROM job_last_run WHERE project = OLD.project AND job = OLD.job AND run_id = OLD.id;
                    END;
                    """)
        }
        m.registerMigration("v5-run-drivers") { db in
            // Runs record the driver that runs them and, for runs that live on the fabric, their id there; and the
            // release that ran (nil: a commit that was not released).
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN driver TEXT NOT NULL DEFAULT 'local';
                    ALTER TABLE runs ADD COLUMN external_id TEXT;
                    ALTER TABLE runs ADD COLUMN release_version TEXT;
                    """)
        }
        m.registerMigration("v6-index-head") { db in
            // The HEAD commit the job index was built at: when HEAD (read from git's files) still is that commit,
            // the index is current without asking git.
            try db.execute(sql: "ALTER TABLE project_index_state ADD COLUMN head TEXT")
        }
        m.registerMigration("v7-releases") { db in
            // Releases, deployments and what each fabric holds. The v1 tables of these names were never written.
            try db.execute(
                sql: """
                    DROP TABLE IF EXISTS deployments;
                    DROP TABLE IF EXISTS releases;
                    CREATE TABLE releases (
                        project TEXT NOT NULL,
                        version TEXT NOT NULL,
                        commit_id TEXT NOT NULL,
                        tag TEXT NOT NULL,
                        artifacts TEXT NOT NULL,
                        tests TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        PRIMARY KEY (project, version)
                    );
                    CREATE TABLE deployments (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        project TEXT NOT NULL,
                        version TEXT NOT NULL,
                        commit_id TEXT NOT NULL,
                        fabric TEXT NOT NULL,
                        deployed_by TEXT NOT NULL,
                        started_at REAL NOT NULL,
                        finished_at REAL,
                        state TEXT NOT NULL,
                        plan TEXT NOT NULL,
                        applied TEXT NOT NULL DEFAULT '[]',
                        log TEXT NOT NULL DEFAULT '[]',
                        owner_pid INTEGER,
                        owner_start TEXT
                    );
                    CREATE INDEX deployments_fabric ON deployments(fabric, id);
                    CREATE TABLE deployed_jobs (
                        fabric TEXT NOT NULL,
                        project TEXT NOT NULL,
                        job TEXT NOT NULL,
                        version TEXT NOT NULL,
                        commit_id TEXT NOT NULL,
                        definition TEXT NOT NULL,
                        deployment_id INTEGER NOT NULL,
                        deployed_by TEXT NOT NULL,
                        deployed_at REAL NOT NULL,
                        PRIMARY KEY (fabric, project, job)
                    );
                    """)
        }
        m.registerMigration("v8-workspace-identity") { db in
            // The file says it is Weft's (so an empty, foreign or overwritten file is never taken for a metastore),
            // and facts about the workspace itself — `demo` when `weft demo` created it (only those may be reset).
            try db.execute(sql: "PRAGMA application_id = \(Metastore.applicationID)")
            try db.execute(sql: "CREATE TABLE workspace_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        }
        return m
    }
}

/// The metastore files this process has open, by device and inode. SQLite's locks are POSIX record locks, which
/// belong to the process: closing *any* descriptor of the file — such as the one `MetastoreFile.check` reads the
/// header with — drops every lock this process's connections hold on it (SQLite itself keeps its own descriptors
/// open for that reason). So the header is read only while no connection of this process has the file open, under
/// one lock with the counting; a file already open here was checked when it was first opened.
enum OpenMetastores {
    struct Key: Hashable, Sendable {
        let dev: UInt64, ino: UInt64
    }

    nonisolated(unsafe) private static var open: [Key: Int] = [:]
    private static let lock = NSLock()

    static func key(_ path: String) -> Key? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Key(dev: UInt64(st.st_dev), ino: UInt64(st.st_ino))
    }

    /// Checks the file at `path` when nothing here has it open, then counts it; nil when there is no file yet.
    static func retain(_ path: String) throws(WeftError) -> Key? {
        lock.lock()
        defer { lock.unlock() }
        guard let k = key(path) else { return nil }
        if open[k, default: 0] == 0 { try MetastoreFile.checkUnlocked(path) }
        open[k, default: 0] += 1
        return k
    }

    /// Counts a file SQLite has just created.
    static func retainCreated(_ path: String) -> Key? {
        lock.lock()
        defer { lock.unlock() }
        guard let k = key(path) else { return nil }
        open[k, default: 0] += 1
        return k
    }

    static func release(_ k: Key?) {
        guard let k else { return }
        lock.lock()
        defer { lock.unlock() }
        let n = open[k, default: 0] - 1
        open[k] = n > 0 ? n : nil
    }

    /// Checks `path` unless this process has it open (then it was checked when opened).
    static func check(_ path: String) throws(WeftError) {
        lock.lock()
        defer { lock.unlock() }
        if let k = key(path), open[k, default: 0] > 0 { return }
        try MetastoreFile.checkUnlocked(path)
    }
}

/// What an existing metastore file is, checked before SQLite opens it for writing.
public enum MetastoreFile {
    /// Throws `.workspace` with what to do when the file at `path` is not a Weft metastore (see `checkUnlocked`).
    /// A file this process already has open is not read again.
    public static func check(_ path: String) throws(WeftError) { try OpenMetastores.check(path) }

    /// Throws `.workspace` with what to do when the file at `path` is not a Weft metastore: empty, shorter than its
    /// header says (truncated), not a SQLite database, another application's database (`application_id`), or a
    /// SQLite database without Weft's schema. Reads only; the file is left as it is. Only while no connection of
    /// this process has the file open (`OpenMetastores`).
    static func checkUnlocked(_ path: String) throws(WeftError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw refusal(path, "cannot be read (\(String(cString: strerror(errno))))", restore: false) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw refusal(path, "cannot be read (\(String(cString: strerror(errno))))", restore: false) }
        let size = Int64(st.st_size)
        if size == 0 { throw refusal(path, "is empty (0 bytes): it was truncated or never written") }
        var header = [UInt8](repeating: 0, count: 100)
        let n = pread(fd, &header, 100, 0)
        let magic = Array("SQLite format 3".utf8) + [0]
        guard n == 100, Array(header[0..<16]) == magic else {
            throw refusal(path, "is not a SQLite database (\(size) bytes of something else: overwritten or damaged)")
        }
        func be32(_ at: Int) -> UInt32 { header[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let rawPageSize = Int64(header[16]) << 8 | Int64(header[17])
        let pageSize = rawPageSize == 1 ? 65536 : rawPageSize
        // The page count in the header is valid when "version-valid-for" equals the change counter. With frames in
        // the WAL the file may legitimately be shorter (a checkpoint cut short): SQLite completes it from the WAL.
        let walSize = ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.int64Value ?? 0
        if walSize == 0, be32(92) == be32(24), be32(28) > 0, Int64(be32(28)) * pageSize > size {
            throw refusal(path, "is truncated (\(size) bytes of the \(Int64(be32(28)) * pageSize) its header records)")
        }
        let appID = Int32(bitPattern: be32(68))
        if appID == Metastore.applicationID { return }
        if appID != 0 {
            throw refusal(
                path, "is another application's SQLite database (application_id \(String(format: "0x%08x", UInt32(bitPattern: appID))), not Weft's)")
        }
        // application_id 0: a metastore made before Weft recorded it, or any other SQLite database. Look, read-only.
        var config = Configuration()
        config.readonly = true
        let isWeft: Bool
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            isWeft = try queue.read { db in
                let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                guard ["grdb_migrations", "users", "projects", "runs", "audit", "pending_ops"].allSatisfy(tables.contains) else { return false }
                return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v1')") ?? false
            }
        } catch {
            throw refusal(path, "is a damaged SQLite database (\(error))")
        }
        if !isWeft { throw refusal(path, "is a SQLite database without Weft's schema (another application's, or not a workspace)") }
    }

    static func refusal(_ path: String, _ what: String, restore: Bool = true) -> WeftError {
        let root = (path as NSString).deletingLastPathComponent
        return .workspace(
            "the metastore \(path) \(what); Weft does not open or overwrite it. "
                + (restore
                    ? "Restore the workspace from a backup (docs/backup.md: cp -a BACKUP_DIR \(root).restored, then use --workspace \(root).restored), "
                        + "or put the right weft.sqlite back; 'weft init' creates a new workspace only in a directory without one."
                    : "Check the file's owner and permissions."))
    }
}
