import Foundation

/// How a run's tasks are isolated: the mount view of the bubblewrap sandbox all of a run's tasks share (one
/// sandbox per run, its launcher starting each task), or none (`sandbox: off`: the launcher runs outside, and still
/// stops whatever a task leaves behind).
public struct TaskSandbox: Sendable, Hashable {
    /// The `bwrap` executable.
    public var bwrap: String
    /// Whether tasks may reach the network (off: a network namespace of their own, loopback only).
    public var network: Bool
    /// Paths visible read-only at the same place (the run's checkout).
    public var readOnly: [String]
    /// Paths visible read-write at the same place (the fabric's data root).
    public var readWrite: [String]

    public init(bwrap: String, network: Bool, readOnly: [String], readWrite: [String]) {
        self.bwrap = bwrap
        self.network = network
        self.readOnly = readOnly
        self.readWrite = readWrite
    }

    /// Where the launcher binary appears inside the sandbox.
    static let launcherInside = "/run/weft/launcher"

    /// bwrap's arguments for a run: the system read-only, a private /dev, /proc and /tmp, the given paths (and
    /// `extraReadOnly`, e.g. the run's log folder), no capabilities, its own pid namespace
    /// (nothing outlives it), gone with its parent, a session of its own; then the launcher on descriptor 3.
    func arguments(launcher: String, extraReadOnly: [String]) -> [String] {
        var a = [bwrap, "--die-with-parent", "--unshare-pid", "--new-session", "--cap-drop", "ALL"]
        if !network { a.append("--unshare-net") }
        for top in Self.systemPaths {
            guard let kind = Self.entry(top) else { continue }
            switch kind {
            case .link(let target): a += ["--symlink", target, top]
            case .directory: a += ["--ro-bind", top, top]
            }
        }
        a += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run", "--dir", "/run/weft"]
        a += ["--ro-bind", launcher, Self.launcherInside]
        for dir in Self.runtimeLibraryDirectories { a += ["--ro-bind", dir, dir] }
        for p in readWrite { a += ["--bind", p, p] }
        for p in readOnly + extraReadOnly { a += ["--ro-bind", p, p] }
        a += ["--setenv", "TMPDIR", "/tmp", "--", Self.launcherInside, LaunchChannel.subcommand, "3"]
        return a
    }

    /// Folders outside the system paths holding the Swift runtime this process (and so a `weft` built by the same
    /// toolchain, e.g. a debug build linked dynamically) loads, so that the launcher starts inside the sandbox.
    static let runtimeLibraryDirectories: [String] = {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return [] }
        var dirs = Set<String>()
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            let name = (path as NSString).lastPathComponent
            guard name.hasPrefix("libswift") || name.hasPrefix("libFoundation") || name.hasPrefix("lib_Foundation")
                || name.hasPrefix("libdispatch") || name.hasPrefix("libBlocksRuntime")
            else { continue }
            let dir = (path as NSString).deletingLastPathComponent
            if !systemPaths.contains(where: { dir == $0 || dir.hasPrefix($0 + "/") }) { dirs.insert(dir) }
        }
        return dirs.sorted()
    }()

    /// The system folders a task sees, read-only (the ones that exist here; merged-/usr links stay links).
    static let systemPaths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"]

    enum Entry { case link(String), directory }

    static func entry(_ path: String) -> Entry? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
            return .link(target)
        }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .directory : nil
    }
}

/// Whether this machine can run bubblewrap sandboxes, found out once per process and cheaply (no sandbox is
/// started): the `bwrap` binary (`WEFT_BWRAP` names another one, e.g. `/nonexistent` to test the refusal) and
/// user namespaces (not needed by root).
public enum SandboxSupport {
    public enum Status: Sendable, Equatable {
        case available(bwrap: String)
        case unavailable(reason: String)
    }

    public static var status: Status { probed }

    private static let probed: Status = probe(environment: ProcessInfo.processInfo.environment)

    static func probe(environment: [String: String]) -> Status {
        let bwrap: String
        if let given = environment["WEFT_BWRAP"], !given.isEmpty {
            bwrap = given
        } else if let found = LocalDriver.which("bwrap") {
            bwrap = found
        } else {
            return .unavailable(reason: "bubblewrap (bwrap) is not installed")
        }
        guard FileManager.default.isExecutableFile(atPath: bwrap) else {
            return .unavailable(reason: "bubblewrap (\(bwrap)) is not an executable file")
        }
        if getuid() != 0 {
            let max = (try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8))
                .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let max, max <= 0 {
                return .unavailable(reason: "user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0)")
            }
            if let clone = try? String(contentsOfFile: "/proc/sys/kernel/unprivileged_userns_clone", encoding: .utf8),
                clone.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
            {
                return .unavailable(reason: "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)")
            }
        }
        return .available(bwrap: bwrap)
    }

    /// The launcher executable: `weft-launcher` next to this program (installed beside `weft`; a small C program
    /// that starts in a fraction of weft's time), else this process when it is `weft`, else the `weft` next to it
    /// (both run the same loop as `weft __task-launcher`); `WEFT_LAUNCHER` names another. nil when there is none.
    public static let launcherPath: String? = {
        let env = ProcessInfo.processInfo.environment
        if let given = env["WEFT_LAUNCHER"], !given.isEmpty { return FileManager.default.isExecutableFile(atPath: given) ? given : nil }
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let dir = (exe as NSString).deletingLastPathComponent as NSString
        let small = dir.appendingPathComponent("weft-launcher")
        if FileManager.default.isExecutableFile(atPath: small), installedAlike(small, exe) { return small }
        if (exe as NSString).lastPathComponent == "weft" { return exe }
        let sibling = dir.appendingPathComponent("weft")
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : nil
    }()

    /// Whether `launcher` was installed like `exe`: the same owner (or root), writable by its owner only, and a
    /// regular file. A `weft-launcher` another user could place next to a shared `weft` is not used: the launcher
    /// sees every task's environment and configuration.
    static func installedAlike(_ launcher: String, _ exe: String) -> Bool {
        var l = stat()
        var e = stat()
        guard stat(launcher, &l) == 0, stat(exe, &e) == 0, (l.st_mode & S_IFMT) == S_IFREG else { return false }
        return (l.st_uid == e.st_uid || l.st_uid == 0) && (l.st_mode & 0o022) == 0
    }
}
