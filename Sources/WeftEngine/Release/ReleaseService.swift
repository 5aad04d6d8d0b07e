import Foundation
import WeftDomain
import WeftStore

/// `weft release PROJECT --version V [--fabric F ...] [--jobs J ...] [--dry-run]`.
public struct ReleaseRequest: Sendable, Hashable, Codable {
    public var project: String
    public var version: String
    /// Fabrics to deploy to; empty: the fabric of each (selected) job.
    public var fabrics: [String]
    /// Jobs to deploy; nil: every job of the release.
    public var jobs: [String]?
    /// Validate and plan only: nothing is built, tested, tagged or deployed.
    public var dryRun: Bool
    /// The plans the user confirmed (from a dry run): the release re-plans under its lock and stops, changing
    /// nothing, when what it would apply differs from them (someone deployed or committed in between).
    public var confirmed: [DeploymentPlan]?

    /// A request.
    public init(
        project: String, version: String, fabrics: [String] = [], jobs: [String]? = nil, dryRun: Bool = false, confirmed: [DeploymentPlan]? = nil
    ) {
        self.confirmed = confirmed
        self.project = project
        self.version = version
        self.fabrics = fabrics
        self.jobs = jobs
        self.dryRun = dryRun
    }
}

/// The steps of a release, in order.
public enum ReleaseStep: String, Sendable, Hashable, Codable, CaseIterable {
    case validate, plan, build, test, tag, deploy
}

/// A line of a release's progress (what the CLI prints and the TUI shows per step).
public struct ReleaseEvent: Sendable, Hashable, Codable {
    public var step: ReleaseStep
    /// The fabric a `plan` or `deploy` line is about.
    public var fabric: String?
    public var line: String

    /// An event.
    public init(step: ReleaseStep, fabric: String? = nil, line: String) {
        self.step = step
        self.fabric = fabric
        self.line = line
    }
}

/// What a release did.
public struct ReleaseOutcome: Sendable, Hashable, Codable {
    public var project: String
    public var version: String
    public var commit: String
    /// The release record (nil for a dry run of a version not released yet).
    public var release: Release?
    /// Whether the tag existed already at this commit (a re-deploy of the release).
    public var existing: Bool
    /// The plan per deployable fabric.
    public var plans: [DeploymentPlan]
    /// Fabrics whose plan changes something (jobs, or the release they run): the ones a deployment applies to.
    public var toApply: [String]
    /// Fabrics skipped, with the reason.
    public var skipped: [String]
    /// Deployments made (none for a dry run, none where the fabric already held the release).
    public var deployments: [Deployment]
    public var dryRun: Bool
}

/// Releases: validate the project at HEAD (or at the tag of an existing release), plan per fabric, build the
/// pipelines into artifacts, run their unit tests, tag, record, and deploy through each fabric's driver. Authorized
/// through `PermissionPolicy` and audited; a fabric the user may not deploy to is skipped with the reason.
///
/// Crash safety: artifacts are content-addressed and published with `link` (never overwritten), the tag and the
/// release record are made once, and each job's deployment is one metastore transaction with the deployment's
/// record of it — a release killed at any point is completed by running it again.
public final class ReleaseService: Sendable {
    public let workspace: Workspace
    public let drivers: DriverRegistry

    /// A service over these drivers.
    public init(workspace: Workspace, drivers: DriverRegistry) {
        self.workspace = workspace
        self.drivers = drivers
    }

    /// Runs a release; `progress` gets each step's lines as they happen.
    public func release(
        _ principal: Principal, _ request: ReleaseRequest, progress: @Sendable (ReleaseEvent) -> Void = { _ in }
    ) async throws -> ReleaseOutcome {
        let project = try workspace.project(request.project)
        try workspace.authorize(principal, .readProject, .project(project))
        try workspace.authorize(principal, .createRelease, .project(project))
        let tag = try ReleaseVersion.tag(project: project.name, version: request.version)
        // One release of a project at a time (held until this function returns; a killed process drops it).
        let lock = request.dryRun ? nil : try workspace.releaseLock(project: project.name)
        defer { withExtendedLifetime(lock) {} }
        try workspace.markInterruptedDeployments(isAlive: ProcessIdentity.isAlive)
        let git = workspace.git(project.name)

        // Which commit: HEAD of a clean working tree. A version is one commit: when its tag exists at HEAD the
        // release is deployed again (to more fabrics, or to complete a deployment); at another commit it is refused.
        let head = try workspace.headCommit(project: project.name)
        let tagged = Self.tagCommit(git, tag)
        if let tagged, tagged != head {
            throw WeftError.conflict(
                "release \(tag) exists at commit \(tagged.prefix(10)), but HEAD is \(head.prefix(10)); a version is one commit — release HEAD as a new version (see 'weft releases \(project.name)')")
        }
        let commit = head
        let status = try git.run(["status", "--porcelain", "--untracked-files=normal"])
        let dirty = status.split(separator: "\n").map { String($0.dropFirst(3)) }
        if !dirty.isEmpty {
            throw WeftError.conflict(
                "project \(project.name) has uncommitted changes (\(dirty.prefix(5).joined(separator: ", "))\(dirty.count > 5 ? ", …" : "")); commit or discard them before releasing — a release is a commit")
        }

        // Validate the whole project at the commit.
        let contents = try workspace.contents(project: project.name, commit: commit)
        if !contents.problems.isEmpty { throw WeftError.invalid(contents.problems) }
        let jobs = contents.jobs.values.map(\.job).sorted { $0.name < $1.name }
        let targets = try ReleasePlanner.targets(
            jobs: jobs, fabrics: try workspace.fabrics(), requested: request.fabrics, only: request.jobs.map(Set.init))
        var problems: [Problem] = []
        for t in targets {
            for job in t.jobs {
                let file = contents.jobs[job.name]?.path
                problems += JobValidator.enableProblems(job, pipelines: contents.pipelines, fabric: t.fabric).map {
                    Problem(file: $0.file ?? file, line: $0.line, "job \(job.name): \($0.message)")
                }
            }
        }
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        progress(ReleaseEvent(step: .validate, line: "\(project.name) at \(commit.prefix(10)): \(contents.pipelines.count) pipelines, \(jobs.count) jobs valid"))

        // Who may deploy where.
        let auth = ReleasePlanner.authorize(principal, fabrics: targets.map(\.fabric))
        // A skipped fabric is a denied attempt of a real release (a dry run only plans; when every fabric is
        // refused the release fails with the denial, audited either way).
        for s in auth.skipped where !request.dryRun || auth.deployable.isEmpty {
            workspace.audit(
                principal.name, Action.deployRelease.rawValue, .fabric(s.fabric), project: project.name, result: .denied,
                detail: "release \(tag): \(s.reason)")
        }
        for s in auth.skipped {
            progress(ReleaseEvent(step: .plan, fabric: s.fabric.name, line: "skip \(s.fabric.name): \(s.reason)"))
        }
        let deployable = try auth.requireDeployable()
        if deployable.isEmpty {
            throw WeftError.invalid("release \(tag) has no job and no fabric to deploy to; name fabrics with --fabric")
        }

        // Plans.
        let only = request.jobs.map(Set.init)
        var plans: [DeploymentPlan] = []
        var needsApply: [String: Bool] = [:]
        for fabric in deployable {
            let deployed = try workspace.deployedJobs(fabric: fabric.name, project: project.name)
            let deployedCommits = Set(deployed.values.map(\.commit))
            let deployedPipelines = deployedCommits.count == 1 ? try? workspace.contents(project: project.name, commit: deployedCommits.first!).pipelines : nil
            let plan = try ReleasePlanner.plan(
                project: project.name, version: request.version, commit: commit, fabric: fabric, jobs: jobs,
                deployed: deployed.mapValues(\.definition), pipelines: contents.pipelines, deployedPipelines: deployedPipelines, only: only)
            plans.append(plan)
            // A deployment of this release that was interrupted or failed is completed by deploying again, even when
            // every job already reached the release (killed after its last job): its record must end succeeded.
            let last = try workspace.deployments(fabric: fabric.name, project: project.name, limit: 1).first
            let unfinished = last.map { $0.version == request.version && $0.state != .succeeded } ?? false
            needsApply[fabric.name] = unfinished || plan.changes.contains { c in
                c.change != .unchanged || deployed[c.job]?.version != request.version || deployed[c.job]?.commit != commit
            }
            for line in plan.rendered { progress(ReleaseEvent(step: .plan, fabric: fabric.name, line: line)) }
            if needsApply[fabric.name] == false {
                progress(ReleaseEvent(step: .plan, fabric: fabric.name, line: "  fabric \(fabric.name) holds release \(request.version) already: nothing to do"))
            }
        }
        let skippedLines = auth.lines
        if let confirmed = request.confirmed, !request.dryRun {
            let applying = plans.filter { needsApply[$0.fabric.name] == true }
            if let changed = Self.planChange(confirmed: confirmed, now: applying) {
                throw WeftError.conflict(
                    "the plan of release \(tag) changed since you confirmed it (\(changed)); nothing was built, tagged or deployed — look at the new plan and confirm again")
            }
        }
        if request.dryRun {
            return ReleaseOutcome(
                project: project.name, version: request.version, commit: commit, release: try workspace.release(project: project.name, version: request.version),
                existing: tagged != nil, plans: plans, toApply: plans.map(\.fabric.name).filter { needsApply[$0] == true },
                skipped: skippedLines, deployments: [], dryRun: true)
        }

        // Build, test, tag, record — once per release.
        var release = try workspace.release(project: project.name, version: request.version)
        if let r = release, r.commit != commit {
            throw WeftError.conflict("release \(tag) is recorded at commit \(r.commit.prefix(10)) but its tag points at \(commit.prefix(10)); the tag was moved by hand — restore it or choose a new version")
        }
        if release == nil {
            release = try await buildTestTag(
                principal, project: project.name, version: request.version, tag: tag, commit: commit, tagged: tagged != nil,
                pipelines: Array(contents.pipelines.values), progress: progress)
        } else {
            progress(ReleaseEvent(step: .build, line: "release \(tag) was built and tested at \(UTCTime.iso8601(release!.createdAt)) by \(release!.createdBy); using its artifacts"))
        }
        guard let release else { throw WeftError.failure("the release was not recorded") }

        // Deploy.
        var deployments: [Deployment] = []
        var failures: [String] = []
        for var plan in plans where needsApply[plan.fabric.name] == true {
            plan.artifacts = release.artifacts
            let d = try await deploy(principal, plan, progress: progress)
            deployments.append(d)
            if d.state != .succeeded { failures.append("\(plan.fabric.name): \(d.log.last ?? d.state.rawValue)") }
        }
        if !failures.isEmpty {
            throw WeftError.failure(
                "release \(tag) did not deploy everywhere: \(failures.joined(separator: "; ")); 'weft deployments' says which jobs are at which version — fix the cause and run the release again")
        }
        return ReleaseOutcome(
            project: project.name, version: request.version, commit: commit, release: release, existing: tagged != nil, plans: plans,
            toApply: plans.map(\.fabric.name).filter { needsApply[$0] == true }, skipped: skippedLines, deployments: deployments, dryRun: false)
    }

    /// How the plans about to be applied differ from the confirmed ones, or nil when they are the same.
    static func planChange(confirmed: [DeploymentPlan], now: [DeploymentPlan]) -> String? {
        let before = Dictionary(confirmed.map { ($0.fabric.name, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(now.map { ($0.fabric.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in Set(before.keys).union(after.keys).sorted() {
            guard let b = before[name] else { return "fabric \(name) now needs a deployment" }
            guard let a = after[name] else { return "fabric \(name) needs nothing any more" }
            if a.commit != b.commit { return "fabric \(name): the commit is now \(a.commit.prefix(10))" }
            if a.changes != b.changes { return "fabric \(name): \(b.summary) became \(a.summary)" }
        }
        return nil
    }

    static func tagCommit(_ git: Git, _ tag: String) -> String? {
        guard let out = try? git.run(["rev-parse", "-q", "--verify", "refs/tags/\(tag)^{commit}"]) else { return nil }
        let c = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return c.isEmpty ? nil : c
    }

    private func buildTestTag(
        _ principal: Principal, project: String, version: String, tag: String, commit: String, tagged: Bool, pipelines: [Pipeline],
        progress: @Sendable (ReleaseEvent) -> Void
    ) async throws -> Release {
        let fm = FileManager.default
        let buildRoot = workspace.root + "/builds"
        try fm.createDirectory(atPath: buildRoot, withIntermediateDirectories: true)
        var template = Array((buildRoot + "/\(project)-\(version)-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw WeftError.failure("cannot create a build folder under \(buildRoot): \(String(cString: strerror(errno)))")
        }
        let build = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { _ = try? ProcessRunner.run("/bin/rm", ["-rf", build]) }
        let source = build + "/src"
        let extract = try ProcessRunner.run(
            "/bin/sh", ["-c", "set -e; mkdir -p \"$3\"; git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"", "sh", workspace.projectDirectory(project), commit, source],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        guard extract.status == 0 else { throw WeftError.failure("cannot check out \(project) at \(commit.prefix(10)) for the build: \(extract.stderr)") }

        let started = Date()
        let built = try ReleaseBuilder.build(directory: source, pipelines: pipelines, output: build)
        for b in built { progress(ReleaseEvent(step: .build, line: "\(b.pipeline): \(b.files.count) files, \(b.kind.rawValue), sha256 \(b.sha256.prefix(16))")) }
        progress(ReleaseEvent(step: .build, line: String(format: "built %d pipelines in %.2f s", built.count, Date().timeIntervalSince(started))))
        Workspace.faultPoint("release-after-build")

        let tests = await ReleaseBuilder.test(directory: source, pipelines: pipelines)
        for t in tests { progress(ReleaseEvent(step: .test, line: t.summary)) }
        if let failed = tests.first(where: { !$0.passed }) {
            let tail = failed.output.split(separator: "\n", omittingEmptySubsequences: false).suffix(60).joined(separator: "\n")
            workspace.audit(principal.name, Action.createRelease.rawValue, .project(try workspace.project(project)), project: project, result: .allowed, detail: "release \(tag) stopped: unit tests of \(failed.pipeline) failed")
            throw WeftError.failure(
                "release \(tag) stopped: the unit tests of pipeline \(failed.pipeline) \(failed.summary.contains("TIMED OUT") ? "timed out" : "failed") (\(failed.command)); nothing was tagged or deployed.\n\(tail)")
        }
        if tests.isEmpty { progress(ReleaseEvent(step: .test, line: "no pipeline has unit tests")) }
        Workspace.faultPoint("release-after-test")

        // Publish the artifacts: content-addressed, never overwritten.
        let store = "artifacts/\(project)/\(version)"
        try fm.createDirectory(atPath: workspace.root + "/" + store, withIntermediateDirectories: true)
        var artifacts: [ReleaseArtifact] = []
        for b in built {
            let rel = store + "/" + (b.zip as NSString).lastPathComponent
            let dest = workspace.root + "/" + rel
            chmod(b.zip, 0o444)
            if link(b.zip, dest) != 0 {
                guard errno == EEXIST, FileIO.sha256(file: dest) == b.sha256 else {
                    throw WeftError.failure("cannot store artifact \(rel): \(errno == EEXIST ? "a different file is there" : String(cString: strerror(errno)))")
                }
            }
            artifacts.append(ReleaseArtifact(pipeline: b.pipeline, kind: b.kind, path: rel, sha256: b.sha256, files: b.files))
            Workspace.faultPoint("release-after-artifact")
        }
        Workspace.faultPoint("release-after-artifacts")

        if !tagged {
            let author = Git.Author(name: principal.name, email: "\(principal.name)@weft.local")
            do {
                _ = try workspace.git(project).run(["tag", "-a", tag, "-m", "Release \(tag)", commit], author: author)
            } catch {
                // Another release made the tag meanwhile: fine when at the same commit.
                guard Self.tagCommit(workspace.git(project), tag) == commit else { throw error }
            }
            progress(ReleaseEvent(step: .tag, line: "tagged \(tag) at \(commit.prefix(10)) (tagger \(principal.name))"))
        } else {
            progress(ReleaseEvent(step: .tag, line: "tag \(tag) exists at \(commit.prefix(10))"))
        }
        Workspace.faultPoint("release-after-tag")
        let release = Release(
            project: project, version: version, commit: commit, tag: tag, artifacts: artifacts.sorted { $0.pipeline < $1.pipeline },
            tests: tests.map(\.summary), createdBy: principal.name, createdAt: Date())
        try workspace.recordRelease(release)
        Workspace.faultPoint("release-after-record")
        workspace.audit(
            principal.name, Action.createRelease.rawValue, .project(try workspace.project(project)), project: project, result: .allowed,
            detail: "release \(tag) at \(commit.prefix(10)): \(artifacts.count) artifacts, \(tests.count) pipelines tested")
        return try workspace.release(project: project, version: version) ?? release
    }

    /// Applies one fabric's plan through its driver; each job's new state is recorded in one transaction.
    private func deploy(_ principal: Principal, _ plan: DeploymentPlan, progress: @Sendable (ReleaseEvent) -> Void) async throws -> Deployment {
        let driver = try drivers.driver(for: plan.fabric.kind)
        let id = try workspace.beginDeployment(plan, user: principal.name, owner: ProcessIdentity.current)
        Workspace.faultPoint("release-after-begin")
        var log: [String] = []
        let result: DeploymentResult
        do {
            result = try await driver.deploy(plan)
        } catch {
            log.append("the driver failed: \(error)")
            try workspace.finishDeployment(id, state: .failed, log: log)
            audit(principal, plan, result: .allowed, detail: "failed: \(error)")
            return try deployment(id)
        }
        Workspace.faultPoint("release-after-driver")
        log += result.log
        let applied = Set(result.applied)
        for change in plan.changes where applied.contains(change.job) {
            try workspace.applyDeployedJob(deployment: id, plan: plan, change: change, user: principal.name)
            progress(ReleaseEvent(step: .deploy, fabric: plan.fabric.name, line: "\(plan.fabric.name): \(change.job) \(change.change.rawValue)"))
            Workspace.faultPoint("release-after-job")
        }
        let state: DeploymentState = result.failed.isEmpty ? .succeeded : .failed
        for (job, why) in result.failed.sorted(by: { $0.key < $1.key }) {
            log.append("\(job): left at its old version: \(why)")
            progress(ReleaseEvent(step: .deploy, fabric: plan.fabric.name, line: "\(plan.fabric.name): \(job) NOT deployed: \(why)"))
        }
        try workspace.finishDeployment(id, state: state, log: log)
        Workspace.faultPoint("release-after-fabric")
        audit(principal, plan, result: .allowed, detail: "\(state.rawValue): \(plan.summary)")
        progress(ReleaseEvent(step: .deploy, fabric: plan.fabric.name, line: "\(plan.fabric.name): deployment \(id) \(state.rawValue) (\(plan.summary))"))
        return try deployment(id)
    }

    private func audit(_ principal: Principal, _ plan: DeploymentPlan, result: AuditEvent.Result, detail: String) {
        workspace.audit(
            principal.name, Action.deployRelease.rawValue, .fabric(plan.fabric), project: plan.project, result: result,
            detail: "release \(plan.project)/\(plan.version): \(detail)")
    }

    private func deployment(_ id: Int64) throws -> Deployment {
        guard let d = try workspace.deployments(limit: 1_000_000).first(where: { $0.id == id }) else {
            throw WeftError.failure("deployment \(id) is not recorded")
        }
        return d
    }

    // MARK: reading

    /// A project's releases (its team and the teams including it).
    public func releases(_ principal: Principal, project name: String) throws -> [Release] {
        let project = try workspace.project(name)
        try workspace.authorize(principal, .readProject, .project(project))
        return try workspace.releases(project: name)
    }

    /// Deployments the user may see: of fabrics whose team they are in.
    public func deployments(_ principal: Principal, fabric: String? = nil) throws -> [Deployment] {
        try workspace.markInterruptedDeployments(isAlive: ProcessIdentity.isAlive)
        if let fabric {
            let f = try workspace.fabric(fabric)
            try workspace.authorize(principal, .readRuns, .fabric(f))
            return try workspace.deployments(fabric: fabric)
        }
        let usable = Set(try workspace.fabrics().filter { principal.isMember(of: $0.ownerTeam) }.map(\.name))
        return try workspace.deployments().filter { usable.contains($0.fabric) }
    }
}
