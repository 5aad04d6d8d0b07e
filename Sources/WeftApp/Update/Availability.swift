import WeftDomain

/// Whether a key's action is possible here, and why not: drives greyed keys in the status bar and help.
public enum Availability {
    /// The job an action applies to: the job detail's job, or the selected job when the jobs or runs pane is focused.
    public static func targetJob(_ s: AppState) -> JobRow? {
        switch s.topRoute {
        case .jobDetail(let d)?: return s.job(d.ref)
        case nil: return s.pane == .jobs || s.pane == .runs ? s.selectedJob : nil
        default: return nil
        }
    }

    /// The policy's reason when `principal` may not do `action` on the job, else nil.
    public static func denial(_ s: AppState, _ action: Action, _ row: JobRow) -> String? {
        guard let p = s.principal else { return "not logged in" }
        guard let resource = s.data.resource(of: row.record) else { return "fabric \(row.record.job.fabric) or project \(row.record.project) is unknown" }
        return PermissionPolicy.check(p, action, resource)?.description
    }

    /// The project `R` releases: the selected project (projects pane), else the project of the target job.
    public static func releaseProject(_ s: AppState) -> Project? {
        if s.topRoute == nil, s.pane == .projects { return s.selectedProject }
        guard let job = targetJob(s) else { return nil }
        return s.data.project(job.record.project)
    }

    /// The pipeline task selected in the job detail screen.
    public static func selectedTask(_ s: AppState) -> JobTask? {
        guard case .jobDetail(let d)? = s.topRoute, let row = s.job(d.ref) else { return nil }
        let order = TaskGraph.topologicalOrder(row.record.job.tasks)
        guard order.indices.contains(d.selectedTask) else { return nil }
        return row.record.job.task(order[d.selectedTask])
    }

    /// The run shown by the run view.
    public static func shownRun(_ s: AppState) -> RunViewState? {
        guard case .run(let id)? = s.topRoute else { return nil }
        return s.runViews[id]
    }

    /// Nil when the action may be performed now, else the reason it may not.
    public static func disabledReason(_ action: KeyAction, _ s: AppState) -> String? {
        switch action {
        case .run:
            guard let job = targetJob(s) else { return "select a job first (Tab to the jobs pane)" }
            return denial(s, .runJob, job)
        case .duplicate:
            guard let job = targetJob(s) else { return "select a job first (Tab to the jobs pane)" }
            guard let p = s.principal else { return "not logged in" }
            if let project = s.data.project(job.record.project), let d = PermissionPolicy.check(p, .readProject, .project(project)) { return d.description }
            let denials = s.data.fabrics.map { PermissionPolicy.check(p, .duplicateJob, .fabric($0.fabric)) }
            if denials.contains(where: { $0 == nil }) { return nil }
            return denials.compactMap { $0?.description }.first ?? "there is no fabric to duplicate onto"
        case .toggleEnabled:
            guard let job = targetJob(s) else { return "select a job first (Tab to the jobs pane)" }
            return denial(s, job.record.job.enabled ? .disableJob : .enableJob, job)
        case .diff:
            guard let job = targetJob(s) else { return "select a job first (Tab to the jobs pane)" }
            if job.record.job.basedOn == nil { return "\(job.record.job.name) was not duplicated from another job; there is nothing to compare it with" }
            return nil
        case .configure, .configureInEditor:
            guard let job = targetJob(s), let task = selectedTask(s) else { return "select a task first" }
            if task.pipelineName == nil { return "task '\(task.key)' runs a script; only pipeline tasks have a configuration" }
            return denial(s, .editJob, job)
        case .release:
            guard let project = releaseProject(s) else { return "select a job or a project first" }
            guard let p = s.principal else { return "not logged in" }
            return PermissionPolicy.check(p, .createRelease, .project(project))?.description
        case .promote:
            guard case .diff(let d)? = s.topRoute else { return "open the diff of a job first (d)" }
            guard let row = s.job(d.left.qualifiedName) else { return "\(d.left.qualifiedName) is no longer listed" }
            return denial(s, .editJob, row)
        case .cancelRun:
            guard let run = shownRun(s) else { return "no run is shown" }
            if run.run.state.isFinished { return "run \(run.run.id) has ended (\(run.run.state.rawValue)); there is nothing to cancel" }
            guard let p = s.principal, let f = s.data.fabric(run.run.fabric) else { return "fabric \(run.run.fabric) is unknown" }
            return PermissionPolicy.check(p, .cancelRun, .run(id: run.run.id, job: run.run.job, fabric: f))?.description
        case .logs:
            guard let run = shownRun(s), run.tasks.indices.contains(run.selectedTask) else { return "select a task first" }
            return nil
        case .open:
            if s.topRoute == nil && s.pane == .runs && s.selectedRun == nil { return s.runsHidden ?? "no run selected" }
            return nil
        default:
            return nil
        }
    }
}
