import Foundation
import WeftDomain

/// Promotion (PRODUCT.md §8): bring a job up to date with the job it was duplicated from, keeping what belongs to
/// its own fabric (`PromotionPlanner` decides; this reads the three sides and writes the result).
extension Workspace {
    /// The plan of promoting the source's changes since `based_on` into `ref` (nothing is written).
    public func planPromotion(_ principal: Principal, _ ref: String, take: [String: PromotionSide] = [:]) throws -> (
        target: JobRecord, plan: PromotionPlan
    ) {
        let target = try findJob(ref)
        try authorize(principal, .editJob, try jobResource(target), project: target.project)
        try authorize(principal, .readProject, .project(try project(target.project)), project: target.project)
        guard let basedOn = target.job.basedOn else {
            throw WeftError.invalid(
                "\(target.qualifiedName) was not duplicated from another job (it has no based_on); there is nothing to promote into it")
        }
        let source: JobRecord
        do { source = try findJob("\(target.project)/\(basedOn.job)") } catch {
            throw WeftError.notFound(
                kind: "job", name: "\(target.project)/\(basedOn.job)",
                hint: "\(target.job.name) is based on it, but it is gone from the project; nothing can be promoted (edit \(target.job.name) directly)")
        }
        let head = try headCommit(project: target.project)
        let base = try jobAtRevision(project: target.project, job: basedOn.job, path: source.path, commit: basedOn.commit).job
        let plan = try PromotionPlanner.plan(
            base: base, source: source.job, target: target.job, sourceCommit: head, fabric: try fabric(target.job.fabric),
            pipelines: try pipelines(project: target.project), take: take)
        return (target, plan)
    }

    /// Applies a promotion plan made from `target` (refused when the job file changed since, or with unresolved
    /// conflicts: exit 4 naming the fields).
    @discardableResult
    public func promote(_ principal: Principal, target: JobRecord, plan: PromotionPlan) throws -> JobRecord {
        let job = try PromotionPlanner.apply(plan)
        return try updateJob(
            principal, target, to: job, action: .editJob,
            message: "Promote \(plan.source) into \(target.job.name) (based_on \(plan.previousBasedOn.commit.prefix(10)) → \(plan.basedOn.commit.prefix(10)))",
            detail: "promote from \(plan.source): \(plan.summary)")
    }
}
