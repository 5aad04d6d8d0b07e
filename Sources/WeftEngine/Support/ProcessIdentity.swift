import CPosix
import Foundation
import WeftStore

/// Identifies processes across pid reuse: pid + boot id + start time (from /proc).
public enum ProcessIdentity {
    /// This process as a run owner.
    public static let current: RunOwner = {
        let pid = getpid()
        return RunOwner(pid: pid, start: startIdentity(pid: pid) ?? "unknown")
    }()

    /// `<boot id>:<start ticks>` of a live process, nil when it does not exist.
    public static func startIdentity(pid: Int32) -> String? {
        guard let ticks = statField(pid: pid, index: 22) else { return nil }
        return "\(bootID):\(ticks)"
    }

    /// Whether the owner process still runs (same pid and same start identity).
    public static func isAlive(_ owner: RunOwner) -> Bool {
        guard owner.pid > 0 else { return false }
        guard let now = startIdentity(pid: owner.pid) else {
            #if os(Linux)
                return false
            #else
                return weft_kill(owner.pid, 0) == 0
            #endif
        }
        return now == owner.start
    }

    /// The process group of a live process.
    static func processGroup(pid: Int32) -> Int32? {
        statField(pid: pid, index: 5).flatMap { Int32($0) }
    }

    /// Whether a process's environment contains `entry` (e.g. `WEFT_RUN_ID=…`).
    static func environment(of pid: Int32, contains entry: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return data.split(separator: 0).contains { $0.elementsEqual(entry.utf8) }
    }

    /// Pids of live (not zombie) processes in a process group (scans /proc).
    static func members(ofGroup pgid: Int32) -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { Int32($0) }.filter { processGroup(pid: $0) == pgid && statField(pid: $0, index: 3) != "Z" }
    }

    private static let bootID: String = {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "noboot"
    }()

    /// Field `index` (1-based, as in proc(5)) of /proc/PID/stat.
    private static func statField(pid: Int32, index: Int) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3.
        let rest = text[text.index(after: close)...].split(separator: " ")
        let i = index - 3
        guard i >= 0, i < rest.count else { return nil }
        return String(rest[i])
    }
}

/// Memory figures of this process (Linux /proc/self/status).
public enum ProcessMemory {
    /// Current and peak resident set size in bytes (VmRSS, VmHWM); zeros when unknown.
    public static func residentBytes() -> (current: Int, peak: Int) {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func value(_ key: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            let digits = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return digits * 1024
        }
        return (value("VmRSS:"), value("VmHWM:"))
    }
}
