import Foundation
import WeftDomain

/// Tuning of the local engine. Defaults suit interactive use; tests shorten the delays.
public struct LocalEngineOptions: Sendable {
    /// Seconds between SIGTERM and SIGKILL of a task's process group (cancel, timeout).
    public var killGracePeriod: TimeInterval
    /// Delay before the first retry; doubled for each further attempt.
    public var retryBackoff: TimeInterval
    /// Upper bound of the retry delay.
    public var maxRetryBackoff: TimeInterval
    /// Names of this process's environment variables that tasks inherit (plus every `LC_*`).
    /// Everything else (e.g. `WEFT_PASSWORD`) is withheld from tasks, and `Credentials.names` never pass even when
    /// listed here.
    public var inheritedEnvironment: Set<String>
    /// Where the task logs of a run owned by another process are (for `events(runID:)` on such runs);
    /// nil: no log lines for foreign runs, only state.
    public var logDirectoryOfForeignRun: (@Sendable (RunRecord) -> String?)?
    /// The executable that runs a run's task launcher (`weft-launcher`, or `weft` itself, given `__task-launcher`),
    /// inside the run's sandbox or outside it; nil: tasks are spawned directly (and sandboxed runs cannot start).
    public var launcherPath: String? = SandboxSupport.launcherPath

    /// The default environment variables tasks inherit.
    public static let defaultInheritedEnvironment: Set<String> = [
        "PATH", "HOME", "LANG", "LANGUAGE", "USER", "LOGNAME", "SHELL", "TMPDIR", "TZ", "TERM", "JAVA_HOME",
        "SPARK_HOME", "SPARK_LOCAL_IP", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONUNBUFFERED",
    ]

    /// Options; every value has a default suited to interactive use.
    public init(
        killGracePeriod: TimeInterval = 5, retryBackoff: TimeInterval = 1, maxRetryBackoff: TimeInterval = 60,
        inheritedEnvironment: Set<String> = LocalEngineOptions.defaultInheritedEnvironment,
        logDirectoryOfForeignRun: (@Sendable (RunRecord) -> String?)? = nil
    ) {
        self.killGracePeriod = killGracePeriod
        self.retryBackoff = retryBackoff
        self.maxRetryBackoff = maxRetryBackoff
        self.inheritedEnvironment = inheritedEnvironment
        self.logDirectoryOfForeignRun = logDirectoryOfForeignRun
    }

    /// Delay before attempt `attempt + 1` after attempt `attempt` (1-based) failed.
    func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(maxRetryBackoff, retryBackoff * pow(2, Double(max(0, attempt - 1))))
    }
}
