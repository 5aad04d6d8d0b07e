/// Which side wins a promotion conflict (`weft job promote JOB --take source|target FIELD`).
public enum PromotionSide: String, Sendable, Hashable, Codable, CaseIterable {
    /// The job the target was duplicated from (e.g. the development job).
    case source
    /// The job being brought up to date (e.g. the production job).
    case target
}

/// One field a promotion changes on the target job.
public struct PromotionChange: Sendable, Hashable, Codable {
    /// The field, spelled like `JobDiff`: `schedule`, `tasks.validate`, `tasks.clean.depends_on`, …
    public var path: String
    /// The target's value now; nil when absent (e.g. a task the promotion adds).
    public var from: String?
    /// The value after the promotion; nil when removed.
    public var to: String?

    /// A change.
    public init(path: String, from: String?, to: String?) {
        self.path = path
        self.from = from
        self.to = to
    }
}

/// A field both the source and the target changed, to different values, since the `based_on` commit.
public struct PromotionConflict: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The field, as `--take` names it: `tasks.clean.retries`, `schedule`, or `tasks.KEY` when one side removed a
    /// task the other changed.
    public var path: String
    /// The value at the `based_on` commit (nil: absent, e.g. a task both sides added).
    public var base: String?
    /// The source's value now (nil: absent or removed).
    public var source: String?
    /// The target's value now (nil: absent or removed).
    public var target: String?
    /// For a task one side removed: the fields of it the other side changed.
    public var fields: [String]
    /// The side chosen with `--take`, nil while unresolved.
    public var taken: PromotionSide?

    /// A conflict.
    public init(
        path: String, base: String?, source: String?, target: String?, fields: [String] = [], taken: PromotionSide? = nil
    ) {
        self.path = path
        self.base = base
        self.source = source
        self.target = target
        self.fields = fields
        self.taken = taken
    }

    /// `tasks.clean.retries: base 0, source 2, target 3`, or
    /// `tasks.notify: the target removed the task, the source changed tasks.notify.script`.
    public var description: String {
        if !fields.isEmpty {
            let changed = fields.joined(separator: ", ")
            if target == nil { return "\(path): the target removed the task, the source changed \(changed)" }
            if source == nil { return "\(path): the source removed the task, the target changed \(changed)" }
        }
        return "\(path): base \(PromotionPlan.show(base)), source \(PromotionPlan.show(source)), target \(PromotionPlan.show(target))"
    }
}

/// What `weft job promote JOB` would do: the target job brought up to date with its source, as a value.
public struct PromotionPlan: Sendable, Hashable, Codable {
    /// The target job after the promotion (where a conflict is unresolved it holds the target's value).
    public var job: Job
    /// The source job's name.
    public var source: String
    /// Where the target pointed before: the source at the commit the changes are counted from.
    public var previousBasedOn: BasedOn
    /// Every field the promotion changes on the target, job-level fields first, then task by task.
    public var changes: [PromotionChange]
    /// Fields that belong to the target and are kept: `name`, `fabric`, `enabled`, each task's `config` instance and
    /// `overrides.FIELD`, and the target's own changes that the source did not touch (`schedule`, `tasks.KEY`, …).
    public var kept: [String]
    /// Fields both sides changed since `previousBasedOn`, each with the side chosen, if any.
    public var conflicts: [PromotionConflict]
    /// Where `based_on` points afterwards: the source at its current commit.
    public var basedOn: BasedOn
    /// What would be wrong with the promoted job (a dependency on a task the target removed, a cycle, …); `apply`
    /// refuses while there are any.
    public var problems: [Problem]

    /// A plan.
    public init(
        job: Job, source: String, previousBasedOn: BasedOn, changes: [PromotionChange], kept: [String],
        conflicts: [PromotionConflict], basedOn: BasedOn, problems: [Problem] = []
    ) {
        self.job = job
        self.source = source
        self.previousBasedOn = previousBasedOn
        self.changes = changes
        self.kept = kept
        self.conflicts = conflicts
        self.basedOn = basedOn
        self.problems = problems
    }

    /// Nothing to promote: no change and no conflict (the target is not written, `based_on` stays).
    public var isEmpty: Bool { changes.isEmpty && conflicts.isEmpty }

    /// The conflicts no `--take` resolved.
    public var unresolved: [PromotionConflict] { conflicts.filter { $0.taken == nil } }

    /// `promote customers_daily_development → customers_daily_production (based_on abc1234567 → def4567890)`.
    public var title: String {
        "promote \(source) → \(job.name) (based_on \(previousBasedOn.commit.prefix(10)) → \(basedOn.commit.prefix(10)))"
    }

    /// The plan as printed: the title, `+`/`~`/`-` per change, `!` per conflict (with the `--take` to use, or the side
    /// taken) and problem, `=` per field kept with its value, and the summary.
    public var lines: [String] {
        var out = [title]
        for c in changes {
            switch (c.from, c.to) {
            case (nil, let to): out.append("  + \(c.path): \(PromotionPlan.show(to))")
            case (let from, nil): out.append("  - \(c.path): \(PromotionPlan.show(from))")
            default: out.append("  ~ \(c.path): \(PromotionPlan.show(c.from)) → \(PromotionPlan.show(c.to))")
            }
        }
        for c in conflicts {
            let how = c.taken.map { "taking \($0.rawValue)" } ?? "choose with --take source|target \(c.path)"
            out.append("  ! conflict \(c.description) — \(how)")
        }
        for p in problems { out.append("  ! problem: \(p.message)") }
        for k in kept { out.append("  = keep \(k)" + (PromotionPlanner.value(at: k, in: job).map { ": \(PromotionPlan.show($0))" } ?? "")) }
        out.append("  " + summary)
        return out
    }

    /// `2 to change, 1 conflict (1 unresolved), 6 kept`, or `nothing to promote: …` when empty.
    public var summary: String {
        if isEmpty { return "nothing to promote: \(job.name) is up to date with \(source) (\(kept.count) kept)" }
        let open = unresolved.count
        let conflictText = "\(conflicts.count) conflict" + (conflicts.count == 1 ? "" : "s") + (open > 0 ? " (\(open) unresolved)" : "")
        return "\(changes.count) to change, \(conflictText), \(kept.count) kept"
    }

    static func show(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "none" }
        return value
    }
}

/// Plans `weft job promote JOB`: brings a target job (e.g. production) up to date with the job it was duplicated
/// from (`based_on`), without a blind re-duplicate — a three-way merge of the source at the `based_on` commit (the
/// base), the source now and the target now.
///
/// - From the source, its changes since the base are applied: tasks added or removed; each task's `depends_on`,
///   `pipeline`, `run_if`, `retries`, `timeout` and `script`; the job's `schedule`, `max_concurrent_runs`,
///   `notifications` and `description`. A field the source did not change keeps the target's value (the target's own
///   changes are kept). A field both sides changed the same way is no conflict.
/// - What belongs to the target fabric is kept whatever the source did: its `name`, `fabric`, `enabled` flag, each
///   pipeline task's configuration instance (`config`) and `overrides`, and every field a `Job` has that the list
///   above does not name. A task the source added gets its instance mapped as `DuplicationPlanner` does (an instance
///   named like the target fabric, else like its stage, else the source's) and the source's overrides; a task whose
///   pipeline the source changed keeps the target's instance when the new pipeline has it (else it is mapped) and
///   the target's overrides the new pipeline's schema knows.
/// - A conflict is a field both sides changed since the base to different values — also a task one side removed
///   while the other changed it (path `tasks.KEY`). Each needs a `take` choice; until then the plan lists it and
///   `apply` throws `WeftError.conflict`.
/// - `based_on` moves to the source at `sourceCommit`.
public enum PromotionPlanner {
    /// The promotion plan.
    ///
    /// - Parameters:
    ///   - base: the source job as it was at the target's `based_on` commit.
    ///   - source: the source job now (at HEAD).
    ///   - target: the target job now; its `based_on` must name `source`.
    ///   - sourceCommit: the commit `source` was read at; `based_on` moves to it.
    ///   - fabric: the target's fabric (for mapping the instances of added tasks).
    ///   - pipelines: the project's pipelines at HEAD.
    ///   - take: field path → side, for conflicts.
    /// - Throws: `WeftError.invalid` when the target has no `based_on`, is based on another job or bound to another
    ///   fabric, or when `take` names a field that is not in conflict.
    public static func plan(
        base: Job, source: Job, target: Job, sourceCommit: String, fabric: Fabric, pipelines: [String: Pipeline],
        take: [String: PromotionSide] = [:]
    ) throws(WeftError) -> PromotionPlan {
        guard let previous = target.basedOn else {
            throw .invalid(
                "\(target.name) was not duplicated from another job (it has no based_on), so there is nothing to promote into it; 'weft job duplicate' makes a job based on another"
            )
        }
        guard previous.job == source.name else {
            throw .invalid("\(target.name) is based on \(previous.job), not \(source.name); promote it from \(previous.job)")
        }
        guard target.fabric == fabric.name else {
            throw .invalid("\(target.name) is bound to fabric \(target.fabric), not \(fabric.name)")
        }

        var m = Merge(take: take)
        var job = target
        job.schedule = m.field("schedule", base.schedule, source.schedule, target.schedule) { $0.map(JobDefinitionDiff.render) }
        job.maxConcurrentRuns = m.field("max_concurrent_runs", base.maxConcurrentRuns, source.maxConcurrentRuns, target.maxConcurrentRuns) {
            String($0)
        }
        job.notifications.onFailure = m.field(
            "notifications.on_failure", base.notifications.onFailure, source.notifications.onFailure, target.notifications.onFailure,
            render: JobDefinitionDiff.list)
        job.notifications.onSuccess = m.field(
            "notifications.on_success", base.notifications.onSuccess, source.notifications.onSuccess, target.notifications.onSuccess,
            render: JobDefinitionDiff.list)
        job.description = m.field("description", base.description, source.description, target.description) { $0 }

        func byKey(_ tasks: [JobTask]) -> [String: JobTask] {
            Dictionary(tasks.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let bt = byKey(base.tasks), st = byKey(source.tasks), tt = byKey(target.tasks)
        var seen = Set<String>()
        let keys = (base.tasks + source.tasks + target.tasks).map(\.key).filter { seen.insert($0).inserted }
        let mapper = InstanceMapper(source: source, commit: sourceCommit, fabric: fabric, pipelines: pipelines)
        var merged: [String: JobTask] = [:]
        for key in keys {
            let p = "tasks.\(key)"
            switch (bt[key], st[key], tt[key]) {
            case (nil, nil, let t?):
                m.keep(p, group: key)
                merged[key] = t
            case (nil, let s?, nil):
                merged[key] = mapper.map(s)
            case (let b, let s?, let t?):
                merged[key] = m.task(p, key: key, base: b, source: s, target: t, mapper: mapper)
            case (let b?, nil, let t?):
                // The source removed the task: removed too, unless the target changed it meanwhile.
                let changed = changedFields(p, from: b, to: t)
                if !changed.isEmpty,
                    m.conflict(p, base: JobDiff.summary(b), source: nil, target: JobDiff.summary(t), fields: changed) != .source
                {
                    merged[key] = t
                }
            case (let b?, let s?, nil):
                // The target removed the task: it stays removed, unless the source changed it meanwhile.
                let changed = changedFields(p, from: b, to: s)
                if !changed.isEmpty,
                    m.conflict(p, base: JobDiff.summary(b), source: JobDiff.summary(s), target: nil, fields: changed) == .source
                {
                    merged[key] = mapper.map(s)
                }
            case (_, nil, nil):
                break
            }
        }
        job.tasks = order(merged, target: target, source: source)

        let conflictPaths = Set(m.conflicts.map(\.path))
        for (path, side) in take.sorted(by: { $0.key < $1.key }) where !conflictPaths.contains(path) {
            let known = m.conflicts.map(\.path)
            let hint = Suggestion.closest(to: path, in: known).map { "; did you mean '\($0)'?" } ?? ""
            let list = known.isEmpty ? "there are no conflicts" : "the conflicts are: " + known.joined(separator: ", ")
            throw .invalid("--take \(side.rawValue) \(path): \(path) is not in conflict (\(list))\(hint)")
        }

        let changes = JobDefinitionDiff.compute(left: target, right: job, leftPipelines: pipelines, rightPipelines: pipelines)
            .map { PromotionChange(path: $0.path, from: $0.left, to: $0.right) }
        let next = BasedOn(job: source.name, commit: sourceCommit)
        job.basedOn = next

        var kept = ["name", "fabric", "enabled"] + m.kept(group: nil)
        for task in job.tasks {
            kept += m.kept(group: task.key)
            guard let old = tt[task.key], case .pipeline(_, let oc, let oo) = old.action,
                case .pipeline(_, let nc, let no) = task.action
            else { continue }
            if let oc, oc == nc { kept.append("tasks.\(task.key).config") }
            for k in oo.keys.sorted() where no[k] == oo[k] { kept.append("tasks.\(task.key).overrides.\(k)") }
        }
        var problems: [Problem] = []
        if !(changes.isEmpty && m.conflicts.isEmpty) {
            problems = JobValidator.structuralProblems(job, pipelines: pipelines)
        }
        return PromotionPlan(
            job: job, source: source.name, previousBasedOn: previous, changes: changes, kept: kept, conflicts: m.conflicts,
            basedOn: next, problems: problems)
    }

    /// The job to write for `plan`.
    ///
    /// - Throws: `WeftError.conflict` (exit 4) naming every unresolved conflict and the `--take source|target FIELD` to
    ///   use; `WeftError.invalid` when the promoted job would be invalid.
    public static func apply(_ plan: PromotionPlan) throws(WeftError) -> Job {
        let open = plan.unresolved
        if !open.isEmpty {
            let n = open.count
            let fields = open.map { "  - " + $0.description }.joined(separator: "\n")
            let takes = open.map { "--take source|target \($0.path)" }.joined(separator: " ")
            throw .conflict(
                "cannot promote \(plan.source) into \(plan.job.name): both changed \(n == 1 ? "this field" : "these \(n) fields") since commit \(plan.previousBasedOn.commit.prefix(10)):\n\(fields)\nchoose a side for each: weft job promote \(plan.job.name) \(takes)"
            )
        }
        if !plan.problems.isEmpty {
            throw .invalid([Problem("promoting \(plan.source) into \(plan.job.name) would leave it invalid:")] + plan.problems)
        }
        return plan.job
    }

    /// The value of a field of `job`, rendered as in the plan, for the paths the plan names (nil when absent).
    public static func value(at path: String, in job: Job) -> String? {
        switch path {
        case "name": return job.name
        case "fabric": return job.fabric
        case "enabled": return String(job.enabled)
        case "schedule": return job.schedule.map(JobDefinitionDiff.render)
        case "max_concurrent_runs": return String(job.maxConcurrentRuns)
        case "notifications.on_failure": return JobDefinitionDiff.list(job.notifications.onFailure)
        case "notifications.on_success": return JobDefinitionDiff.list(job.notifications.onSuccess)
        case "description": return job.description
        case "based_on": return job.basedOn.map(JobDefinitionDiff.render)
        default: break
        }
        // The longest task key the path starts with (keys may contain dots).
        guard
            let task = job.tasks.filter({ path == "tasks.\($0.key)" || path.hasPrefix("tasks.\($0.key).") })
                .max(by: { $0.key.count < $1.key.count })
        else { return nil }
        let prefix = "tasks.\(task.key)"
        if path == prefix { return JobDiff.summary(task) }
        let field = String(path.dropFirst(prefix.count + 1))
        switch field {
        case "depends_on": return JobDefinitionDiff.list(task.dependsOn)
        case "run_if": return task.runIf.rawValue
        case "retries": return String(task.retries)
        case "timeout": return task.timeout.map { String($0) }
        case "script", "pipeline", "action": return Shape(task.action).render(as: field)
        case "config": return task.configInstance
        default:
            if field.hasPrefix("overrides.") { return task.overrides[String(field.dropFirst("overrides.".count))]?.display }
            return nil
        }
    }

    /// The promotable fields of a task that differ between `a` and `b`, as paths under `p`.
    static func changedFields(_ p: String, from a: JobTask, to b: JobTask) -> [String] {
        var out: [String] = []
        if a.dependsOn != b.dependsOn { out.append("\(p).depends_on") }
        if a.runIf != b.runIf { out.append("\(p).run_if") }
        if a.retries != b.retries { out.append("\(p).retries") }
        if a.timeout != b.timeout { out.append("\(p).timeout") }
        let sa = Shape(a.action), sb = Shape(b.action)
        if sa != sb { out.append("\(p).\(Shape.field([sa, sb]))") }
        return out
    }

    /// The merged tasks in the target's order, each task only the source has placed after the task it follows there.
    static func order(_ merged: [String: JobTask], target: Job, source: Job) -> [JobTask] {
        var keys: [String] = []
        for t in target.tasks where merged[t.key] != nil && !keys.contains(t.key) { keys.append(t.key) }
        for (i, s) in source.tasks.enumerated() where merged[s.key] != nil && !keys.contains(s.key) {
            let before = source.tasks[..<i].reversed().first { keys.contains($0.key) }
            if let before, let at = keys.firstIndex(of: before.key) {
                keys.insert(s.key, at: at + 1)
            } else {
                keys.insert(s.key, at: 0)
            }
        }
        return keys.compactMap { merged[$0] }
    }

    /// What a task runs, without the target-owned parts (instance, overrides).
    enum Shape: Hashable {
        case pipeline(String)
        case script(String)

        init(_ action: TaskAction) {
            switch action {
            case .pipeline(let name, _, _): self = .pipeline(name)
            case .script(let s): self = .script(s)
            }
        }

        /// `pipeline` when every side runs a pipeline, `script` when every side runs a script, else `action`.
        static func field(_ shapes: [Shape?]) -> String {
            let present = shapes.compactMap { $0 }
            if present.allSatisfy({ if case .pipeline = $0 { return true } else { return false } }) { return "pipeline" }
            if present.allSatisfy({ if case .script = $0 { return true } else { return false } }) { return "script" }
            return "action"
        }

        /// Rendered for the field: the pipeline's name, the script, or for `action` `pipeline NAME` / `script: COMMAND`.
        func render(as field: String) -> String? {
            switch (field, self) {
            case ("pipeline", .pipeline(let n)): return n
            case ("script", .script(let s)): return s
            case ("action", .pipeline(let n)): return "pipeline \(n)"
            case ("action", .script(let s)): return "script: \(s)"
            default: return nil
            }
        }
    }

    /// Maps a task the target takes from the source as duplication does.
    struct InstanceMapper {
        var source: Job
        var commit: String
        var fabric: Fabric
        var pipelines: [String: Pipeline]

        /// The task with its instance mapped to the target fabric (the source's overrides kept).
        func map(_ task: JobTask) -> JobTask {
            var one = source
            one.tasks = [task]
            return DuplicationPlanner.plan(source: one, sourceCommit: commit, target: fabric, pipelines: pipelines).job.tasks.first ?? task
        }

        /// The instance for a target task now running pipeline `name`: the target's when that pipeline has it, else
        /// one named like the fabric or its stage, else the source's.
        func instance(for name: String, target: String?, source: String?) -> String? {
            guard let pipeline = pipelines[name] else { return target ?? source }
            if let target, pipeline.instances[target] != nil { return target }
            return [fabric.name, fabric.stage.rawValue].first { pipeline.instances[$0] != nil } ?? source
        }
    }

    /// The three-way merge's bookkeeping: conflicts found, fields of the target kept.
    struct Merge {
        let take: [String: PromotionSide]
        var conflicts: [PromotionConflict] = []
        var keptPaths: [(group: String?, path: String)] = []

        init(take: [String: PromotionSide]) { self.take = take }

        mutating func keep(_ path: String, group: String?) { keptPaths.append((group, path)) }

        func kept(group: String?) -> [String] { keptPaths.filter { $0.group == group }.map(\.path) }

        /// Records a conflict and returns the side taken, if any.
        mutating func conflict(_ path: String, base: String?, source: String?, target: String?, fields: [String] = []) -> PromotionSide? {
            let side = take[path]
            conflicts.append(PromotionConflict(path: path, base: base, source: source, target: target, fields: fields, taken: side))
            return side
        }

        /// One field: the source's value when only it changed since the base, else the target's (a conflict when both
        /// changed it differently, resolved by `take`). A nil base means the field did not exist at the base.
        mutating func field<T: Equatable>(
            _ path: String, _ b: T?, _ s: T, _ t: T, group: String? = nil, render: (T) -> String?
        ) -> T {
            if b == s {
                if t != s { keep(path, group: group) }
                return t
            }
            if b == t || s == t { return s }
            let side = conflict(path, base: b.flatMap(render), source: render(s), target: render(t))
            return side == .source ? s : t
        }

        /// A task both sides have (`base` nil: both added it).
        mutating func task(_ p: String, key: String, base b: JobTask?, source s: JobTask, target t: JobTask, mapper: InstanceMapper) -> JobTask {
            var r = t
            r.dependsOn = field("\(p).depends_on", b?.dependsOn, s.dependsOn, t.dependsOn, group: key, render: JobDefinitionDiff.list)
            r.runIf = field("\(p).run_if", b?.runIf, s.runIf, t.runIf, group: key) { $0.rawValue }
            r.retries = field("\(p).retries", b?.retries, s.retries, t.retries, group: key) { String($0) }
            r.timeout = field("\(p).timeout", b.map(\.timeout), s.timeout, t.timeout, group: key) { $0.map { String($0) } }
            let bs = b.map { Shape($0.action) }, ss = Shape(s.action), ts = Shape(t.action)
            let name = Shape.field([bs, ss, ts])
            let shape = field("\(p).\(name)", bs, ss, ts, group: key) { $0.render(as: name) }
            guard shape != ts else { return r }
            switch (shape, t.action) {
            case (.script(let command), _):
                r.action = .script(command)
            case (.pipeline(let pipeline), .pipeline(_, let config, let overrides)):
                let schema = mapper.pipelines[pipeline].map { Set($0.schema.map(\.name)) }
                r.action = .pipeline(
                    name: pipeline, config: mapper.instance(for: pipeline, target: config, source: s.configInstance),
                    overrides: overrides.filter { schema?.contains($0.key) ?? true })
            case (.pipeline, .script):
                r.action = mapper.map(s).action
            }
            return r
        }
    }
}
