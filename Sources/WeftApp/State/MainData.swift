import Foundation
import WeftDomain

/// A fabric as the fabrics pane shows it.
public struct FabricRow: Sendable, Hashable {
    /// The fabric.
    public var fabric: Fabric
    /// Jobs bound to it (in projects the user may read).
    public var jobCount: Int
    /// The state of its last run, when the user may read its runs and there is one.
    public var lastRun: RunState?

    /// Creates a row.
    public init(fabric: Fabric, jobCount: Int, lastRun: RunState?) {
        self.fabric = fabric
        self.jobCount = jobCount
        self.lastRun = lastRun
    }
}

/// The release a job's fabric holds for it, and how HEAD compares.
public struct DeployedRelease: Sendable, Hashable {
    public var version: String
    public var commit: String
    public var by: String
    public var at: Date
    /// The job's definition at HEAD differs from the deployed one (the next release changes it).
    public var jobChanged: Bool
    /// HEAD is a later commit than the release (its pipelines may differ).
    public var headLater: Bool

    /// Creates the summary.
    public init(version: String, commit: String, by: String, at: Date, jobChanged: Bool, headLater: Bool) {
        self.version = version
        self.commit = commit
        self.by = by
        self.at = at
        self.jobChanged = jobChanged
        self.headLater = headLater
    }

    /// `1.0.0`, with `*` when HEAD differs from it.
    public var short: String { version + (jobChanged || headLater ? "*" : "") }

    /// `release 1.0.0 at abc1234567 by bob; HEAD differs (…)`.
    public var sentence: String {
        let state = jobChanged ? "the job at HEAD differs (the next release deploys it)" : headLater ? "HEAD is later (its changes wait for the next release)" : "HEAD is this release"
        return "release \(version) at \(commit.prefix(10)) by \(by); \(state)"
    }
}

/// A job as the jobs pane shows it.
public struct JobRow: Sendable, Hashable {
    /// The job and where it lives.
    public var record: JobRecord
    /// The next fire time of its schedule (nil without a schedule, or when disabled).
    public var nextFire: Date?
    /// The state and time of its last run, when the user may read its runs.
    public var lastRun: RunState?
    /// When the last run was queued.
    public var lastRunAt: Date?
    /// Lowercased text the filter matches against.
    public var searchText: String
    /// The release deployed for it on its fabric (nil: nothing deployed).
    public var deployed: DeployedRelease?

    /// Creates a row.
    public init(record: JobRecord, nextFire: Date?, lastRun: RunState?, lastRunAt: Date?, deployed: DeployedRelease? = nil) {
        self.deployed = deployed
        self.record = record
        self.nextFire = nextFire
        self.lastRun = lastRun
        self.lastRunAt = lastRunAt
        self.searchText = "\(record.job.name) \(record.job.fabric) \(record.project)".lowercased()
    }

    /// `PROJECT/JOB`.
    public var ref: String { record.qualifiedName }
}

/// Everything the main screen lists, loaded in one effect.
public struct MainData: Sendable, Hashable {
    /// Teams of the workspace.
    public var teams: [Team]
    /// Fabrics with their counts and last run states.
    public var fabrics: [FabricRow]
    /// Projects the user may read.
    public var projects: [Project]
    /// Every project (for permission checks on jobs).
    public var allProjects: [Project]
    /// Jobs of readable projects.
    public var jobs: [JobRow]
    /// Job files that could not be read, as messages.
    public var broken: [String]

    /// Creates the data.
    public init(
        teams: [Team] = [], fabrics: [FabricRow] = [], projects: [Project] = [], allProjects: [Project] = [], jobs: [JobRow] = [],
        broken: [String] = []
    ) {
        self.teams = teams
        self.fabrics = fabrics
        self.projects = projects
        self.allProjects = allProjects
        self.jobs = jobs
        self.broken = broken
    }

    /// The fabric named `name`.
    public func fabric(_ name: String) -> Fabric? { fabrics.first { $0.fabric.name == name }?.fabric }

    /// The project named `name`.
    public func project(_ name: String) -> Project? { allProjects.first { $0.name == name } ?? projects.first { $0.name == name } }

    /// The policy's resource for a job, when its fabric and project are known.
    public func resource(of record: JobRecord) -> Resource? {
        guard let f = fabric(record.job.fabric), let p = project(record.project) else { return nil }
        return .job(name: record.job.name, project: p, fabric: f)
    }
}
