/// The permission rules of the product (PRODUCT.md §2). Every face calls this; the UI only mirrors it.
///
/// - Admins manage users, teams and fabric records; they use fabrics and read projects only through teams.
/// - A fabric is usable only by members of its owner team.
/// - A project is readable (and its pipelines editable) by members of its owner team.
/// - A job bound to a fabric may be changed only by someone who can read its project and use its fabric.
public enum PermissionPolicy {
    /// Returns nil when allowed, else the denial to report.
    public static func check(_ principal: Principal, _ action: Action, _ resource: Resource) -> PermissionDenial? {
        func deny(_ team: String?) -> PermissionDenial {
            PermissionDenial(
                user: principal.name, action: action, object: resource.label, neededTeam: team,
                userTeams: principal.teams.sorted())
        }
        func adminOnly() -> PermissionDenial? { principal.isAdmin ? nil : deny(nil) }
        func member(_ team: String) -> PermissionDenial? { principal.isMember(of: team) ? nil : deny(team) }

        switch (action, resource) {
        case (.createUser, _), (.createTeam, _), (.changeTeam, _), (.createFabric, _), (.changeFabric, _):
            return adminOnly()
        case (.setFabricSecret, .fabric(let f)):
            return principal.isAdmin ? nil : member(f.ownerTeam)
        case (.viewFabricSettings, .fabric(let f)), (.runJob, .fabric(let f)), (.readRuns, .fabric(let f)),
            (.deployRelease, .fabric(let f)), (.duplicateJob, .fabric(let f)), (.createJob, .fabric(let f)):
            return member(f.ownerTeam)
        case (.createProject, .project(let p)):
            return principal.isAdmin ? nil : member(p.ownerTeam)
        case (.readProject, .project(let p)), (.editPipeline, .project(let p)):
            return member(p.ownerTeam)
        case (.createJob, .job(_, let p, let f)), (.duplicateJob, .job(_, let p, let f)), (.editJob, .job(_, let p, let f)),
            (.enableJob, .job(_, let p, let f)), (.disableJob, .job(_, let p, let f)), (.deleteJob, .job(_, let p, let f)):
            // The fabric's team decides first: that is the team the message should name.
            return member(f.ownerTeam) ?? member(p.ownerTeam)
        case (.runJob, .job(_, _, let f)), (.readRuns, .job(_, _, let f)), (.deployRelease, .job(_, _, let f)):
            return member(f.ownerTeam)
        case (.runJob, .run(_, _, let f)), (.cancelRun, .run(_, _, let f)), (.readRuns, .run(_, _, let f)):
            return member(f.ownerTeam)
        case (.login, _):
            return nil
        default:
            // An action applied to an object it does not concern is refused, never silently allowed.
            return adminOnly() ?? (resource.fabric.flatMap { member($0.ownerTeam) })
        }
    }

    /// Whether the action is allowed.
    public static func allows(_ principal: Principal, _ action: Action, _ resource: Resource) -> Bool {
        check(principal, action, resource) == nil
    }
}
