import Foundation
@_spi(Drivers) import WeftStore
import WeftDomain

/// The driver of `local` fabrics: runs a plan's tasks as processes on this machine (through `LocalEngine`), in a
/// read-only export of the revision being run, with the resolved configuration in a sealed memfd (`WEFT_CONFIG` =
/// `/dev/fd/N`) and the fabric's slots shared by every Weft process on the workspace. Secrets are decrypted here,
/// when the run starts, into the tasks' configuration only.
public final class LocalDriver: FabricDriver {
    /// The workspace whose fabrics it drives.
    public let workspace: Workspace
    private let options: LocalEngineOptions
    private let box = EngineBox()

    /// A driver; its engine (and the engine's threads) is made on first use.
    public init(workspace: Workspace, options: LocalEngineOptions = LocalEngineOptions()) {
        self.workspace = workspace
        var o = options
        if o.logDirectoryOfForeignRun == nil {
            let ws = workspace
            o.logDirectoryOfForeignRun = { run in ws.runDirectory(fabric: run.fabric, runID: run.id) }
        }
        self.options = o
    }

    public var kind: FabricKind { .local }
    public var firesSchedules: Bool { true }

    public var settingsSchema: FabricSettingsSchema {
        FabricSettingsSchema(
            kind: .local,
            settings: [
                .init("sandbox", .onOff, help: "run tasks in a bubblewrap sandbox (default on)"),
                .init("network", .onOff, help: "whether tasks may reach the network (default on; off on production)"),
            ])
    }

    /// The engine of this driver (made on first use).
    public func engine() throws -> LocalEngine { try box.get(workspace.metastore, options) }

    // MARK: runs

    public func start(_ plan: RunPlan, watch: Bool) async throws -> (RunRecord, AsyncThrowingStream<RunEvent, any Error>?) {
        let request = try resolve(plan)
        let engine = try engine()
        if watch {
            let (record, stream) = try await engine.startWatching(request)
            return (record, stream)
        }
        return (try await engine.start(request), nil)
    }

    public func cancel(_ run: RunRecord, by user: String) async throws {
        try await engine().cancel(runID: run.id, by: user)
    }

    public func events(_ run: RunRecord, replayLogs: Bool) -> AsyncThrowingStream<RunEvent, any Error> {
        do {
            let engine = try engine()
            if replayLogs, !run.state.isFinished, engine.snapshot(runID: run.id) == nil {
                let follower = RunFollower(
                    metastore: workspace.metastore, runID: run.id, logDirectory: workspace.runDirectory(fabric: run.fabric, runID: run.id),
                    replayBytes: 1 << 20)
                return follower.events()
            }
            return engine.events(runID: run.id)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
    }

    public func log(_ run: RunRecord, task: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: workspace.taskLogPath(run, task: task)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    public func logLocation(_ run: RunRecord) -> String? { workspace.runDirectory(fabric: run.fabric, runID: run.id) }

    public func recover(_ run: RunRecord, adopt: Bool) throws -> RunRecoveryOutcome {
        // A local run lived in its owner's process: with the owner gone it cannot go on.
        guard let unfinished = try workspace.metastore.unfinishedRuns().first(where: { $0.id == run.id }) else { return .untouched }
        if let owner = unfinished.owner, ProcessIdentity.isAlive(owner) { return .untouched }
        return try RunRecovery.recover(metastore: workspace.metastore, run: unfinished) ? .failed : .untouched
    }

    public var activeRunIDs: [String] { box.existing?.activeRunIDs ?? [] }

    public func shutdown(timeout: Double) async {
        guard let engine = box.existing, !engine.activeRunIDs.isEmpty else { return }
        await engine.cancelAll(timeout: timeout)
    }

    // MARK: deployment

    /// A local fabric runs a release from the read-only export of its commit on that fabric: deploying makes sure
    /// that export exists and holds exactly the release's artifacts (every file of each pipeline a job uses has
    /// the sha256 its artifact's manifest lists); nothing else lives on the fabric.
    public func deploy(_ plan: DeploymentPlan) async throws -> DeploymentResult {
        var log: [String] = []
        let checkout = try workspace.exportRevision(project: plan.project, commit: plan.commit, fabric: plan.fabric.name)
        log.append("release \(plan.version) of \(plan.project) exported at \(checkout)")
        let artifacts = Dictionary(plan.artifacts.map { ($0.pipeline, $0) }, uniquingKeysWith: { a, _ in a })
        var verified: [String: String?] = [:]  // pipeline → problem (nil: matches its artifact)
        func verify(_ pipeline: String) -> String? {
            if let known = verified[pipeline] { return known }
            var problem: String?
            if !FileManager.default.fileExists(atPath: checkout + "/pipelines/\(pipeline)/pipeline.yaml") {
                problem = "pipeline \(pipeline) is missing from the release"
            } else if let artifact = artifacts[pipeline] {
                for (file, sha) in artifact.files.sorted(by: { $0.key < $1.key })
                where FileIO.sha256(file: checkout + "/pipelines/\(pipeline)/\(file)") != sha {
                    problem = "pipeline \(pipeline): \(file) differs from the release's artifact \(artifact.sha256.prefix(12))"
                    break
                }
            } else if !plan.artifacts.isEmpty {
                problem = "pipeline \(pipeline) has no artifact in the release"
            }
            verified[pipeline] = problem
            return problem
        }
        var applied: [String] = []
        var failed: [String: String] = [:]
        for change in plan.changes {
            if let job = change.definition {
                let problems = Array(Set(job.tasks.compactMap(\.pipelineName))).sorted().compactMap(verify)
                if !problems.isEmpty {
                    failed[change.job] = problems.joined(separator: "; ")
                    log.append("\(change.job): not deployed (\(failed[change.job] ?? ""))")
                    break
                }
            }
            applied.append(change.job)
            log.append("\(change.job): \(change.change.rawValue)")
        }
        return DeploymentResult(applied: applied, failed: failed, log: log)
    }

    // MARK: checks

    public func check(_ fabric: Fabric) async -> [FabricCheck] {
        var out: [FabricCheck] = []
        let root = workspace.dataRoot(fabric: fabric.name)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let probe = root + "/.weft-check-\(getpid())"
            guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
                throw WeftError.failure("cannot write into \(root)")
            }
            try FileManager.default.removeItem(atPath: probe)
            out.append(FabricCheck(name: "data root writable", ok: true, detail: root))
        } catch {
            out.append(FabricCheck(name: "data root writable", ok: false, detail: "\(root): \(error); make it writable by this user"))
        }
        if let python = Self.which("python3") {
            out.append(FabricCheck(name: "python3 found", ok: true, detail: python))
        } else {
            out.append(
                FabricCheck(
                    name: "python3 found", ok: false,
                    detail: "no python3 on PATH; python and pyspark pipelines cannot run (install it, e.g. apt-get install python3)"))
        }
        let sh = FileManager.default.isExecutableFile(atPath: "/bin/sh")
        out.append(FabricCheck(name: "/bin/sh found", ok: sh, detail: sh ? "/bin/sh" : "script tasks need /bin/sh"))
        out.append(FabricCheck(name: "slots", ok: fabric.slots >= 1, detail: "\(fabric.slots) task(s) at once"))
        out.append(Self.sandboxCheck(fabric, launcher: options.launcherPath))
        return out
    }

    /// Whether the fabric's tasks can be sandboxed here, tested for real (one `bwrap` start).
    static func sandboxCheck(_ fabric: Fabric, launcher: String?) -> FabricCheck {
        let network = networkAllowed(fabric) ? "network on" : "network off"
        if fabric.settings["sandbox"] == "off" {
            return FabricCheck(
                name: "sandbox", ok: true, detail: "off: tasks run unsandboxed and can reach everything this user can")
        }
        switch SandboxSupport.status {
        case .unavailable(let reason):
            let what = fabric.stage == .development ? "tasks would run unsandboxed (with a warning)" : "runs are refused"
            return FabricCheck(
                name: "sandbox", ok: false,
                detail: "\(reason): \(what); install bubblewrap (apt-get install bubblewrap) or set sandbox=off")
        case .available(let bwrap):
            guard launcher != nil else {
                return FabricCheck(name: "sandbox", ok: false, detail: "the task launcher (weft-launcher, or weft itself) was not found next to this program; install both with scripts/install, or set WEFT_LAUNCHER")
            }
            var args = ["--ro-bind", "/", "/", "--unshare-pid", "--die-with-parent", "--cap-drop", "ALL"]
            if !networkAllowed(fabric) { args.append("--unshare-net") }
            let out = try? ProcessRunner.run(bwrap, args + ["/bin/true"])
            guard let out, out.status == 0 else {
                let why = out?.stderr.trimmingCharacters(in: .whitespacesAndNewlines) ?? "cannot start \(bwrap)"
                return FabricCheck(
                    name: "sandbox", ok: false,
                    detail: "\(bwrap) does not work here: \(why); enable user namespaces, or set sandbox=off")
            }
            return FabricCheck(name: "sandbox", ok: true, detail: "bubblewrap (\(bwrap)), \(network)")
        }
    }

    /// The first executable `name` on `PATH`.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    // MARK: resolution

    /// Turns a plan into processes: the revision's export, argv per task, configuration JSON with secrets.
    func resolve(_ plan: RunPlan) throws -> RunRequest {
        let fabric = plan.fabric
        let export = try workspace.verifiedExport(project: plan.project, commit: plan.revision.commit, fabric: fabric.name)
        let checkout = export.path
        var notices: [String] = []
        if let repaired = export.repaired {
            notices.append(
                "the checkout of \(plan.project) at \(plan.revision.commit.prefix(10)) did not match the commit (\(repaired)); it was exported again from the commit, and this run uses that")
        }
        // Only the secrets the plan references are decrypted, only now, and only into the task configuration files.
        let wanted = plan.secretReferences
        let secrets = wanted.isEmpty ? [:] : try workspace.secretValues(fabric: fabric.name).filter { wanted.contains($0.key) }
        var tasks: [ResolvedTask] = []
        for t in plan.tasks {
            if let p = t.pipeline {
                var json: [String: Any] = [:]
                for (k, v) in t.config {
                    json[k] = try Self.jsonValue(v, fabric: fabric.name, secrets: secrets, task: t.key)
                }
                let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
                let command: [String]
                switch p.kind {
                case .python, .pyspark: command = ["/usr/bin/env", "python3", p.entry]
                case .shell: command = ["/bin/sh", p.entry]
                }
                tasks.append(
                    ResolvedTask(
                        key: t.key, command: command, workingDirectory: checkout + "/" + p.directory, configJSON: data,
                        dependsOn: t.dependsOn, runIf: t.runIf, retries: t.retries, timeout: t.timeout,
                        environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"]))
            } else if case .script(let cmd) = t.action {
                tasks.append(
                    ResolvedTask(
                        key: t.key, command: ["/bin/sh", "-c", cmd], workingDirectory: checkout, dependsOn: t.dependsOn,
                        runIf: t.runIf, retries: t.retries, timeout: t.timeout, environment: ["PYTHONDONTWRITEBYTECODE": "1"]))
            }
        }
        let dataRoot = workspace.dataRoot(fabric: fabric.name)
        try FileManager.default.createDirectory(
            atPath: dataRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let isolation = try Self.isolation(fabric, checkout: checkout, dataRoot: dataRoot, launcher: options.launcherPath)
        notices += isolation.notices
        return RunRequest(
            runID: plan.runID, project: plan.project, job: plan.job, fabric: fabric, commit: plan.revision.commit,
            trigger: plan.trigger, user: plan.user, maxConcurrentRuns: plan.maxConcurrentRuns, tasks: tasks,
            secretValues: Array(secrets.values), dataRoot: dataRoot,
            logDirectory: workspace.runDirectory(fabric: fabric.name, runID: plan.runID),
            slotLockDirectory: workspace.slotLockDirectory(fabric: fabric.name), release: plan.revision.release,
            sandbox: isolation.sandbox, notices: notices)
    }

    /// Whether a fabric's tasks may reach the network: its `network` setting, else on for development and QA and
    /// off for production (a production pipeline that needs the network says so with `network: on`).
    static func networkAllowed(_ fabric: Fabric) -> Bool {
        if let set = fabric.settings["network"] { return set != "off" }
        return fabric.stage != .production
    }

    /// The sandbox of a run on `fabric` (nil with `sandbox: off`), and the notices for its task logs. Where
    /// bubblewrap cannot run, a development fabric runs unsandboxed with a warning in every task log; a QA or
    /// production fabric is refused unless it says `sandbox: off`.
    static func isolation(
        _ fabric: Fabric, checkout: String, dataRoot: String, launcher: String?, support: SandboxSupport.Status = SandboxSupport.status
    ) throws -> (sandbox: TaskSandbox?, notices: [String]) {
        let network = networkAllowed(fabric)
        guard fabric.settings["sandbox"] != "off" else {
            return (nil, network ? [] : ["warning: network: off is not enforced because this fabric's sandbox is off"])
        }
        var status = support
        if case .available = status, launcher == nil {
            status = .unavailable(reason: "the task launcher (weft-launcher, or weft itself) was not found next to this program (install both with scripts/install, or set WEFT_LAUNCHER)")
        }
        switch status {
        case .available(let bwrap):
            return (TaskSandbox(bwrap: bwrap, network: network, readOnly: [checkout], readWrite: [dataRoot]), [])
        case .unavailable(let reason):
            if fabric.stage == .development {
                return (
                    nil,
                    [
                        "warning: \(reason), so this task of development fabric \(fabric.name) runs WITHOUT a sandbox (it can read and write anything this user can); install bubblewrap (apt-get install bubblewrap), or set 'weft fabric update \(fabric.name) --set sandbox=off' to run unsandboxed on purpose"
                    ]
                )
            }
            throw WeftError.failure(
                "refusing to run tasks of \(fabric.stage.rawValue) fabric \(fabric.name) without a sandbox: \(reason). Install bubblewrap (apt-get install bubblewrap) and make sure user namespaces are enabled, or, if this fabric may run tasks unsandboxed, 'weft fabric update \(fabric.name) --set sandbox=off'")
        }
    }

    static func jsonValue(_ v: ConfigValue, fabric: String, secrets: [String: String], task: String) throws -> Any {
        switch v {
        case .string(let s), .date(let s): return s
        case .int(let i): return i
        case .double(let d): return d
        case .bool(let b): return b
        case .secret(let name):
            guard let value = secrets[name] else {
                throw WeftError.invalid(
                    "task '\(task)' needs secret '\(name)', which fabric \(fabric) does not have; set it with 'weft fabric set-secret \(fabric) \(name) --value-stdin'")
            }
            return value
        case .array(let items): return try items.map { try jsonValue($0, fabric: fabric, secrets: secrets, task: task) }
        }
    }

    final class EngineBox: @unchecked Sendable {
        private let lock = NSLock()
        private var engine: LocalEngine?
        func get(_ metastore: Metastore, _ options: LocalEngineOptions) throws -> LocalEngine {
            lock.lock()
            defer { lock.unlock() }
            if let engine { return engine }
            let e = try LocalEngine(metastore: metastore, options: options)
            engine = e
            return e
        }
        var existing: LocalEngine? {
            lock.lock()
            defer { lock.unlock() }
            return engine
        }
    }
}
