import Foundation
import GRDB
import WeftDomain

extension Workspace {
    /// Every registered project.
    public func projects() throws -> [Project] {
        try metastore.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, owner_team, description FROM projects ORDER BY name").map {
                Project(name: $0[0], ownerTeam: $0[1], description: $0[2])
            }
        }
    }

    /// The project named `name`.
    public func project(_ name: String) throws -> Project {
        guard let p = try projects().first(where: { $0.name == name }) else {
            throw WeftError.notFound(kind: "project", name: name, hint: "list projects with 'weft project list'")
        }
        return p
    }

    /// Git access to a project's repository.
    public func git(_ project: String) -> Git { Git(directory: projectDirectory(project)) }

    static func author(_ p: Principal) -> Git.Author { Git.Author(name: p.name, email: "\(p.name)@weft.local") }

    /// Creates a project owned by `owner`, empty or imported from `source` (a directory, copied without its .git).
    /// The import is validated first: nothing is created when a file is malformed.
    public func createProject(_ principal: Principal, name: String, owner: String, description: String = "", from source: String? = nil) throws {
        let project = Project(name: name, ownerTeam: owner, description: description)
        // The owner team must exist before a denial can name it as the team that would be needed.
        guard try teams().contains(where: { $0.name == owner }) else {
            throw WeftError.notFound(kind: "team", name: owner, hint: "create it first with 'weft team create \(owner)'")
        }
        try authorize(principal, .createProject, .project(project))
        try Names.checkUnique(name, kind: "project", existing: try projects().map(\.name))
        try Names.validate(name, kind: "project")
        let fm = FileManager.default
        let dir = projectDirectory(name)
        let staging = projectsDirectory + "/.staging-\(name)-\(getpid())"
        try? fm.removeItem(atPath: staging)
        if let source {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: source, isDirectory: &isDir), isDir.boolValue else {
                throw WeftError.notFound(kind: "directory", name: source, hint: "give --from a directory holding project.yaml, pipelines/ and jobs/")
            }
            try fm.copyItem(atPath: source, toPath: staging)
            try? fm.removeItem(atPath: staging + "/.git")
        } else {
            try fm.createDirectory(atPath: staging + "/pipelines", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: staging + "/jobs", withIntermediateDirectories: true)
        }
        do {
            var desc = description
            if let read = ProjectText.read(staging + "/project.yaml", file: "project.yaml") {
                let text: String
                switch read {
                case .text(let t): text = t
                case .notText(let problem): throw WeftError.invalid([problem])
                }
                let decoded = try ProjectFiles.decodeProject(text, file: "project.yaml")
                if desc.isEmpty { desc = decoded.description }
            }
            try FileIO.atomicWrite(Data(ProjectFiles.encodeProject(name: name, description: desc).utf8), to: staging + "/project.yaml")
            // Validate every file before anything is registered.
            let contents = try ProjectContents.load(directory: staging, project: name)
            var problems = contents.pipelineProblems + contents.jobProblems
            var seenJobs: [String] = []
            for job in contents.jobs.values.sorted(by: { $0.path < $1.path }) {
                if let other = Names.clash(job.job.name, with: seenJobs) {
                    problems.append(
                        Problem(
                            file: job.path, line: 1,
                            "job name '\(job.job.name)' is the same as job '\(other)' ignoring case and Unicode compatibility forms; job names are unique in a project — rename one"))
                }
                seenJobs.append(job.job.name)
            }
            let fabricNames = Set(try fabrics().map(\.name))
            for job in contents.jobs.values where !fabricNames.contains(job.job.fabric) {
                let lines = ((try? String(contentsOfFile: staging + "/" + job.path, encoding: .utf8)) ?? "").components(separatedBy: "\n")
                let line = lines.firstIndex { $0.hasPrefix("fabric:") }.map { $0 + 1 }
                problems.append(Problem(file: job.path, line: line, "job \(job.job.name) names fabric '\(job.job.fabric)', which does not exist"))
            }
            if !problems.isEmpty { throw WeftError.invalid(problems) }
            for job in contents.jobs.values {
                let f = try fabric(job.job.fabric)
                try authorize(principal, .createJob, .job(name: job.job.name, project: project, fabric: f), project: name)
            }
            let g = Git(directory: staging)
            try g.initRepository()
            try g.run(["add", "-A"], author: Self.author(principal))
            try g.run(["commit", "-q", "--no-verify", "-m", "Create project \(name)"], author: Self.author(principal))
            guard rename(staging, dir) == 0 else { throw WeftError.failure("cannot move the project into \(dir): \(String(cString: strerror(errno)))") }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
        do {
            try metastore.pool.write { db in
                try db.execute(
                    sql: "INSERT INTO projects(name, owner_team, description, created_at) VALUES (?,?,?,?)",
                    arguments: [name, owner, description, Date().timeIntervalSince1970])
                try Workspace.insertAudit(db, event(principal, .createProject, .project(project), detail: source.map { "imported from \($0)" } ?? ""))
            }
        } catch {
            try? fm.removeItem(atPath: dir)
            throw error
        }
    }

    /// Reads a project's pipelines (from its working tree, which always equals HEAD between Weft commits).
    public func pipelines(project: String) throws -> [String: Pipeline] {
        try ProjectContents.loadPipelines(directory: projectDirectory(project)).pipelines
    }

    /// Pipelines of readable projects, with problems of malformed files.
    public func listPipelines(_ principal: Principal, project: String? = nil) throws -> (pipelines: [(project: String, pipeline: Pipeline)], problems: [Problem]) {
        var out: [(String, Pipeline)] = []
        var problems: [Problem] = []
        for p in try projects() where project == nil || p.name == project {
            if project != nil { try authorize(principal, .readProject, .project(p)) } else if !PermissionPolicy.allows(principal, .readProject, .project(p)) { continue }
            let loaded = try ProjectContents.loadPipelines(directory: projectDirectory(p.name))
            out += loaded.pipelines.values.sorted { $0.name < $1.name }.map { (p.name, $0) }
            problems += loaded.problems.map { Problem(file: "\(p.name)/\($0.file ?? "")", line: $0.line, $0.message) }
        }
        return (out, problems)
    }

    /// Splits `PROJECT/NAME` or finds the single project holding pipeline `NAME`.
    public func pipeline(_ principal: Principal, _ ref: String) throws -> (project: Project, pipeline: Pipeline) {
        let found = try findPipeline(ref)
        try authorize(principal, .readProject, .project(found.project))
        return found
    }

    /// Finds a pipeline without a permission check (callers check the action they perform).
    func findPipeline(_ ref: String) throws -> (project: Project, pipeline: Pipeline) {
        let parts = ref.split(separator: "/").map(String.init)
        var candidates: [(Project, Pipeline)] = []
        for p in try projects() where parts.count == 1 || p.name == parts[0] {
            if let pl = try pipelines(project: p.name)[parts.last ?? ref] { candidates.append((p, pl)) }
        }
        guard let first = candidates.first else {
            throw WeftError.notFound(kind: "pipeline", name: ref, hint: "list pipelines with 'weft pipeline list'")
        }
        if candidates.count > 1 {
            throw WeftError.invalid("pipeline name '\(ref)' is ambiguous; write PROJECT/PIPELINE (\(candidates.map { "\($0.0.name)/\($0.1.name)" }.joined(separator: ", ")))")
        }
        return first
    }

    /// Sets values of a pipeline's configuration instance (creating the instance if new), validated against the schema.
    public func setPipelineConfig(_ principal: Principal, _ ref: String, instance: String, assignments: [String]) throws -> Pipeline {
        let (project, pipeline) = try findPipeline(ref)
        try Names.validate(instance, kind: "configuration instance")
        // What a fabric runs belongs to its team: an instance a fabric uses is changed only by that fabric's team
        // (asked first, like a job's fabric: that is the team the message should name), then the project's.
        let using = try fabricsUsing(instance: instance, pipeline: pipeline.name, project: project.name)
        for f in using {
            if var denial = PermissionPolicy.check(principal, .editPipeline, .fabric(f)) {
                denial.object = "configuration \(instance) of pipeline \(project.name)/\(pipeline.name), which fabric \(f.name) uses"
                audit(principal.name, Action.editPipeline.rawValue, .fabric(f), project: project.name, result: .denied, detail: denial.description)
                throw WeftError.permissionDenied(denial)
            }
        }
        try authorize(principal, .editPipeline, .project(project))
        var updated = pipeline
        var values = pipeline.instances[instance] ?? [:]
        var problems: [Problem] = []
        for a in assignments {
            let (key, text) = try ConfigValueParser.splitAssignment(a)
            guard let field = pipeline.field(named: key) else {
                problems.append(Problem("unknown field '\(key)' for pipeline \(pipeline.name) (fields: \(pipeline.schema.map(\.name).joined(separator: ", ")))"))
                continue
            }
            do {
                let v = try ConfigValueParser.parse(text, for: field)
                problems += ConfigValidator.problems(of: v, for: field, context: "instance \(instance)")
                values[key] = v
            } catch { problems.append(Problem("\(error)")) }
        }
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        updated.instances[instance] = values
        // Audited with each fabric concerned (so `weft audit --fabric production` shows it), else with the project.
        let detail = "pipeline \(pipeline.name) instance \(instance): \(assignments.map { $0.split(separator: "=").first.map(String.init) ?? "" }.joined(separator: ", "))"
        let auditEvents =
            using.isEmpty
            ? [event(principal, .editPipeline, .project(project), detail: detail)]
            : using.map { f in
                var e = event(principal, .editPipeline, .fabric(f), project: project.name, detail: detail)
                e.object = "configuration \(instance) of pipeline \(project.name)/\(pipeline.name) (used by fabric \(f.name))"
                return e
            }
        let path = "pipelines/\(pipeline.name)/pipeline.yaml"
        let blob = (try? git(project.name).run(["rev-parse", "HEAD:" + path]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        try writeFiles(
            principal, project: project.name, files: [path: ProjectFiles.encodePipeline(updated)], expecting: [path: blob],
            message: "Set configuration \(instance) of pipeline \(pipeline.name)",
            audit: auditEvents.first, alsoAudit: Array(auditEvents.dropFirst()))
        return updated
    }

    /// The fabrics that use configuration `instance` of a pipeline of `project` (`ConfigInstanceUse`): named after
    /// the fabric or its stage, or referenced by a job on the fabric at HEAD or as deployed there.
    public func fabricsUsing(instance: String, pipeline: String, project: String) throws -> [Fabric] {
        let head = try indexedJobs(projects: [project]).jobs.map(\.job)
        let deployed = try allDeployedJobs().filter { $0.project == project }.map { d in
            var job = d.definition
            job.fabric = d.fabric
            return job
        }
        return ConfigInstanceUse.fabrics(instance: instance, pipeline: pipeline, fabrics: try fabrics(), jobs: head + deployed)
    }
}
