import Foundation

/// One built pipeline of a release: a zip of the pipeline's folder at the release commit with a manifest of its
/// files and their sha256, stored content-addressed under the workspace (`artifacts/PROJECT/VERSION/`).
public struct ReleaseArtifact: Sendable, Hashable, Codable {
    public var pipeline: String
    public var kind: PipelineKind
    /// Path relative to the workspace root.
    public var path: String
    /// sha256 of the zip, hex.
    public var sha256: String
    /// The pipeline's files (relative to its folder) → sha256, as the zip's `MANIFEST.json` lists them.
    public var files: [String: String]

    /// An artifact.
    public init(pipeline: String, kind: PipelineKind, path: String, sha256: String, files: [String: String]) {
        self.pipeline = pipeline
        self.kind = kind
        self.path = path
        self.sha256 = sha256
        self.files = files
    }
}

/// A release: the tag `PROJECT/VERSION` of a project, its pipelines built into artifacts and tested.
public struct Release: Sendable, Hashable, Codable {
    public var project: String
    public var version: String
    public var commit: String
    public var tag: String
    public var artifacts: [ReleaseArtifact]
    /// One line per pipeline whose unit tests ran: `clean: 3 tests OK (0.2 s)`.
    public var tests: [String]
    public var createdBy: String
    public var createdAt: Date

    /// A release.
    public init(
        project: String, version: String, commit: String, tag: String, artifacts: [ReleaseArtifact], tests: [String],
        createdBy: String, createdAt: Date
    ) {
        self.project = project
        self.version = version
        self.commit = commit
        self.tag = tag
        self.artifacts = artifacts
        self.tests = tests
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// Where a deployment is.
public enum DeploymentState: String, Sendable, Hashable, Codable {
    /// Being applied by a living Weft process.
    case applying
    /// Every job of the plan is at the release.
    case succeeded
    /// The driver refused a job; the jobs before it are at the release, the others at their old version.
    case failed
    /// Its Weft process died while applying; `applied` says which jobs are at the release. Deploying the release
    /// again completes it.
    case interrupted
}

/// A release applied to one fabric: its plan, then what happened.
public struct Deployment: Sendable, Hashable, Codable {
    public var id: Int64
    public var project: String
    public var version: String
    public var commit: String
    public var fabric: String
    public var user: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var state: DeploymentState
    public var plan: DeploymentPlan
    /// Jobs now at the release (added, modified, unchanged) or removed, in the order they were applied.
    public var applied: [String]
    /// What the driver and Weft did, line by line.
    public var log: [String]

    /// A deployment.
    public init(
        id: Int64, project: String, version: String, commit: String, fabric: String, user: String, startedAt: Date,
        finishedAt: Date?, state: DeploymentState, plan: DeploymentPlan, applied: [String], log: [String]
    ) {
        self.id = id
        self.project = project
        self.version = version
        self.commit = commit
        self.fabric = fabric
        self.user = user
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.state = state
        self.plan = plan
        self.applied = applied
        self.log = log
    }
}

/// What a fabric holds for one job: the release deployed there and the job's definition in it.
public struct DeployedJob: Sendable, Hashable, Codable {
    public var fabric: String
    public var project: String
    public var job: String
    public var version: String
    public var commit: String
    public var definition: Job
    public var deploymentID: Int64
    public var deployedBy: String
    public var deployedAt: Date

    /// A deployed job.
    public init(
        fabric: String, project: String, job: String, version: String, commit: String, definition: Job, deploymentID: Int64,
        deployedBy: String, deployedAt: Date
    ) {
        self.fabric = fabric
        self.project = project
        self.job = job
        self.version = version
        self.commit = commit
        self.definition = definition
        self.deploymentID = deploymentID
        self.deployedBy = deployedBy
        self.deployedAt = deployedAt
    }
}
