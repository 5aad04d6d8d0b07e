import Foundation
import WeftDomain

/// One task resolved to a process to start: everything the engine needs, nothing it must look up.
public struct ResolvedTask: Sendable, Hashable {
    public var key: String
    /// argv of the process (e.g. ["/usr/bin/python3", "main.py"] or ["/bin/sh", "-c", "…"]).
    public var command: [String]
    /// Working directory (the pipeline's folder, or the project root for scripts).
    public var workingDirectory: String
    /// The resolved configuration as JSON (secrets included); written to a 0600 file for the task only.
    public var configJSON: Data?
    public var dependsOn: [String]
    public var runIf: RunIf
    public var retries: Int
    /// Seconds; nil for none.
    public var timeout: Double?
    /// Extra environment for the task (on top of the WEFT_* contract variables).
    public var environment: [String: String]

    public init(
        key: String, command: [String], workingDirectory: String, configJSON: Data? = nil, dependsOn: [String] = [],
        runIf: RunIf = .allSuccess, retries: Int = 0, timeout: Double? = nil, environment: [String: String] = [:]
    ) {
        self.key = key
        self.command = command
        self.workingDirectory = workingDirectory
        self.configJSON = configJSON
        self.dependsOn = dependsOn
        self.runIf = runIf
        self.retries = retries
        self.timeout = timeout
        self.environment = environment
    }
}

/// A request to run a job on a local fabric, fully resolved by the local driver (argv, paths, configuration).
public struct RunRequest: Sendable, Hashable {
    public var runID: String
    public var project: String
    public var job: String
    public var fabric: Fabric
    /// The project commit (or release tag's commit) that is being run.
    public var commit: String
    public var trigger: RunTrigger
    /// Who started it (user name, or "scheduler").
    public var user: String
    public var maxConcurrentRuns: Int
    public var tasks: [ResolvedTask]
    /// Secret values to mask in logs (never logged themselves).
    public var secretValues: [String]
    /// The fabric's data root (WEFT_DATA).
    public var dataRoot: String
    /// Where task logs go: `<logDirectory>/<task>.log`.
    public var logDirectory: String
    /// Where the fabric's slot lock files are (`<dir>/<i>.lock`, i in 0..<slots), so that every process running
    /// tasks on the fabric shares its `slots`; nil: the limit holds only within one engine.
    public var slotLockDirectory: String?
    /// The release version being run, nil when the commit is not a release.
    public var release: String?
    /// The sandbox the run's tasks share; nil: none (`sandbox: off`, or a development fabric on a machine
    /// without bubblewrap — then `sandboxWarning` says so in every task's log).
    public var sandbox: TaskSandbox?
    /// Lines written at the top of each task's log, after `weft: ` (e.g. why the run is not sandboxed although its
    /// fabric asks, or that its checkout did not match the commit and was exported again).
    public var notices: [String]

    public init(
        runID: String, project: String, job: String, fabric: Fabric, commit: String, trigger: RunTrigger, user: String,
        maxConcurrentRuns: Int, tasks: [ResolvedTask], secretValues: [String], dataRoot: String, logDirectory: String,
        slotLockDirectory: String? = nil, release: String? = nil, sandbox: TaskSandbox? = nil, notices: [String] = []
    ) {
        self.runID = runID
        self.project = project
        self.job = job
        self.fabric = fabric
        self.commit = commit
        self.trigger = trigger
        self.user = user
        self.maxConcurrentRuns = maxConcurrentRuns
        self.tasks = tasks
        self.secretValues = secretValues
        self.dataRoot = dataRoot
        self.logDirectory = logDirectory
        self.slotLockDirectory = slotLockDirectory
        self.release = release
        self.sandbox = sandbox
        self.notices = notices
    }
}
