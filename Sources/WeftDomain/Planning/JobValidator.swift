import Foundation

/// Validates jobs: structure on every save, and everything a run needs before a job may be enabled.
public enum JobValidator {
    /// Problems that make a job file unacceptable to save.
    public static func structuralProblems(_ job: Job, pipelines: [String: Pipeline], file: String? = nil) -> [Problem] {
        var out: [Problem] = []
        if let p = Names.problem(job.name, kind: "job") { out.append(Problem(file: file, p.message)) }
        if job.maxConcurrentRuns < 1 { out.append(Problem(file: file, "max_concurrent_runs must be at least 1")) }
        if job.tasks.isEmpty { out.append(Problem(file: file, "the job has no tasks")) }
        out += TaskGraph.problems(job.tasks, file: file)
        for t in job.tasks {
            if t.retries < 0 || t.retries > 100 { out.append(Problem(file: file, "task '\(t.key)': retries must be between 0 and 100")) }
            if let to = t.timeout, !(to > 0) { out.append(Problem(file: file, "task '\(t.key)': timeout must be a positive number of seconds")) }
            switch t.action {
            case .script(let cmd):
                if cmd.trimmingCharacters(in: .whitespaces).isEmpty { out.append(Problem(file: file, "task '\(t.key)': the script is empty")) }
            case .pipeline(let name, let config, let overrides):
                guard let pipeline = pipelines[name] else {
                    out.append(Problem(file: file, "task '\(t.key)': no pipeline named '\(name)' in this project"))
                    continue
                }
                if let config, pipeline.instances[config] == nil {
                    let known = pipeline.instances.keys.sorted().joined(separator: ", ")
                    out.append(
                        Problem(file: file, "task '\(t.key)': pipeline \(name) has no configuration instance '\(config)' (instances: \(known))"))
                }
                out += ConfigValidator.problems(of: overrides, pipeline: pipeline, context: "task '\(t.key)' overrides", requireAll: false)
                    .map { Problem(file: file, $0.message) }
            }
        }
        if let s = job.schedule { out += scheduleProblems(s).map { Problem(file: file, $0.message) } }
        return out
    }

    /// Problems with a schedule: the cron text and the timezone.
    public static func scheduleProblems(_ s: JobSchedule) -> [Problem] {
        var out: [Problem] = []
        do { _ = try CronSchedule(parsing: s.cron) } catch { out.append(Problem("schedule: \(error)")) }
        if TimeZone(identifier: s.timezone) == nil {
            out.append(Problem("schedule: unknown timezone '\(s.timezone)'; use an IANA name such as Europe/Berlin or UTC"))
        }
        return out
    }

    /// Everything that must hold before a job may be enabled: structure, pipelines exist, every required
    /// configuration value set, secrets named on the fabric.
    public static func enableProblems(_ job: Job, pipelines: [String: Pipeline], fabric: Fabric) -> [Problem] {
        var out = structuralProblems(job, pipelines: pipelines)
        for t in job.tasks {
            guard case .pipeline(let name, let config, let overrides) = t.action, let pipeline = pipelines[name] else { continue }
            if config == nil && pipeline.schema.contains(where: { $0.required && $0.defaultValue == nil }) {
                out.append(Problem("task '\(t.key)': no configuration instance chosen for pipeline \(name)"))
            }
            let values = ConfigValidator.resolve(pipeline: pipeline, instance: config, overrides: overrides)
            for field in pipeline.schema where field.required && values[field.name] == nil {
                out.append(Problem("task '\(t.key)': required value '\(field.name)' of pipeline \(name) is not set"))
            }
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                guard let field = pipeline.field(named: key) else { continue }
                out += ConfigValidator.problems(of: value, for: field, context: "task '\(t.key)'")
                if case .secret(let secretName) = value, !fabric.secretNames.contains(secretName) {
                    out.append(
                        Problem(
                            "task '\(t.key)': \(key) names secret '\(secretName)', which fabric \(fabric.name) does not have; set it with 'weft fabric set-secret \(fabric.name) \(secretName) --value-stdin'"
                        ))
                }
            }
        }
        var seen = Set<String>()
        return out.filter { seen.insert($0.description).inserted }
    }
}
