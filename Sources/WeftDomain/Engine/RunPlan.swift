import Foundation

/// The revision a run runs: a project commit, and the release it belongs to when one is run.
public struct RunRevision: Sendable, Hashable, Codable {
    /// The project commit whose pipelines and jobs are run.
    public var commit: String
    /// The release version (a `PROJECT/VERSION` tag), nil when the commit is not a deployed release.
    public var release: String?

    /// A revision.
    public init(commit: String, release: String? = nil) {
        self.commit = commit
        self.release = release
    }

    /// How runs show what ran: `release 1.0.0 at commit abc123…` or `HEAD abc123…, not released`.
    public var label: String {
        let short = String(commit.prefix(10))
        if let release { return "release \(release) at commit \(short)" }
        return "HEAD \(short), not released"
    }
}

/// Which revision of its project a manual run asks for (`weft run --revision`).
public enum RevisionSelector: Sendable, Hashable, Codable {
    /// The project's current commit (not released, even when a release tag points at it).
    case head
    /// The release deployed on the job's fabric; an error when nothing is deployed there.
    case deployed
    /// What the fabric's stage runs by default: HEAD on a development fabric; on qa and production the deployed
    /// release when there is one, else HEAD (the run is then marked as not released).
    case stageDefault
    /// A release of the project by version (its tag's commit).
    case release(String)
    /// A given commit (the detached owner of `weft run` runs the commit its caller read).
    case commit(String)

    /// Reads `--revision`: `head`, `deployed`, or a release version.
    public static func parse(_ text: String) throws(WeftError) -> RevisionSelector {
        switch text.lowercased() {
        case "head": return .head
        case "deployed": return .deployed
        default:
            if let p = ReleaseVersion.problem(text) {
                throw .invalid("--revision takes head, deployed or a release version (see 'weft releases PROJECT'): \(p.message)")
            }
            return .release(text)
        }
    }
}

/// A pipeline task's program, as the plan names it (drivers decide how to start it).
public struct PlannedPipeline: Sendable, Hashable, Codable {
    /// The pipeline's name.
    public var name: String
    /// python, pyspark or shell.
    public var kind: PipelineKind
    /// The entry file, relative to the pipeline's folder.
    public var entry: String
    /// The pipeline's folder inside the project, e.g. `pipelines/ingest`.
    public var directory: String

    /// A planned pipeline.
    public init(name: String, kind: PipelineKind, entry: String, directory: String) {
        self.name = name
        self.kind = kind
        self.entry = entry
        self.directory = directory
    }
}

/// One task of a run plan: engine-neutral, configuration resolved, secrets still as references.
public struct PlannedTask: Sendable, Hashable, Codable {
    /// The task's key in the job.
    public var key: String
    /// What the task executes (as the job file says).
    public var action: TaskAction
    /// The pipeline it runs, nil for script tasks.
    public var pipeline: PlannedPipeline?
    /// The resolved configuration (instance + overrides + defaults); `.secret` values are references.
    public var config: [String: ConfigValue]
    public var dependsOn: [String]
    public var runIf: RunIf
    public var retries: Int
    /// Seconds; nil for none.
    public var timeout: Double?

    /// A planned task.
    public init(
        key: String, action: TaskAction, pipeline: PlannedPipeline?, config: [String: ConfigValue], dependsOn: [String],
        runIf: RunIf, retries: Int, timeout: Double?
    ) {
        self.key = key
        self.action = action
        self.pipeline = pipeline
        self.config = config
        self.dependsOn = dependsOn
        self.runIf = runIf
        self.retries = retries
        self.timeout = timeout
    }

    /// Names of the fabric secrets this task's configuration references.
    public var secretReferences: Set<String> {
        var out = Set<String>()
        func walk(_ v: ConfigValue) {
            switch v {
            case .secret(let name): out.insert(name)
            case .array(let items): items.forEach(walk)
            default: break
            }
        }
        config.values.forEach(walk)
        return out
    }
}

/// A run of a job on its fabric, as a value: what every driver is given to start. Printable and testable;
/// holds no secret values (only references) and no paths of the machine that runs it.
public struct RunPlan: Sendable, Hashable, Codable {
    public var runID: String
    public var project: String
    public var job: String
    /// The fabric (with its settings and secret names, never secret values).
    public var fabric: Fabric
    /// The revision whose pipelines and job are run.
    public var revision: RunRevision
    public var trigger: RunTrigger
    /// Who started it (user name, or "scheduler").
    public var user: String
    public var maxConcurrentRuns: Int
    public var tasks: [PlannedTask]

    /// A plan.
    public init(
        runID: String, project: String, job: String, fabric: Fabric, revision: RunRevision, trigger: RunTrigger, user: String,
        maxConcurrentRuns: Int, tasks: [PlannedTask]
    ) {
        self.runID = runID
        self.project = project
        self.job = job
        self.fabric = fabric
        self.revision = revision
        self.trigger = trigger
        self.user = user
        self.maxConcurrentRuns = maxConcurrentRuns
        self.tasks = tasks
    }

    /// Every secret the plan's tasks reference.
    public var secretReferences: Set<String> { tasks.reduce(into: Set<String>()) { $0.formUnion($1.secretReferences) } }
}

extension RunPlan {
    /// What a run will do, for the confirmation before it starts on production: job, fabric, revision, each task
    /// with the configuration values it gets (secrets by name only), and the data root it writes under.
    /// `enabled: false` adds that the job is disabled (its schedule starts nothing; this run starts it anyway).
    public func confirmationLines(enabled: Bool?, dataRoot: String?) -> [String] {
        var lines = ["run \(project)/\(job) on \(fabric.stage == .production ? "PRODUCTION " : "")fabric \(fabric.name)"]
        lines.append("  revision: \(revision.label)")
        if enabled == false {
            lines.append("  the job is DISABLED on \(fabric.name): its schedule starts nothing, this run starts it anyway")
        }
        for task in tasks {
            let config = task.config.keys.sorted().map { key -> String in
                let value = task.config[key]!
                if case .secret(let name) = value { return "\(key)=secret \(Self.printable(name))" }
                return "\(Self.printable(key))=\(Self.printable(value.display))"
            }
            lines.append("  task \(task.key)" + (config.isEmpty ? "" : ": " + config.joined(separator: ", ")))
        }
        if let dataRoot { lines.append("  data: the tasks write under \(fabric.name)'s data root \(dataRoot)") }
        return lines
    }

    /// Control characters (a value's escape sequences could redraw the confirmation) shown as `?`.
    static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0 }))
    }
}
