/// When a downstream task runs relative to its upstream tasks' results.
public enum RunIf: String, Sendable, Codable, CaseIterable, Hashable {
    case allSuccess = "all_success"
    case allDone = "all_done"
}

/// A job's schedule: a cron expression read in an IANA timezone.
public struct JobSchedule: Sendable, Hashable, Codable {
    public var cron: String
    public var timezone: String
    /// Run once at scheduler start when a fire time was missed while it was down.
    public var catchup: Bool

    public init(cron: String, timezone: String = "UTC", catchup: Bool = false) {
        self.cron = cron
        self.timezone = timezone
        self.catchup = catchup
    }
}

/// Where a duplicated job came from.
public struct BasedOn: Sendable, Hashable, Codable {
    /// The source job's name.
    public var job: String
    /// The project commit the source job was read at.
    public var commit: String

    public init(job: String, commit: String) {
        self.job = job
        self.commit = commit
    }
}

/// Who hears about a job's runs.
public struct Notifications: Sendable, Hashable, Codable {
    public var onFailure: [String]
    public var onSuccess: [String]

    public init(onFailure: [String] = [], onSuccess: [String] = []) {
        self.onFailure = onFailure
        self.onSuccess = onSuccess
    }

    public var isEmpty: Bool { onFailure.isEmpty && onSuccess.isEmpty }
}

/// What a task executes.
public enum TaskAction: Sendable, Hashable, Codable {
    /// Run a pipeline of the project with a configuration instance and per-task overrides.
    case pipeline(name: String, config: String?, overrides: [String: ConfigValue])
    /// Run a shell command line with `/bin/sh -c` from the project's root.
    case script(String)
}

/// One task of a job.
public struct JobTask: Sendable, Hashable, Codable {
    public var key: String
    public var action: TaskAction
    public var dependsOn: [String]
    public var runIf: RunIf
    public var retries: Int
    /// Timeout in seconds (nil: none).
    public var timeout: Double?

    public init(
        key: String, action: TaskAction, dependsOn: [String] = [], runIf: RunIf = .allSuccess, retries: Int = 0,
        timeout: Double? = nil
    ) {
        self.key = key
        self.action = action
        self.dependsOn = dependsOn
        self.runIf = runIf
        self.retries = retries
        self.timeout = timeout
    }

    /// The pipeline this task runs, if any.
    public var pipelineName: String? {
        if case .pipeline(let name, _, _) = action { return name }
        return nil
    }

    /// The configuration instance this task uses, if it runs a pipeline.
    public var configInstance: String? {
        if case .pipeline(_, let config, _) = action { return config }
        return nil
    }

    /// The per-task overrides, if it runs a pipeline.
    public var overrides: [String: ConfigValue] {
        if case .pipeline(_, _, let overrides) = action { return overrides }
        return [:]
    }
}

/// An orchestration of tasks on one fabric.
public struct Job: Sendable, Hashable, Codable {
    public var name: String
    public var fabric: String
    public var schedule: JobSchedule?
    public var enabled: Bool
    public var maxConcurrentRuns: Int
    public var basedOn: BasedOn?
    public var notifications: Notifications
    public var tasks: [JobTask]
    public var description: String

    public init(
        name: String, fabric: String, schedule: JobSchedule? = nil, enabled: Bool = false, maxConcurrentRuns: Int = 1,
        basedOn: BasedOn? = nil, notifications: Notifications = Notifications(), tasks: [JobTask] = [],
        description: String = ""
    ) {
        self.name = name
        self.fabric = fabric
        self.schedule = schedule
        self.enabled = enabled
        self.maxConcurrentRuns = maxConcurrentRuns
        self.basedOn = basedOn
        self.notifications = notifications
        self.tasks = tasks
        self.description = description
    }

    /// The task with this key.
    public func task(_ key: String) -> JobTask? { tasks.first { $0.key == key } }
}

/// A job together with where it lives.
public struct JobRecord: Sendable, Hashable, Codable {
    public var project: String
    public var job: Job
    /// Path of the job file inside the project, e.g. `jobs/customers_daily_development.yaml`.
    public var path: String
    /// The git blob id of the file as read (the version used for optimistic concurrency).
    public var blob: String

    public init(project: String, job: Job, path: String, blob: String) {
        self.project = project
        self.job = job
        self.path = path
        self.blob = blob
    }

    /// `PROJECT/JOB`.
    public var qualifiedName: String { "\(project)/\(job.name)" }
}
