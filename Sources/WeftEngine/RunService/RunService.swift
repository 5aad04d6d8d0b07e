import Foundation
import WeftDomain
import WeftStore

/// The only way to start, watch and cancel runs and read their logs — for the CLI, the TUI and the scheduler
/// alike. It authorizes through `PermissionPolicy`, audits each start and cancel once (the same event whoever asks),
/// reads the job at the revision it runs, and dispatches to the fabric's driver. Requests, results and events are
/// `Codable` values, so the service can sit behind a network API.
public final class RunService: Sendable {
    /// The workspace.
    public let workspace: Workspace
    /// The drivers, by fabric kind.
    public let drivers: DriverRegistry

    /// A service over the standard drivers of this Weft.
    public convenience init(workspace: Workspace, localOptions: LocalEngineOptions = LocalEngineOptions()) {
        self.init(workspace: workspace, drivers: .standard(workspace: workspace, localOptions: localOptions))
    }

    /// A service over these drivers.
    public init(workspace: Workspace, drivers: DriverRegistry) {
        self.workspace = workspace
        self.drivers = drivers
    }

    // MARK: starting

    /// Checks that `actor` may run the job and plans the run, without starting it (nothing is recorded; a denial
    /// is audited). The scheduler runs only what is deployed on the fabric; a user runs what `--revision` names
    /// (by default HEAD on a development fabric, the deployed release on qa and production when there is one).
    public func plan(_ actor: RunActor, _ request: StartRunRequest) throws -> RunPlan {
        if let id = request.runID, !Self.isRunID(id) {
            throw WeftError.invalid("'\(id)' is not a run id (like r20261201-120000-0a1b2c); leave it out and Weft picks one")
        }
        if case .scheduler = actor { return try planScheduled(request) }
        guard case .user(let p) = actor else { throw WeftError.failure("unknown actor") }
        let record = try workspace.findJob(request.job)
        let project = try workspace.project(record.project)
        let indexedFabric = try workspace.fabric(record.job.fabric)
        try workspace.authorize(p, .runJob, .job(name: record.job.name, project: project, fabric: indexedFabric), project: project.name)
        try workspace.authorize(p, .readProject, .project(project))
        let at = try revision(request.revision, project: project.name, job: record.job.name, path: record.path, fabric: indexedFabric)
        // The revision decides the fabric; a job moved to another fabric since is authorized again for that one.
        let fabric = at.job.fabric == indexedFabric.name ? indexedFabric : try workspace.fabric(at.job.fabric)
        if fabric.name != indexedFabric.name {
            try workspace.authorize(p, .runJob, .job(name: record.job.name, project: project, fabric: fabric), project: project.name)
        }
        _ = try drivers.driver(for: fabric.kind)
        return try RunPlanner.plan(
            runID: request.runID ?? Workspace.newRunID(), project: project.name, job: at.job, file: at.path,
            pipelines: at.pipelines, fabric: fabric, revision: at.revision, trigger: request.trigger, user: actor.name)
    }

    /// The scheduler's run: the job as deployed on its fabric, enabled and scheduled there, on a driver whose
    /// schedules Weft fires.
    private func planScheduled(_ request: StartRunRequest) throws -> RunPlan {
        let parts = request.job.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let fabricName = request.fabric, request.trigger != .manual else {
            throw WeftError.invalid("the scheduler names a job as PROJECT/JOB with its fabric and fires it by schedule")
        }
        let fabric = try workspace.fabric(fabricName)
        guard let deployed = try workspace.deployedJob(fabric: fabric.name, project: parts[0], job: parts[1]) else {
            throw WeftError.invalid(
                "\(request.job) has no release deployed on fabric \(fabric.name); it waits for a release ('weft release \(parts[0]) --version V')")
        }
        let driver = try drivers.driver(for: fabric.kind)
        guard deployed.definition.enabled, deployed.definition.schedule != nil, driver.firesSchedules else {
            throw WeftError.invalid(
                "\(request.job) as deployed on \(fabric.name) (release \(deployed.version)) is not an enabled, scheduled job of a fabric Weft's scheduler serves; the scheduler does not run it")
        }
        let pipelines = try workspace.contents(project: parts[0], commit: deployed.commit).pipelines
        return try RunPlanner.plan(
            runID: request.runID ?? Workspace.newRunID(), project: parts[0], job: deployed.definition, file: "jobs/\(deployed.job).yaml",
            pipelines: pipelines, fabric: fabric, revision: RunRevision(commit: deployed.commit, release: deployed.version),
            trigger: request.trigger, user: RunActor.scheduler.name)
    }

    /// The job and pipelines a selector names, and the revision to record.
    func revision(_ selector: RevisionSelector, project: String, job: String, path: String, fabric: Fabric) throws -> (
        job: Job, path: String, pipelines: [String: Pipeline], revision: RunRevision
    ) {
        switch selector {
        case .stageDefault:
            if fabric.stage != .development, try workspace.deployedJob(fabric: fabric.name, project: project, job: job) != nil {
                return try revision(.deployed, project: project, job: job, path: path, fabric: fabric)
            }
            return try revision(.head, project: project, job: job, path: path, fabric: fabric)
        case .deployed:
            guard let d = try workspace.deployedJob(fabric: fabric.name, project: project, job: job) else {
                throw WeftError.notFound(
                    kind: "deployed release of job", name: "\(project)/\(job) on fabric \(fabric.name)",
                    hint: "release the project first ('weft release \(project) --version V'), or run --revision head")
            }
            let pipelines = try workspace.contents(project: project, commit: d.commit).pipelines
            return (d.definition, path, pipelines, RunRevision(commit: d.commit, release: d.version))
        case .release(let version):
            guard let r = try workspace.release(project: project, version: version) else {
                let known = (try? workspace.releases(project: project).map(\.version)) ?? []
                let hint = Suggestion.closest(to: version, in: known).map { "did you mean '\($0)'? " } ?? ""
                throw WeftError.notFound(kind: "release", name: "\(project)/\(version)", hint: hint + "see 'weft releases \(project)'")
            }
            let at = try workspace.jobAtRevision(project: project, job: job, path: path, commit: r.commit)
            return (at.job, at.path, at.pipelines, RunRevision(commit: r.commit, release: version))
        case .head, .commit:
            let commit = try resolve(selector, project: project)
            let at = try workspace.jobAtRevision(project: project, job: job, path: path, commit: commit)
            return (at.job, at.path, at.pipelines, RunRevision(commit: commit))
        }
    }

    /// Starts a run; returns once it is recorded.
    public func start(_ actor: RunActor, _ request: StartRunRequest) async throws -> RunDetail {
        try await begin(actor, request, watch: false).0
    }

    /// Starts a run and watches it from its first event on (`weft run --follow`, the TUI). `planned`: the plan
    /// `plan(actor, request)` just gave (shown to the user and confirmed), run as it is rather than planned again.
    public func startWatching(
        _ actor: RunActor, _ request: StartRunRequest, planned: RunPlan? = nil
    ) async throws -> (RunDetail, AsyncThrowingStream<RunEvent, any Error>) {
        let (detail, stream) = try await begin(actor, request, watch: true, planned: planned)
        guard let stream else { throw WeftError.failure("run \(detail.run.id) ended before it could be watched") }
        return (detail, stream)
    }

    private func begin(
        _ actor: RunActor, _ request: StartRunRequest, watch: Bool, planned: RunPlan? = nil
    ) async throws -> (RunDetail, AsyncThrowingStream<RunEvent, any Error>?) {
        // A plan given back is only taken for the same actor's same job (it is a value: checked, not trusted).
        if let planned,
            planned.user != actor.name || planned.trigger != request.trigger
                || (request.job != planned.job && request.job != "\(planned.project)/\(planned.job)")
        {
            throw WeftError.failure("the plan given is not this request's; plan the run again")
        }
        if let planned, case .user(let p) = actor {
            // Authorized again now (cheap; the revision is not read again): a plan kept while its user sat at a
            // prompt runs only while the user still may run the job on that fabric.
            guard Self.isRunID(planned.runID) else { throw WeftError.invalid("'\(planned.runID)' is not a run id") }
            let project = try workspace.project(planned.project)
            try workspace.authorize(p, .runJob, .job(name: planned.job, project: project, fabric: planned.fabric), project: project.name)
            try workspace.authorize(p, .readProject, .project(project))
        } else if planned != nil {
            throw WeftError.failure("only a user's run is started from a plan given back")
        }
        let plan = try planned ?? plan(actor, request)
        let driver = try drivers.driver(for: plan.fabric.kind)
        let (record, stream) = try await driver.start(plan, watch: watch)
        workspace.audit(
            actor.name, Action.runJob.rawValue, .run(id: record.id, job: record.job, fabric: plan.fabric), project: record.project,
            result: .allowed, detail: "\(record.trigger.rawValue) run of \(record.job), \(record.revision.label)")
        let tasks = plan.tasks.map { TaskRunRecord(runID: record.id, key: $0.key, state: .pending) }
        return (RunDetail(run: record, tasks: tasks, logLocation: driver.logLocation(record)), stream)
    }

    /// Whether `id` has the shape of the run ids Weft makes (`Workspace.newRunID`): it becomes part of paths.
    static func isRunID(_ id: String) -> Bool {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 9, parts[0].first == "r", parts[1].count == 6, parts[2].count == 6 else { return false }
        return parts[0].dropFirst().allSatisfy(\.isASCII) && parts[0].dropFirst().allSatisfy(\.isNumber)
            && parts[1].allSatisfy { $0.isASCII && $0.isNumber } && parts[2].allSatisfy { $0.isASCII && $0.isHexDigit && !$0.isUppercase }
    }

    /// The commit a selector names.
    func resolve(_ selector: RevisionSelector, project: String) throws -> String {
        switch selector {
        case .head, .stageDefault, .deployed, .release:
            return try workspace.headCommit(project: project)
        case .commit(let c):
            let git = workspace.git(project)
            guard c.count >= 7, c.allSatisfy(\.isHexDigit), (try? git.run(["merge-base", "--is-ancestor", c, "HEAD"])) != nil,
                let full = try? git.run(["rev-parse", "--verify", "\(c)^{commit}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            else {
                throw WeftError.invalid("\(c) is not a commit of project \(project)'s history; run HEAD, or name a commit 'git log' shows")
            }
            return full
        }
    }

    // MARK: watching

    /// A run with its tasks, after checking the user may read its fabric's runs.
    public func detail(_ principal: Principal, runID: String) throws -> RunDetail {
        let (run, tasks) = try load(principal, runID, .readRuns)
        return RunDetail(run: run, tasks: tasks, logLocation: try? drivers.driver(named: run.driver).logLocation(run))
    }

    /// Opens a run: its detail and, while it has not ended, its live events (`.snapshot` first). With `replayLogs`
    /// the stream first repeats log lines already written. A run on a remote fabric whose owner died is adopted.
    public func watch(_ principal: Principal, runID: String, replayLogs: Bool = false) throws -> (RunDetail, AsyncThrowingStream<RunEvent, any Error>?) {
        let (run, tasks) = try load(principal, runID, .readRuns)
        let driver = try drivers.driver(named: run.driver)
        let detail = RunDetail(run: run, tasks: tasks, logLocation: driver.logLocation(run))
        if run.state.isFinished { return (detail, nil) }
        if let owner = try workspace.metastore.owner(runID: run.id), !ProcessIdentity.isAlive(owner) {
            _ = try? driver.recover(run, adopt: true)
        }
        return (detail, driver.events(run, replayLogs: replayLogs))
    }

    /// Runs the user may read, newest first.
    public func list(_ principal: Principal, _ query: RunQuery) throws -> [RunRecord] {
        var fabrics = try workspace.readableFabrics(principal)
        if let name = query.fabric {
            try workspace.authorize(principal, .readRuns, .fabric(try workspace.fabric(name)))
            fabrics = [name]
        }
        var project: String?, job: String?
        if let ref = query.job {
            let r = try workspace.job(principal, ref)
            let project_ = try workspace.project(r.project)
            try workspace.authorize(
                principal, .readRuns, .job(name: r.job.name, project: project_, fabric: try workspace.fabric(r.job.fabric)), project: r.project)
            project = r.project
            job = r.job.name
        }
        return try workspace.metastore.runs(
            project: project, job: job, fabrics: fabrics, states: query.state.map { [$0] }, limit: query.limit)
    }

    /// The ETA estimator of a run's job, from its past successful runs.
    public func estimator(_ principal: Principal, run: RunRecord) -> RunEstimator? {
        guard (try? workspace.authorizeRun(principal, run, .readRuns)) != nil,
            let past = try? workspace.metastore.pastDurations(project: run.project, job: run.job)
        else { return nil }
        return RunEstimator(runDurations: past.runs, taskDurations: past.tasks)
    }

    // MARK: logs

    /// The logs of a run's tasks (one task, or all), secrets masked.
    public func logs(_ principal: Principal, runID: String, task: String? = nil) throws -> [TaskLog] {
        let (run, tasks) = try load(principal, runID, .readRuns)
        if let task, !tasks.contains(where: { $0.key == task }) {
            throw WeftError.notFound(kind: "task", name: task, hint: "tasks of this run: \(tasks.map(\.key).joined(separator: ", "))")
        }
        let driver = try drivers.driver(named: run.driver)
        return try (task.map { [$0] } ?? tasks.map(\.key)).map { TaskLog(task: $0, text: try driver.log(run, task: $0) ?? "") }
    }

    /// The last `limit` lines of a task's log.
    public func logTail(_ principal: Principal, runID: String, task: String, limit: Int) throws -> [String] {
        Array((try logs(principal, runID: runID, task: task).first?.lines ?? []).suffix(limit))
    }

    // MARK: cancelling

    /// Cancels a run (its fabric's team only); audited once.
    public func cancel(_ principal: Principal, runID: String) async throws {
        let (run, _) = try load(principal, runID, .cancelRun)
        if run.state.isFinished {
            throw WeftError.conflict("run \(runID) already ended (\(run.state.rawValue)); there is nothing to cancel")
        }
        try await drivers.driver(named: run.driver).cancel(run, by: principal.name)
        workspace.audit(
            principal.name, Action.cancelRun.rawValue, .run(id: run.id, job: run.job, fabric: try workspace.fabric(run.fabric)),
            project: run.project, result: .allowed)
    }

    // MARK: scheduling

    /// Enabled jobs with a schedule as deployed on fabrics whose driver lets `weft scheduler` fire them: a fabric
    /// runs what is deployed on it, so a job with nothing deployed does not fire (see `waitingForRelease`).
    public func scheduledJobs() throws -> [ScheduledJob] {
        let fabrics = Dictionary(uniqueKeysWithValues: try workspace.fabrics().map { ($0.name, $0) })
        return try workspace.allDeployedJobs().compactMap { d in
            guard d.definition.enabled, let s = d.definition.schedule, let f = fabrics[d.fabric],
                (try? drivers.driver(for: f.kind))?.firesSchedules == true
            else { return nil }
            return ScheduledJob(project: d.project, job: d.job, fabric: d.fabric, schedule: s)
        }
    }

    /// Jobs enabled with a schedule at HEAD, on fabrics Weft's scheduler serves, with nothing deployed on their
    /// fabric: they wait for a release.
    public func waitingForRelease() throws -> [JobRecord] {
        let fabrics = Dictionary(uniqueKeysWithValues: try workspace.fabrics().map { ($0.name, $0) })
        let deployed = Set(try workspace.allDeployedJobs().map { "\($0.fabric)/\($0.project)/\($0.job)" })
        let (jobs, _) = try workspace.indexedJobs(projects: try workspace.projects().map(\.name))
        return jobs.filter { r in
            guard r.job.enabled, r.job.schedule != nil, let f = fabrics[r.job.fabric],
                (try? drivers.driver(for: f.kind))?.firesSchedules == true
            else { return false }
            return !deployed.contains("\(r.job.fabric)/\(r.project)/\(r.job.name)")
        }
    }

    // MARK: fabrics

    /// The settings schema of a fabric kind (from its driver).
    public func settingsSchema(_ kind: FabricKind) throws -> FabricSettingsSchema { try drivers.driver(for: kind).settingsSchema }

    /// Tests a fabric's settings for real through its driver (`weft fabric check`): its team or an admin.
    public func check(_ principal: Principal, fabric name: String) async throws -> [FabricCheck] {
        let fabric = try workspace.fabric(name)
        if PermissionPolicy.check(principal, .changeFabric, .fabric(fabric)) != nil {
            try workspace.authorize(principal, .viewFabricSettings, .fabric(fabric))
        }
        let driver = try drivers.driver(for: fabric.kind)
        var out: [FabricCheck] = []
        let problems = driver.settingsSchema.problems(fabric.settings, fabric: fabric.name)
        out.append(
            FabricCheck(
                name: "settings", ok: problems.isEmpty,
                detail: problems.isEmpty ? "valid for a \(fabric.kind.rawValue) fabric" : problems.map(\.message).joined(separator: "; ")))
        out += await driver.check(fabric)
        return out
    }

    // MARK: process life

    /// Handles every unfinished run whose owner process died, through its driver: local runs are failed (their
    /// task groups killed), runs that live on a remote fabric go on — with `adopt`, this process reattaches.
    @discardableResult
    public func recover(adopt: Bool) -> [String: RunRecoveryOutcome] {
        Self.recover(workspace: workspace, drivers: drivers, adopt: adopt)
    }

    /// `recover(adopt:)` for a workspace being opened (no service needed yet).
    @discardableResult
    public static func recover(workspace: Workspace, drivers: DriverRegistry, adopt: Bool) -> [String: RunRecoveryOutcome] {
        guard let unfinished = try? workspace.metastore.unfinishedRuns(), !unfinished.isEmpty else { return [:] }
        var out: [String: RunRecoveryOutcome] = [:]
        for u in unfinished {
            if let owner = u.owner, ProcessIdentity.isAlive(owner) { continue }
            guard let run = try? workspace.metastore.run(id: u.id), let driver = try? drivers.driver(named: run.driver) else { continue }
            out[run.id] = (try? driver.recover(run, adopt: adopt)) ?? .untouched
        }
        return out
    }

    /// Ids of the runs this process drives.
    public var activeRunIDs: [String] { drivers.all.flatMap(\.activeRunIDs) }

    /// Before the process exits: runs living in it are cancelled (waiting up to `timeout` seconds); runs on remote
    /// fabrics are left to go on.
    public func shutdown(timeout: TimeInterval) async {
        for d in drivers.all { await d.shutdown(timeout: timeout) }
    }

    // MARK: helpers

    private func load(_ principal: Principal, _ runID: String, _ action: Action) throws -> (RunRecord, [TaskRunRecord]) {
        guard let (run, tasks) = try workspace.metastore.runWithTasks(id: runID) else {
            throw WeftError.notFound(kind: "run", name: runID, hint: "list runs with 'weft runs list'")
        }
        try workspace.authorizeRun(principal, run, action)
        return (run, tasks)
    }
}

extension DriverRegistry {
    /// The drivers this Weft ships. A new fabric kind is a folder under `Drivers/` and one line here.
    public static func standard(workspace: Workspace, localOptions: LocalEngineOptions = LocalEngineOptions()) -> DriverRegistry {
        DriverRegistry([LocalDriver(workspace: workspace, options: localOptions)])
    }
}
