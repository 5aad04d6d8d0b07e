/// The permission rules of the product (PRODUCT.md §2). Every face calls this; the UI only mirrors it.
///
/// - Admins manage users, teams and fabric records; they use fabrics and read projects only through teams.
/// - A fabric is usable only by members of its owner team.
/// - A project is readable (and its pipelines editable, its releases made) by members of its owner team.
/// - A job bound to a fabric may be changed only by someone who can read its project and use its fabric.
/// - A pipeline configuration instance that a fabric uses may be changed only by that fabric's team as well.
/// - An action applied to a kind of object it does not concern (`Action.resourceKinds`) is refused for everyone,
///   admins included: running a project, reading the runs of the workspace, creating a fabric given as a team.
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
        func adminOrMember(_ team: String) -> PermissionDenial? { principal.isAdmin ? nil : member(team) }
        func inapplicable() -> PermissionDenial {
            PermissionDenial(
                user: principal.name, action: action, object: resource.label, neededTeam: nil,
                userTeams: principal.teams.sorted(), inapplicableTo: resource.kind)
        }

        // The kinds an action concerns are declared once, on the action; nothing else gets through.
        guard action.resourceKinds.contains(resource.kind) else { return inapplicable() }

        // One rule per (action, kind of object) that means something; every other pair is refused below.
        switch action {
        case .createUser:
            switch resource {
            case .workspace, .user: return adminOnly()
            default: return inapplicable()
            }
        case .createTeam:
            switch resource {
            case .workspace, .team: return adminOnly()
            default: return inapplicable()
            }
        case .changeTeam:
            switch resource {
            case .team: return adminOnly()
            default: return inapplicable()
            }
        case .createFabric, .changeFabric:
            switch resource {
            case .fabric: return adminOnly()
            default: return inapplicable()
            }
        case .setFabricSecret:
            switch resource {
            case .fabric(let f): return adminOrMember(f.ownerTeam)
            default: return inapplicable()
            }
        case .viewFabricSettings:
            switch resource {
            case .fabric(let f): return member(f.ownerTeam)
            default: return inapplicable()
            }
        case .createProject:
            switch resource {
            case .project(let p): return adminOrMember(p.ownerTeam)
            default: return inapplicable()
            }
        case .readProject, .createRelease:
            switch resource {
            case .project(let p): return member(p.ownerTeam)
            default: return inapplicable()
            }
        case .editPipeline:
            switch resource {
            case .project(let p): return member(p.ownerTeam)
            // A configuration instance the fabric's jobs use (`ConfigInstanceUse`): what the fabric runs.
            case .fabric(let f): return member(f.ownerTeam)
            default: return inapplicable()
            }
        case .createJob, .duplicateJob:
            switch resource {
            // Only the target fabric is known yet; the store checks the project separately.
            case .fabric(let f): return member(f.ownerTeam)
            // The fabric's team decides first: that is the team the message should name.
            case .job(_, let p, let f): return member(f.ownerTeam) ?? member(p.ownerTeam)
            default: return inapplicable()
            }
        case .editJob, .enableJob, .disableJob, .deleteJob:
            switch resource {
            case .job(_, let p, let f): return member(f.ownerTeam) ?? member(p.ownerTeam)
            default: return inapplicable()
            }
        case .runJob, .deployRelease:
            switch resource {
            case .fabric(let f), .job(_, _, let f): return member(f.ownerTeam)
            default: return inapplicable()
            }
        case .cancelRun:
            switch resource {
            case .run(_, _, let f): return member(f.ownerTeam)
            default: return inapplicable()
            }
        case .readRuns:
            switch resource {
            case .fabric(let f), .job(_, _, let f), .run(_, _, let f): return member(f.ownerTeam)
            default: return inapplicable()
            }
        case .backupWorkspace:
            switch resource {
            // The copy holds every secret and the key that opens them.
            case .workspace: return adminOnly()
            default: return inapplicable()
            }
        case .login:
            switch resource {
            // Whether the password is right is the identity store's business; anyone may try.
            case .user: return nil
            default: return inapplicable()
            }
        }
    }

    /// Whether the action is allowed.
    public static func allows(_ principal: Principal, _ action: Action, _ resource: Resource) -> Bool {
        check(principal, action, resource) == nil
    }
}
