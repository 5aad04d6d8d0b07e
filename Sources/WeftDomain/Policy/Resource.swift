/// The object of an action, carrying what the policy needs to decide.
public enum Resource: Sendable, Hashable {
    case workspace
    case user(String)
    case team(String)
    case fabric(Fabric)
    case project(Project)
    /// A job in `project`, bound to `fabric`.
    case job(name: String, project: Project, fabric: Fabric)
    /// A run of `job` on `fabric`.
    case run(id: String, job: String, fabric: Fabric)

    /// How the object is named in messages and audit events.
    public var label: String {
        switch self {
        case .workspace: return "the workspace"
        case .user(let n): return "user \(n)"
        case .team(let n): return "team \(n)"
        case .fabric(let f): return "fabric \(f.name)"
        case .project(let p): return "project \(p.name)"
        case .job(let name, _, let f): return "job \(name) on fabric \(f.name)"
        case .run(let id, let job, let f): return "run \(id) of job \(job) on fabric \(f.name)"
        }
    }

    /// The kind of object this is, for deciding which actions concern it.
    public var kind: Kind {
        switch self {
        case .workspace: return .workspace
        case .user: return .user
        case .team: return .team
        case .fabric: return .fabric
        case .project: return .project
        case .job: return .job
        case .run: return .run
        }
    }

    /// The kinds of object an action may concern: one per `Resource` case.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case workspace, user, team, fabric, project, job, run

        /// How the kind is named in messages: "the workspace", "a project".
        public var phrase: String { self == .workspace ? "the workspace" : "a \(rawValue)" }
    }

    /// The fabric involved, if any.
    public var fabric: Fabric? {
        switch self {
        case .fabric(let f): return f
        case .job(_, _, let f): return f
        case .run(_, _, let f): return f
        default: return nil
        }
    }
}
