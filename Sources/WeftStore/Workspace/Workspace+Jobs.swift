import Foundation
import GRDB
import WeftDomain

extension Workspace {
    /// Projects `principal` may read.
    public func readableProjects(_ principal: Principal) throws -> [Project] {
        try projects().filter { PermissionPolicy.allows(principal, .readProject, .project($0)) }
    }

    /// Jobs of readable projects, optionally by fabric and project, with unreadable files reported.
    public func listJobs(_ principal: Principal, fabric: String? = nil, project: String? = nil) throws -> (jobs: [JobRecord], broken: [BrokenJobFile]) {
        if let project { try authorize(principal, .readProject, .project(try self.project(project))) }
        if let fabric { _ = try self.fabric(fabric) }
        let names = try readableProjects(principal).map(\.name).filter { project == nil || $0 == project }
        return try indexedJobs(projects: names, fabric: fabric)
    }

    /// Finds a job by `NAME` (when unique) or `PROJECT/NAME`, in projects the principal may read.
    public func job(_ principal: Principal, _ ref: String) throws -> JobRecord {
        let record = try findJob(ref)
        try authorize(principal, .readProject, .project(try project(record.project)))
        return record
    }

    /// Finds a job without a permission check: callers check the action they perform, so a denial names that
    /// action and the team it needs (not merely "read the project").
    public func findJob(_ ref: String) throws -> JobRecord {
        let parts = ref.split(separator: "/", maxSplits: 1).map(String.init)
        let name = parts.last ?? ref
        let all = try projects()
        let scope = parts.count == 2 ? all.filter { $0.name == parts[0] } : all
        if parts.count == 2 && scope.isEmpty { throw WeftError.notFound(kind: "project", name: parts[0], hint: "list projects with 'weft project list'") }
        var found: [JobRecord] = []
        for p in scope {
            try refreshJobIndex(project: p.name)
            let rows = try metastore.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT path, blob, enabled, body FROM job_index WHERE project = ? AND name = ?", arguments: [p.name, name])
            }
            for row in rows {
                let body: Data = row[3]
                if (row[2] as Int) < 0 {
                    let problems = (try? JSONDecoder().decode([Problem].self, from: body)) ?? []
                    throw WeftError.invalid(problems.map { var q = $0; q.file = "\(p.name)/\($0.file ?? "")"; return q })
                }
                guard let job = JobCodec.decode(body) else {
                    throw WeftError.workspace("the job index entry of \(p.name)/\(row[0] as String) is damaged; it is rebuilt on the next change")
                }
                found.append(JobRecord(project: p.name, job: job, path: row[0], blob: row[1]))
            }
        }
        guard let first = found.first else {
            throw WeftError.notFound(kind: "job", name: ref, hint: "list jobs with 'weft job list'")
        }
        if found.count > 1 {
            throw WeftError.invalid("job name '\(ref)' is in several projects; write PROJECT/JOB (\(found.map(\.qualifiedName).joined(separator: ", ")))")
        }
        return first
    }

    func jobResource(_ record: JobRecord) throws -> Resource {
        .job(name: record.job.name, project: try project(record.project), fabric: try fabric(record.job.fabric))
    }

    /// What duplicating `ref` onto `fabric` would create (the TUI's preview); checks permissions.
    public func planDuplicate(_ principal: Principal, _ ref: String, fabric target: String, name: String? = nil) throws -> (source: JobRecord, plan: DuplicationPlan) {
        let source = try findJob(ref)
        let f = try fabric(target)
        let project = try self.project(source.project)
        let proposed = name ?? DuplicationPlanner.proposedName(source: source.job, target: f)
        try authorize(principal, .duplicateJob, .fabric(f), project: project.name)
        try authorize(principal, .readProject, .project(project))
        if let name { try Names.validate(name, kind: "job") }
        let commit = git(source.project).head() ?? ""
        let plan = DuplicationPlanner.plan(
            source: source.job, sourceCommit: commit, target: f, pipelines: try pipelines(project: source.project), name: proposed)
        return (source, plan)
    }

    /// Duplicates a job onto a fabric: a new disabled job file with `based_on`, committed as `principal`.
    @discardableResult
    public func duplicateJob(_ principal: Principal, _ ref: String, fabric target: String, name: String? = nil) throws -> (record: JobRecord, plan: DuplicationPlan) {
        let (source, plan) = try planDuplicate(principal, ref, fabric: target, name: name)
        let path = "jobs/\(plan.job.name).yaml"
        let pipelines = try self.pipelines(project: source.project)
        let problems = JobValidator.structuralProblems(plan.job, pipelines: pipelines, file: path)
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        let res = try jobResource(JobRecord(project: source.project, job: plan.job, path: path, blob: ""))
        // Job names are unique in a project ignoring case and Unicode compatibility forms (their files too).
        try refreshJobIndex(project: source.project)
        let names = try metastore.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM job_index WHERE project = ?", arguments: [source.project])
        }
        try Names.checkUnique(plan.job.name, kind: "job", existing: names, displayName: "\(source.project)/\(plan.job.name)")
        let content = ProjectFiles.encodeJob(plan.job)
        let trees = try writeFiles(
            principal, project: source.project, files: [path: content], expecting: [path: ""],
            message: "Duplicate job \(source.job.name) onto fabric \(target) as \(plan.job.name)",
            audit: event(
                principal, .duplicateJob, res,
                detail: "from \(source.job.name)" + (plan.unmapped.isEmpty ? "" : "; tasks without a \(target) configuration: \(plan.unmapped.joined(separator: ", "))")))
        return (try indexCommittedJob(project: source.project, path: path, job: plan.job, content: content, trees: trees), plan)
    }

    /// Replaces a job's definition (validated), if its file is still the version read (`record.blob`).
    @discardableResult
    public func updateJob(_ principal: Principal, _ record: JobRecord, to newJob: Job, action: Action, message: String, detail: String) throws -> JobRecord {
        try authorize(principal, action, try jobResource(record), project: record.project)
        guard newJob.name == record.job.name else { throw WeftError.invalid("a job cannot be renamed by editing; duplicate it instead") }
        if newJob.fabric != record.job.fabric {
            // Moving a job to another fabric needs that fabric's team too.
            try authorize(principal, .createJob, try jobResource(JobRecord(project: record.project, job: newJob, path: record.path, blob: "")), project: record.project)
        }
        let pipelines = try self.pipelines(project: record.project)
        let problems = JobValidator.structuralProblems(newJob, pipelines: pipelines, file: record.path)
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        if newJob.enabled {
            let enableProblems = JobValidator.enableProblems(newJob, pipelines: pipelines, fabric: try fabric(newJob.fabric))
            if !enableProblems.isEmpty {
                throw WeftError.invalid([Problem("\(record.job.name) cannot be enabled:")] + enableProblems)
            }
        }
        let content = ProjectFiles.encodeJob(newJob)
        let trees = try writeFiles(
            principal, project: record.project, files: [record.path: content], expecting: [record.path: record.blob],
            message: message, audit: event(principal, action, try jobResource(record), detail: detail))
        return try indexCommittedJob(project: record.project, path: record.path, job: newJob, content: content, trees: trees)
    }

    /// Sets a task's configuration instance and overrides (`key=value`; `unset` removes overrides).
    @discardableResult
    public func configureTask(
        _ principal: Principal, _ ref: String, task key: String, instance: String?, assignments: [String], unset: [String] = [],
        expectedBlob: String? = nil
    ) throws -> JobRecord {
        var record = try findJob(ref)
        try authorize(principal, .editJob, try jobResource(record), project: record.project)
        if let expectedBlob, expectedBlob != record.blob {
            throw WeftError.conflict("\(record.qualifiedName) was changed by someone else since you read it; nothing was written — reload and apply your change again")
        }
        if let expectedBlob { record.blob = expectedBlob }
        guard let index = record.job.tasks.firstIndex(where: { $0.key == key }) else {
            throw WeftError.notFound(kind: "task", name: key, hint: "tasks of \(record.job.name): \(record.job.tasks.map(\.key).joined(separator: ", "))")
        }
        guard case .pipeline(let pname, let config, var overrides) = record.job.tasks[index].action else {
            throw WeftError.invalid("task '\(key)' runs a script; only pipeline tasks have a configuration")
        }
        guard let pipeline = try pipelines(project: record.project)[pname] else {
            throw WeftError.notFound(kind: "pipeline", name: pname, hint: "the task names a pipeline the project does not have")
        }
        if let instance, pipeline.instances[instance] == nil {
            throw WeftError.invalid(
                "pipeline \(pname) has no configuration instance '\(instance)' (instances: \(pipeline.instances.keys.sorted().joined(separator: ", "))); create it with 'weft pipeline config \(record.project)/\(pname) --instance \(instance) --set …'")
        }
        var problems: [Problem] = []
        for a in assignments {
            let (k, text) = try ConfigValueParser.splitAssignment(a)
            guard let field = pipeline.field(named: k) else {
                problems.append(Problem("unknown field '\(k)' for pipeline \(pname) (fields: \(pipeline.schema.map(\.name).joined(separator: ", ")))"))
                continue
            }
            do {
                let v = try ConfigValueParser.parse(text, for: field)
                problems += ConfigValidator.problems(of: v, for: field, context: "task '\(key)'")
                overrides[k] = v
            } catch { problems.append(Problem("\(error)")) }
        }
        for k in unset { overrides[k] = nil }
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        var job = record.job
        job.tasks[index].action = .pipeline(name: pname, config: instance ?? config, overrides: overrides)
        let what = ([instance.map { "instance \($0)" }].compactMap { $0 } + assignments.map { "set " + ($0.split(separator: "=").first.map(String.init) ?? "") } + unset.map { "unset \($0)" })
            .joined(separator: ", ")
        return try updateJob(
            principal, record, to: job, action: .editJob, message: "Configure task \(key) of job \(job.name)",
            detail: "task \(key): \(what)")
    }

    /// Enables or disables a job. Enabling validates it first and refuses with every problem found.
    @discardableResult
    public func setEnabled(_ principal: Principal, _ ref: String, enabled: Bool, expectedBlob: String? = nil) throws -> JobRecord {
        var record = try findJob(ref)
        let action: Action = enabled ? .enableJob : .disableJob
        try authorize(principal, action, try jobResource(record), project: record.project)
        if let expectedBlob, expectedBlob != record.blob {
            throw WeftError.conflict("\(record.qualifiedName) was changed by someone else since you read it; nothing was written — reload and try again")
        }
        if let expectedBlob { record.blob = expectedBlob }
        if record.job.enabled == enabled { return record }
        var job = record.job
        job.enabled = enabled
        return try updateJob(
            principal, record, to: job, action: action, message: "\(enabled ? "Enable" : "Disable") job \(job.name)",
            detail: enabled ? "enabled" : "disabled")
    }

    /// Differences between a job and another (default: the job it was duplicated from).
    public func diff(_ principal: Principal, _ ref: String, other: String? = nil) throws -> (left: JobRecord, right: JobRecord, differences: [JobDifference]) {
        let left = try job(principal, ref)
        let otherRef: String
        if let other { otherRef = other } else {
            guard let b = left.job.basedOn else {
                throw WeftError.invalid("\(left.job.name) was not duplicated from another job; name the job to compare with: weft job diff \(ref) OTHER")
            }
            otherRef = "\(left.project)/\(b.job)"
        }
        let right = try job(principal, otherRef)
        var pipelines = try self.pipelines(project: left.project)
        if right.project != left.project { pipelines.merge(try self.pipelines(project: right.project)) { a, _ in a } }
        return (left, right, JobDiff.compute(left: left.job, right: right.job, pipelines: pipelines))
    }
}
