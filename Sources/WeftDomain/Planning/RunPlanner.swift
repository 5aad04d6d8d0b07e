/// Turns a job at a revision into a `RunPlan` (pure): checks what a run needs and resolves each pipeline task's
/// configuration, keeping secrets as references.
public enum RunPlanner {
    /// The plan of one run of `job` (read at `revision`) on `fabric`. Throws `WeftError.invalid` with every problem
    /// that stops the run: structure, unknown pipelines or instances, required values not set, secrets the fabric
    /// does not have.
    public static func plan(
        runID: String, project: String, job: Job, file: String?, pipelines: [String: Pipeline], fabric: Fabric,
        revision: RunRevision, trigger: RunTrigger, user: String
    ) throws(WeftError) -> RunPlan {
        var problems = JobValidator.structuralProblems(job, pipelines: pipelines, file: file)
        var tasks: [PlannedTask] = []
        for t in job.tasks {
            switch t.action {
            case .script:
                tasks.append(
                    PlannedTask(
                        key: t.key, action: t.action, pipeline: nil, config: [:], dependsOn: t.dependsOn, runIf: t.runIf,
                        retries: t.retries, timeout: t.timeout))
            case .pipeline(let name, let config, let overrides):
                guard let p = pipelines[name] else { continue }
                let values = ConfigValidator.resolve(pipeline: p, instance: config, overrides: overrides)
                for f in p.schema where f.required && values[f.name] == nil {
                    problems.append(Problem("task '\(t.key)': required value '\(f.name)' of pipeline \(name) is not set"))
                }
                let task = PlannedTask(
                    key: t.key, action: t.action,
                    pipeline: PlannedPipeline(name: name, kind: p.kind, entry: p.entry, directory: "pipelines/\(name)"),
                    config: values, dependsOn: t.dependsOn, runIf: t.runIf, retries: t.retries, timeout: t.timeout)
                for secret in task.secretReferences.sorted() where !fabric.secretNames.contains(secret) {
                    problems.append(
                        Problem(
                            "task '\(t.key)' needs secret '\(secret)', which fabric \(fabric.name) does not have; set it with 'weft fabric set-secret \(fabric.name) \(secret) --value-stdin'"
                        ))
                }
                tasks.append(task)
            }
        }
        if !problems.isEmpty { throw WeftError.invalid([Problem("\(job.name) cannot run:")] + problems) }
        return RunPlan(
            runID: runID, project: project, job: job.name, fabric: fabric, revision: revision, trigger: trigger, user: user,
            maxConcurrentRuns: job.maxConcurrentRuns, tasks: tasks)
    }
}
