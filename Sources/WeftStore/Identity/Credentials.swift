import Foundation

/// Credentials given to a Weft process through its environment. They are read once, at start, and then removed
/// from the environment — their bytes overwritten where the kernel shows them (`/proc/PID/environ`) — so no child
/// (task, git, test runner, the detached run owner) inherits them and no other process of the user reads them
/// from a long-lived Weft process.
public enum Credentials {
    /// Variables that hold credentials: never passed to a child process.
    public static let names: Set<String> = ["WEFT_PASSWORD"]

    nonisolated(unsafe) private static var taken: [String: String] = [:]
    private static let lock = NSLock()

    /// Reads every credential variable and scrubs it from the environment. Idempotent; call first thing in `main`.
    public static func takeFromEnvironment() {
        lock.lock()
        defer { lock.unlock() }
        for name in names {
            guard let value = getenv(name) else { continue }
            taken[name] = String(cString: value)
            // The value lies in the process's initial environment block (what /proc/PID/environ reads): zero it there.
            memset(value, 0, strlen(value))
            unsetenv(name)
        }
    }

    /// The value of a credential variable: taken at start, else still in the environment (a library caller that
    /// never called `takeFromEnvironment`).
    public static func value(_ name: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return taken[name] ?? ProcessInfo.processInfo.environment[name]
    }

    /// Makes `value` the credential for the rest of this process (the detached owner receives its password on a
    /// pipe, never in its environment).
    public static func set(_ name: String, _ value: String) {
        lock.lock()
        defer { lock.unlock() }
        taken[name] = value
    }

    /// `environment` without any credential variable: what a child process may be given.
    public static func childEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        environment.filter { !names.contains($0.key) }
    }
}
