/// What duplicating a job onto a fabric will create.
public struct DuplicationPlan: Sendable, Hashable {
    /// The new job, disabled, bound to the target fabric, with `based_on` set.
    public var job: Job
    /// Tasks whose configuration instance was switched: key → (from, to).
    public var mapped: [String: MappedInstance]
    /// Tasks that run a pipeline without an instance for the target; they keep their source instance.
    public var unmapped: [String]

    public struct MappedInstance: Sendable, Hashable {
        public var from: String?
        public var to: String
    }
}

/// Plans the duplication of a job onto another fabric.
public enum DuplicationPlanner {
    /// The default name: a `_development`/`_dev` suffix (or the source fabric's name) replaced by the target fabric's name.
    public static func proposedName(source: Job, target: Fabric) -> String {
        var base = source.name
        for suffix in ["_" + source.fabric, "_development", "_dev"] where base.hasSuffix(suffix) && base.count > suffix.count {
            base = String(base.dropLast(suffix.count))
            break
        }
        return base + "_" + target.name
    }

    /// Builds the plan. Instance mapping prefers an instance named like the target fabric, then like its stage.
    public static func plan(
        source: Job, sourceCommit: String, target: Fabric, pipelines: [String: Pipeline], name: String? = nil
    ) -> DuplicationPlan {
        var job = source
        job.name = name ?? proposedName(source: source, target: target)
        job.fabric = target.name
        job.enabled = false
        job.basedOn = BasedOn(job: source.name, commit: sourceCommit)
        var mapped: [String: DuplicationPlan.MappedInstance] = [:]
        var unmapped: [String] = []
        job.tasks = source.tasks.map { task in
            guard case .pipeline(let pname, let config, let overrides) = task.action else { return task }
            let candidates = [target.name, target.stage.rawValue]
            guard let pipeline = pipelines[pname], let instance = candidates.first(where: { pipeline.instances[$0] != nil }) else {
                unmapped.append(task.key)
                return task
            }
            var t = task
            t.action = .pipeline(name: pname, config: instance, overrides: overrides)
            if config != instance { mapped[task.key] = .init(from: config, to: instance) }
            return t
        }
        return DuplicationPlan(job: job, mapped: mapped, unmapped: unmapped)
    }
}
