import Foundation
import GRDB
import WeftDomain

extension Workspace {
    /// Turns a job into a fully resolved run request for its fabric's engine: permission checked, validated,
    /// the project revision exported (read-only checkout per commit), every task's configuration resolved with
    /// secrets (only into the request; they are masked in logs).
    ///
    /// Which revision runs: the project's current commit (the run records it). Deployed releases for enabled
    /// production jobs come with the release planner.
    public func prepareRun(_ principal: Principal, _ ref: String, trigger: RunTrigger = .manual, runID: String? = nil) throws -> RunRequest {
        let record = try findJob(ref)
        let fabric = try self.fabric(record.job.fabric)
        let project = try self.project(record.project)
        try authorize(principal, .runJob, .job(name: record.job.name, project: project, fabric: fabric), project: project.name)
        try authorize(principal, .readProject, .project(project))
        return try resolveRun(record, fabric: fabric, user: principal.name, trigger: trigger, runID: runID)
    }

    /// Resolves a run without a principal (the scheduler, which runs enabled jobs on their fabric's behalf).
    public func resolveRun(_ record: JobRecord, fabric: Fabric, user: String, trigger: RunTrigger, runID: String? = nil) throws -> RunRequest {
        guard fabric.kind == .local else {
            throw WeftError.invalid("fabric \(fabric.name) is of kind \(fabric.kind.rawValue); this Weft runs jobs only on local fabrics so far")
        }
        let pipelines = try self.pipelines(project: record.project)
        var problems = JobValidator.structuralProblems(record.job, pipelines: pipelines, file: record.path)
        for t in record.job.tasks {
            guard case .pipeline(let name, let config, let overrides) = t.action, let p = pipelines[name] else { continue }
            let values = ConfigValidator.resolve(pipeline: p, instance: config, overrides: overrides)
            for f in p.schema where f.required && values[f.name] == nil {
                problems.append(Problem("task '\(t.key)': required value '\(f.name)' of pipeline \(name) is not set"))
            }
        }
        if !problems.isEmpty { throw WeftError.invalid([Problem("\(record.job.name) cannot run:")] + problems) }
        let commit = git(record.project).head() ?? ""
        let checkout = try exportRevision(project: record.project, commit: commit)
        let secretValues = try self.secretValues(fabric: fabric.name)
        let id = runID ?? Self.newRunID()
        var tasks: [ResolvedTask] = []
        for t in record.job.tasks {
            switch t.action {
            case .script(let cmd):
                tasks.append(
                    ResolvedTask(
                        key: t.key, command: ["/bin/sh", "-c", cmd], workingDirectory: checkout, dependsOn: t.dependsOn, runIf: t.runIf,
                        retries: t.retries, timeout: t.timeout, environment: ["PYTHONDONTWRITEBYTECODE": "1"]))
            case .pipeline(let name, let config, let overrides):
                guard let p = pipelines[name] else { continue }
                let values = ConfigValidator.resolve(pipeline: p, instance: config, overrides: overrides)
                var json: [String: Any] = [:]
                for (k, v) in values {
                    json[k] = try Self.jsonValue(v, fabric: fabric.name, secrets: secretValues, task: t.key)
                }
                let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
                let dir = checkout + "/pipelines/\(name)"
                let command: [String]
                switch p.kind {
                case .python, .pyspark: command = ["/usr/bin/env", "python3", p.entry]
                case .shell: command = ["/bin/sh", p.entry]
                }
                tasks.append(
                    ResolvedTask(
                        key: t.key, command: command, workingDirectory: dir, configJSON: data, dependsOn: t.dependsOn, runIf: t.runIf,
                        retries: t.retries, timeout: t.timeout, environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"]))
            }
        }
        try FileManager.default.createDirectory(atPath: dataRoot(fabric: fabric.name), withIntermediateDirectories: true)
        return RunRequest(
            runID: id, project: record.project, job: record.job.name, fabric: fabric, commit: commit, trigger: trigger, user: user,
            maxConcurrentRuns: record.job.maxConcurrentRuns, tasks: tasks, secretValues: Array(secretValues.values),
            dataRoot: dataRoot(fabric: fabric.name), logDirectory: runDirectory(fabric: fabric.name, runID: id),
            slotLockDirectory: slotLockDirectory(fabric: fabric.name))
    }

    /// Where the slot lock files of a fabric are: `<root>/fabrics/<fabric>/slots` (one `<i>.lock` per slot).
    public func slotLockDirectory(fabric: String) -> String { fabricsDirectory + "/\(fabric)/slots" }

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

    /// A new run id: sortable by time, unique.
    public static func newRunID(now: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        let suffix = String(UInt32.random(in: 0...UInt32.max) & 0xFFFFFF, radix: 16)
        return "r\(f.string(from: now))-\(String(repeating: "0", count: 6 - suffix.count) + suffix)"
    }

    /// A read-only export of a project revision, created once per commit (temporary folder + rename).
    public func exportRevision(project: String, commit: String) throws -> String {
        let dir = root + "/checkouts/\(project)/\(commit)"
        if FileManager.default.fileExists(atPath: dir) { return dir }
        let tmp = dir + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let script = "git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\""
        let out = try ProcessRunner.run(
            "/bin/sh", ["-c", script, "sh", projectDirectory(project), commit, tmp], environment: Git.environment(author: nil))
        guard out.status == 0 else {
            try? FileManager.default.removeItem(atPath: tmp)
            throw WeftError.failure("cannot export \(project) at \(commit): \(out.stderr)")
        }
        if rename(tmp, dir) != 0 {
            try? FileManager.default.removeItem(atPath: tmp)
            if !FileManager.default.fileExists(atPath: dir) { throw WeftError.failure("cannot export \(project) at \(commit)") }
        }
        return dir
    }

    /// The fabric a run belongs to, with the permission to read it checked.
    public func authorizeRun(_ principal: Principal, _ run: RunRecord, _ action: Action) throws {
        let f = try fabric(run.fabric)
        try authorize(principal, action, .run(id: run.id, job: run.job, fabric: f), project: run.project)
    }

    /// Fabric names whose runs `principal` may read.
    public func readableFabrics(_ principal: Principal) throws -> [String] {
        try fabrics().filter { principal.isMember(of: $0.ownerTeam) }.map(\.name)
    }
}
