/// Every difference between two versions of one job's definition, for deployment and promotion plans.
///
/// The paths and value renderings are `JobDiff`'s (`fabric`, `schedule`, `enabled`, `max_concurrent_runs`,
/// `tasks.KEY`, `tasks.KEY.depends_on`, `.run_if`, `.retries`, `.timeout`, `.script`, `.pipeline`, `.config`,
/// `.values.FIELD`, `.overrides.FIELD`, `.action`), so the CLI prints one vocabulary. Where `JobDiff` (made for the
/// side-by-side view) leaves something out, this adds it, because a deployment must ignore nothing:
///
/// - `schedule` also differs when only `catchup` does (rendered `cron (timezone, catchup)`);
/// - `notifications.on_failure`, `notifications.on_success`, `description` and `based_on` (`JOB@COMMIT`);
/// - `tasks` when the same tasks are listed in another order;
/// - `values.FIELD` resolves each side with its own pipelines (the deployed job with the pipelines it was deployed
///   with), so a changed configuration instance in `pipeline.yaml` shows up as the values it changes.
enum JobDefinitionDiff {
    /// The differences, job-level fields first, then task by task (the left job's tasks in order, then the right's new ones).
    static func compute(
        left: Job, right: Job, leftPipelines: [String: Pipeline], rightPipelines: [String: Pipeline]
    ) -> [JobDifference] {
        var out: [JobDifference] = []
        func cmp(_ path: String, _ l: String?, _ r: String?) {
            if l != r { out.append(JobDifference(path: path, left: l, right: r)) }
        }
        cmp("fabric", left.fabric, right.fabric)
        cmp("schedule", left.schedule.map(render), right.schedule.map(render))
        cmp("enabled", String(left.enabled), String(right.enabled))
        cmp("max_concurrent_runs", String(left.maxConcurrentRuns), String(right.maxConcurrentRuns))
        cmp("notifications.on_failure", list(left.notifications.onFailure), list(right.notifications.onFailure))
        cmp("notifications.on_success", list(left.notifications.onSuccess), list(right.notifications.onSuccess))
        cmp("description", left.description, right.description)
        cmp("based_on", left.basedOn.map(render), right.basedOn.map(render))

        let leftKeys = left.tasks.map(\.key)
        let rightKeys = right.tasks.map(\.key)
        if leftKeys != rightKeys && Set(leftKeys) == Set(rightKeys) && leftKeys.count == rightKeys.count {
            cmp("tasks", list(leftKeys), list(rightKeys))
        }
        let lt = Dictionary(left.tasks.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let rt = Dictionary(right.tasks.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        let keys = (leftKeys + rightKeys.filter { lt[$0] == nil }).filter { seen.insert($0).inserted }
        for key in keys {
            let p = "tasks.\(key)"
            guard let l = lt[key] else {
                cmp(p, nil, JobDiff.summary(rt[key]))
                continue
            }
            guard let r = rt[key] else {
                cmp(p, JobDiff.summary(l), nil)
                continue
            }
            JobDiff.compareTasks(p, l, r, leftPipelines: leftPipelines, rightPipelines: rightPipelines, cmp)
        }
        return out
    }

    /// `JobDiff`'s rendering (`cron (timezone)`), with `, catchup` inside the parentheses when it is on.
    static func render(_ s: JobSchedule) -> String {
        s.catchup ? "\(s.cron) (\(s.timezone), catchup)" : JobDiff.render(s)
    }

    /// `JOB@COMMIT`.
    static func render(_ b: BasedOn) -> String { "\(b.job)@\(b.commit)" }

    /// A list as `JobDiff` renders `depends_on`: `a, b`.
    static func list(_ items: [String]) -> String { items.joined(separator: ", ") }
}
