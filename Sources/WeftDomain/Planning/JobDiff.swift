/// One difference between two jobs.
public struct JobDifference: Sendable, Hashable, Codable {
    /// Where: `schedule`, `enabled`, `tasks.clean.config`, `tasks.clean.values.sample_rate`, …
    public var path: String
    /// The value in the left (e.g. production) job, nil when absent.
    public var left: String?
    /// The value in the right (e.g. development source) job, nil when absent.
    public var right: String?

    public init(path: String, left: String?, right: String?) {
        self.path = path
        self.left = left
        self.right = right
    }
}

/// Compares two jobs field by field: schedule, enabled state, tasks, and each task's resolved configuration values.
public enum JobDiff {
    public static func compute(left: Job, right: Job, pipelines: [String: Pipeline]) -> [JobDifference] {
        var out: [JobDifference] = []
        func cmp(_ path: String, _ l: String?, _ r: String?) {
            if l != r { out.append(JobDifference(path: path, left: l, right: r)) }
        }
        cmp("fabric", left.fabric, right.fabric)
        cmp("schedule", left.schedule.map(render), right.schedule.map(render))
        cmp("enabled", String(left.enabled), String(right.enabled))
        cmp("max_concurrent_runs", String(left.maxConcurrentRuns), String(right.maxConcurrentRuns))
        let lt = Dictionary(left.tasks.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let rt = Dictionary(right.tasks.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var keys = left.tasks.map(\.key)
        keys += right.tasks.map(\.key).filter { lt[$0] == nil }
        for key in keys {
            let p = "tasks.\(key)"
            guard let l = lt[key] else { cmp(p, nil, summary(rt[key])); continue }
            guard let r = rt[key] else { cmp(p, summary(l), nil); continue }
            compareTasks(p, l, r, leftPipelines: pipelines, rightPipelines: pipelines, cmp)
        }
        return out
    }

    /// The differences of two versions of one task (`PATH.depends_on`, `.run_if`, `.retries`, `.timeout`, `.script`,
    /// `.pipeline`, `.config`, `.values.F` with each side resolved by its own pipelines, `.overrides.F`, `.action`).
    static func compareTasks(
        _ p: String, _ l: JobTask, _ r: JobTask, leftPipelines: [String: Pipeline], rightPipelines: [String: Pipeline],
        _ cmp: (String, String?, String?) -> Void
    ) {
        cmp("\(p).depends_on", l.dependsOn.joined(separator: ", "), r.dependsOn.joined(separator: ", "))
        cmp("\(p).run_if", l.runIf.rawValue, r.runIf.rawValue)
        cmp("\(p).retries", String(l.retries), String(r.retries))
        cmp("\(p).timeout", l.timeout.map { String($0) }, r.timeout.map { String($0) })
        switch (l.action, r.action) {
        case (.script(let a), .script(let b)): cmp("\(p).script", a, b)
        case (.pipeline(let ln, let lc, let lo), .pipeline(let rn, let rc, let ro)):
            cmp("\(p).pipeline", ln, rn)
            cmp("\(p).config", lc, rc)
            let lv = leftPipelines[ln].map { ConfigValidator.resolve(pipeline: $0, instance: lc, overrides: lo) } ?? lo
            let rv = rightPipelines[rn].map { ConfigValidator.resolve(pipeline: $0, instance: rc, overrides: ro) } ?? ro
            for k in Set(lv.keys).union(rv.keys).sorted() {
                cmp("\(p).values.\(k)", lv[k]?.display, rv[k]?.display)
            }
            for k in Set(lo.keys).union(ro.keys).sorted() where lo[k] != ro[k] {
                cmp("\(p).overrides.\(k)", lo[k]?.display, ro[k]?.display)
            }
        default: cmp("\(p).action", summary(l), summary(r))
        }
    }

    static func render(_ s: JobSchedule) -> String { "\(s.cron) (\(s.timezone))" }

    static func summary(_ t: JobTask?) -> String? {
        guard let t else { return nil }
        switch t.action {
        case .script(let s): return "script: \(s)"
        case .pipeline(let n, let c, _): return "pipeline \(n)" + (c.map { " [\($0)]" } ?? "")
        }
    }
}
