/// Which fabrics use a pipeline's configuration instance, so that only their teams may change it (PRODUCT.md §2:
/// what production runs belongs to production's team).
///
/// A fabric uses instance `I` of pipeline `P` when `I` is named after the fabric or after its stage (the names
/// duplication maps instances by), or when a job on the fabric — at HEAD or as deployed there — has a task running
/// `P` with `config: I`.
public enum ConfigInstanceUse {
    /// The fabrics using `instance` of `pipeline`, in the order of `fabrics`.
    ///
    /// - Parameters:
    ///   - jobs: the pipeline's project's jobs (HEAD and deployed definitions; each bound to its `fabric`).
    public static func fabrics(instance: String, pipeline: String, fabrics: [Fabric], jobs: [Job]) -> [Fabric] {
        var referenced = Set<String>()
        for job in jobs where job.tasks.contains(where: { $0.pipelineName == pipeline && $0.configInstance == instance }) {
            referenced.insert(job.fabric)
        }
        return fabrics.filter { f in
            f.name == instance || f.stage.rawValue == instance || referenced.contains(f.name)
        }
    }
}
