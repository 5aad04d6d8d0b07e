/// How one job changes when a release is deployed to a fabric.
public enum JobChangeKind: String, Sendable, Hashable, Codable {
    case add, modify, delete, unchanged
}

/// One job's line of a deployment plan.
public struct JobChange: Sendable, Hashable, Codable {
    /// The job's name.
    public var job: String
    public var change: JobChangeKind
    /// For `modify`: the fields that differ from the deployed version.
    public var fields: [String]
    /// The job as the release defines it (nil for `delete`).
    public var definition: Job?
    /// Why, when the kind alone does not say it: for `delete`, "moved to fabric qa" or "not in the release".
    public var reason: String?

    /// A job change.
    public init(job: String, change: JobChangeKind, fields: [String] = [], definition: Job? = nil, reason: String? = nil) {
        self.job = job
        self.change = change
        self.fields = fields
        self.definition = definition
        self.reason = reason
    }
}

/// A release applied to one fabric, as a value: printed first, then applied by the fabric's driver.
public struct DeploymentPlan: Sendable, Hashable, Codable {
    public var project: String
    /// The release version.
    public var version: String
    /// The commit the release tag points at.
    public var commit: String
    public var fabric: Fabric
    public var changes: [JobChange]
    /// The release's built pipelines (empty in a plan made before the build, e.g. `--dry-run`).
    public var artifacts: [ReleaseArtifact]

    /// A plan.
    public init(project: String, version: String, commit: String, fabric: Fabric, changes: [JobChange], artifacts: [ReleaseArtifact] = []) {
        self.project = project
        self.version = version
        self.commit = commit
        self.fabric = fabric
        self.changes = changes
        self.artifacts = artifacts
    }

    /// Whether applying it changes nothing.
    public var isEmpty: Bool { changes.allSatisfy { $0.change == .unchanged } }
}

/// What a driver did with a deployment plan.
public struct DeploymentResult: Sendable, Hashable, Codable {
    /// Jobs now at the release's version (added, modified or unchanged), and jobs removed.
    public var applied: [String]
    /// Jobs left at their old version (the first failure stops the apply), with the reason.
    public var failed: [String: String]
    /// What the driver did, line by line.
    public var log: [String]

    /// A result.
    public init(applied: [String], failed: [String: String] = [:], log: [String] = []) {
        self.applied = applied
        self.failed = failed
        self.log = log
    }
}
