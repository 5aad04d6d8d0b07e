import Foundation
import WeftDomain

/// A project's files read from a directory: pipelines, jobs, and the problems of malformed files.
/// A malformed file is reported and skipped; the rest of the project still loads.
struct ProjectContents {
    var pipelines: [String: Pipeline] = [:]
    var pipelineProblems: [Problem] = []
    var jobs: [String: JobRecord] = [:]
    var jobProblems: [Problem] = []

    static func loadPipelines(directory: String) throws -> (pipelines: [String: Pipeline], problems: [Problem]) {
        let fm = FileManager.default
        var out: [String: Pipeline] = [:]
        var problems: [Problem] = []
        let names = (try? fm.contentsOfDirectory(atPath: directory + "/pipelines")) ?? []
        for dir in names.sorted() where !dir.hasPrefix(".") {
            let rel = "pipelines/\(dir)/pipeline.yaml"
            guard let read = ProjectText.read(directory + "/" + rel, file: rel) else { continue }
            guard case .text(let text) = read else {
                if case .notText(let problem) = read { problems.append(problem) }
                continue
            }
            do {
                let p = try ProjectFiles.decodePipeline(text, file: rel)
                if p.name != dir {
                    problems.append(Problem(file: rel, line: 1, "the pipeline is named '\(p.name)' but lives in pipelines/\(dir); make them match"))
                    continue
                }
                if !fm.fileExists(atPath: directory + "/pipelines/\(dir)/\(p.entry)") {
                    problems.append(Problem(file: rel, "entry '\(p.entry)' does not exist in pipelines/\(dir)"))
                }
                out[p.name] = p
            } catch {
                guard case .invalid(let ps) = error else { throw error }
                problems += ps
            }
        }
        return (out, problems)
    }

    /// Decodes one job file and checks it against the project's pipelines; problems carry file:line.
    static func decodeJob(_ text: String, path: String, pipelines: [String: Pipeline]) throws(WeftError) -> Job {
        let decoded = try ProjectFiles.decodeJob(text, file: path)
        var job = decoded.job
        // Read override values as their schema's types.
        job.tasks = job.tasks.map { t in
            guard case .pipeline(let name, let config, let overrides) = t.action, let p = pipelines[name] else { return t }
            var task = t
            task.action = .pipeline(
                name: name, config: config,
                overrides: overrides.reduce(into: [:]) { acc, kv in
                    acc[kv.key] = p.field(named: kv.key).map { ConfigValidator.coerce(kv.value, for: $0) } ?? kv.value
                })
            return task
        }
        let problems = JobValidator.structuralProblems(job, pipelines: pipelines, file: path).map { p -> Problem in
            var q = p
            if let key = decoded.taskLines.keys.first(where: { p.message.hasPrefix("task '\($0)'") }) { q.line = decoded.taskLines[key] }
            return q
        }
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var all = problems
        if job.name != stem { all.append(Problem(file: path, line: 1, "the job is named '\(job.name)' but its file is \(path); make them match")) }
        if !all.isEmpty { throw .invalid(all) }
        return job
    }

    static func load(directory: String, project: String) throws -> ProjectContents {
        var c = ProjectContents()
        (c.pipelines, c.pipelineProblems) = try loadPipelines(directory: directory)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/jobs")) ?? []
        for file in files.sorted() where !file.hasPrefix(".") {
            let rel = "jobs/\(file)"
            guard file.hasSuffix(".yaml") || file.hasSuffix(".yml") else {
                // Not a job file, but jobs/ holds jobs: a binary file there is a mistake to point out, not to import.
                if case .notText(let problem)? = ProjectText.read(directory + "/" + rel, file: rel) {
                    c.jobProblems.append(Problem(file: rel, line: problem.line, problem.message + " (jobs/ holds job files, jobs/NAME.yaml)"))
                }
                continue
            }
            guard let read = ProjectText.read(directory + "/" + rel, file: rel) else { continue }
            guard case .text(let text) = read else {
                if case .notText(let problem) = read { c.jobProblems.append(problem) }
                continue
            }
            do {
                let job = try decodeJob(text, path: rel, pipelines: c.pipelines)
                c.jobs[job.name] = JobRecord(project: project, job: job, path: rel, blob: "")
            } catch {
                guard case .invalid(let ps) = error else { throw error }
                c.jobProblems += ps
            }
        }
        return c
    }
}
