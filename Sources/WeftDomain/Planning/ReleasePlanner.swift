/// The fabrics a release deploys to, each with the release's jobs bound to it.
public struct ReleaseTarget: Sendable, Hashable {
    public var fabric: Fabric
    /// The release's jobs whose `fabric` is this fabric (only the selected ones under `--jobs`), by name. Empty when
    /// the fabric was named with `--fabric` but no job of the release is bound to it (its plan then only deletes).
    public var jobs: [Job]

    /// A target.
    public init(fabric: Fabric, jobs: [Job]) {
        self.fabric = fabric
        self.jobs = jobs
    }
}

/// A fabric a release will not be deployed to, and why.
public struct SkippedFabric: Sendable, Hashable {
    public var fabric: Fabric
    /// The policy's refusal: names the user, the fabric and the team that would be needed.
    public var denial: PermissionDenial

    /// A skipped fabric.
    public init(fabric: Fabric, denial: PermissionDenial) {
        self.fabric = fabric
        self.denial = denial
    }

    /// The reason to print.
    public var reason: String { denial.description }
}

/// Which target fabrics the user may deploy a release to, and which are skipped with the reason.
public struct ReleaseAuthorization: Sendable, Hashable {
    /// Fabrics the user may deploy to, in the order given.
    public var deployable: [Fabric]
    /// Fabrics skipped, in the order given.
    public var skipped: [SkippedFabric]

    /// An authorization.
    public init(deployable: [Fabric], skipped: [SkippedFabric]) {
        self.deployable = deployable
        self.skipped = skipped
    }

    /// One line per skipped fabric: `skip production: permission denied: alice may not deploy a release to …`.
    public var lines: [String] { skipped.map { "skip \($0.fabric.name): \($0.reason)" } }

    /// The deployable fabrics; throws the first denial (`WeftError.permissionDenied`, exit 3) when every target was
    /// refused. With no targets at all it returns `[]`.
    public func requireDeployable() throws(WeftError) -> [Fabric] {
        if deployable.isEmpty, let first = skipped.first { throw .permissionDenied(first.denial) }
        return deployable
    }
}

/// Plans deploying a release (a project's tag `PROJECT/VERSION`) to fabrics, Terraform-style: per fabric, every job
/// of the release bound to it is `add`ed (not deployed there yet), `modify`d (with the fields that differ from the
/// deployed definition) or `unchanged`; every job deployed there before that the release no longer binds to it
/// (removed from the project, or moved to another fabric) is `delete`d.
///
/// What counts as a difference: every field of the job file, compared as `JobDiff` spells it — including `enabled`
/// (the enabled flag is part of the definition a fabric runs by: a disabled production job must not fire), the
/// schedule's `catchup`, `notifications`, `description`, `based_on`, the order of tasks, and each pipeline task's
/// resolved configuration values (so an instance changed in `pipeline.yaml` shows as `tasks.KEY.values.FIELD`).
/// Pipeline code is not a job field: it travels in the release's artifacts, which every deployment of a new version
/// ships whatever the plan's lines say. Applying the plan and planning the same release again gives an all-`unchanged`
/// plan (`DeploymentPlan.deployedJobs` is what the fabric holds afterwards).
public enum ReleasePlanner {
    /// The release's jobs grouped by the fabric they are bound to, each group sorted by job name.
    public static func jobsByFabric(_ jobs: [Job]) -> [String: [Job]] {
        Dictionary(grouping: jobs, by: \.fabric).mapValues { $0.sorted { $0.name < $1.name } }
    }

    /// The fabrics to deploy to, each with its jobs, ordered by stage (development, qa, production) then name.
    ///
    /// - Parameters:
    ///   - jobs: the project's jobs at the release tag.
    ///   - fabrics: the workspace's fabrics.
    ///   - requested: `--fabric` names; empty means the fabrics the (selected) jobs are bound to.
    ///   - only: `--jobs` names; nil means every job of the release.
    /// - Throws: `WeftError.notFound` for a requested fabric or job that does not exist (with "did you mean"), or a
    ///   job bound to a fabric the workspace does not have.
    public static func targets(
        jobs: [Job], fabrics: [Fabric], requested: [String] = [], only: Set<String>? = nil
    ) throws(WeftError) -> [ReleaseTarget] {
        let known = Dictionary(fabrics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let jobNames = Set(jobs.map(\.name))
        if let only {
            for name in only.sorted() where !jobNames.contains(name) {
                let hint = Suggestion.closest(to: name, in: jobNames).map { "did you mean '\($0)'? " } ?? ""
                throw .notFound(kind: "job", name: name, hint: hint + "--jobs names jobs of the release")
            }
        }
        let selected = jobs.filter { only?.contains($0.name) ?? true }
        var chosen: [Fabric] = []
        var seen = Set<String>()
        if requested.isEmpty {
            for job in selected.sorted(by: { $0.name < $1.name }) where seen.insert(job.fabric).inserted {
                guard let f = known[job.fabric] else {
                    throw .notFound(
                        kind: "fabric", name: job.fabric,
                        hint: "job \(job.name) is bound to it; create the fabric or change the job's fabric")
                }
                chosen.append(f)
            }
        } else {
            for name in requested where seen.insert(name).inserted {
                guard let f = known[name] else {
                    let hint = Suggestion.closest(to: name, in: known.keys).map { "did you mean '\($0)'? " } ?? ""
                    throw .notFound(kind: "fabric", name: name, hint: hint + "see 'weft fabric list'")
                }
                chosen.append(f)
            }
        }
        let byFabric = jobsByFabric(selected)
        return chosen.sorted(by: stageThenName).map { ReleaseTarget(fabric: $0, jobs: byFabric[$0.name] ?? []) }
    }

    /// Splits `fabrics` into those `principal` may deploy a release to and those skipped with the policy's reason
    /// (`PermissionPolicy.check(principal, .deployRelease, .fabric(f))`), keeping the given order.
    public static func authorize(_ principal: Principal, fabrics: [Fabric]) -> ReleaseAuthorization {
        var deployable: [Fabric] = []
        var skipped: [SkippedFabric] = []
        for f in fabrics {
            if let denial = PermissionPolicy.check(principal, .deployRelease, .fabric(f)) {
                skipped.append(SkippedFabric(fabric: f, denial: denial))
            } else {
                deployable.append(f)
            }
        }
        return ReleaseAuthorization(deployable: deployable, skipped: skipped)
    }

    /// The deployment plan of one release on one fabric.
    ///
    /// - Parameters:
    ///   - project, version, commit: the release (`version` is validated; the tag is `PROJECT/VERSION`).
    ///   - fabric: the fabric deployed to.
    ///   - jobs: every job of the project at the release tag (jobs bound to other fabrics are ignored, except that a
    ///     deployed job found among them is reported as moved).
    ///   - deployed: the project's jobs deployed on `fabric` now, name → definition as last deployed (empty the first time).
    ///   - pipelines: the project's pipelines at the release tag.
    ///   - deployedPipelines: the pipelines as they were at the deployed release's commit, to compare configuration
    ///     values each with its own; nil compares both sides with `pipelines`.
    ///   - only: `--jobs` names; nil plans every job (a job outside `only` is neither added, changed nor deleted).
    /// - Returns: one change per job, ordered by job name.
    /// - Throws: `WeftError.invalid` for an invalid version, or a job name used twice in the release.
    public static func plan(
        project: String, version: String, commit: String, fabric: Fabric, jobs: [Job], deployed: [String: Job],
        pipelines: [String: Pipeline], deployedPipelines: [String: Pipeline]? = nil, only: Set<String>? = nil
    ) throws(WeftError) -> DeploymentPlan {
        try ReleaseVersion.validate(version)
        var byName: [String: Job] = [:]
        var twice: [String] = []
        for job in jobs {
            if byName[job.name] != nil { twice.append(job.name) } else { byName[job.name] = job }
        }
        if !twice.isEmpty {
            let names = Array(Set(twice)).sorted().joined(separator: ", ")
            throw .invalid("release \(project)/\(version) defines job \(names) more than once; give each job file its own name")
        }
        func selected(_ name: String) -> Bool { only?.contains(name) ?? true }

        var changes: [JobChange] = []
        for job in jobs where job.fabric == fabric.name && selected(job.name) {
            guard let old = deployed[job.name] else {
                changes.append(JobChange(job: job.name, change: .add, definition: job))
                continue
            }
            let fields = JobDefinitionDiff.compute(
                left: old, right: job, leftPipelines: deployedPipelines ?? pipelines, rightPipelines: pipelines
            ).map(\.path)
            var unique = Set<String>()
            let ordered = fields.filter { unique.insert($0).inserted }
            changes.append(JobChange(job: job.name, change: ordered.isEmpty ? .unchanged : .modify, fields: ordered, definition: job))
        }
        for name in deployed.keys where selected(name) {
            if let job = byName[name], job.fabric == fabric.name { continue }
            let reason = byName[name].map { "moved to fabric \($0.fabric)" } ?? "not in release \(project)/\(version)"
            changes.append(JobChange(job: name, change: .delete, reason: reason))
        }
        changes.sort { $0.job < $1.job }
        return DeploymentPlan(project: project, version: version, commit: commit, fabric: fabric, changes: changes)
    }

    static func stageThenName(_ a: Fabric, _ b: Fabric) -> Bool {
        let sa = Stage.allCases.firstIndex(of: a.stage) ?? 0
        let sb = Stage.allCases.firstIndex(of: b.stage) ?? 0
        return sa != sb ? sa < sb : a.name < b.name
    }
}

extension DeploymentPlan {
    /// How many jobs the plan adds, modifies, deletes and leaves unchanged.
    public func count(_ kind: JobChangeKind) -> Int { changes.filter { $0.change == kind }.count }

    /// `customer_analytics/1.0.0 (commit abc1234567) → fabric production`.
    public var title: String {
        "\(project)/\(version) (commit \(commit.prefix(10))) → fabric \(fabric.name)"
    }

    /// One line per job, Terraform-style: `+ add J`, `~ modify J: schedule, tasks.clean.depends_on`, `- delete J (why)`,
    /// `= unchanged J`.
    public var lines: [String] {
        changes.map { c in
            switch c.change {
            case .add: return "+ add \(c.job)"
            case .modify: return "~ modify \(c.job): " + c.fields.joined(separator: ", ")
            case .delete: return "- delete \(c.job)" + (c.reason.map { " (\($0))" } ?? "")
            case .unchanged: return "= unchanged \(c.job)"
            }
        }
    }

    /// `2 to add, 1 to modify, 0 to delete, 3 unchanged`.
    public var summary: String {
        "\(count(.add)) to add, \(count(.modify)) to modify, \(count(.delete)) to delete, \(count(.unchanged)) unchanged"
    }

    /// The whole plan as printed: the title, each job's line indented, the summary.
    public var rendered: [String] { [title] + lines.map { "  " + $0 } + ["  " + summary] }

    /// What the plan's jobs are on the fabric once it is applied: name → definition (added, modified and unchanged
    /// jobs; deleted ones gone). Planning the same release against it gives an all-`unchanged` plan. Under `--jobs`
    /// it holds only the selected jobs; the others stay as they were deployed.
    public var deployedJobs: [String: Job] {
        var out: [String: Job] = [:]
        for c in changes where c.change != .delete {
            if let d = c.definition { out[c.job] = d }
        }
        return out
    }
}
