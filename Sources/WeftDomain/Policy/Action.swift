/// Everything a user can attempt that the policy decides on. The raw value is the audit event's action name.
public enum Action: String, Sendable, Hashable, CaseIterable, Codable {
    case createUser = "user.create"
    case createTeam = "team.create"
    case changeTeam = "team.change"
    case createFabric = "fabric.create"
    case changeFabric = "fabric.change"
    case setFabricSecret = "fabric.set-secret"
    case viewFabricSettings = "fabric.show-settings"
    case createProject = "project.create"
    case readProject = "project.read"
    case editPipeline = "pipeline.config"
    case createJob = "job.create"
    case duplicateJob = "job.duplicate"
    case editJob = "job.config"
    case enableJob = "job.enable"
    case disableJob = "job.disable"
    case deleteJob = "job.delete"
    case runJob = "run.start"
    case cancelRun = "run.cancel"
    case readRuns = "run.read"
    /// Build, test and tag a release of a project: members of the project's owner team.
    case createRelease = "release.create"
    /// Apply a release to a fabric: members of the fabric's owner team.
    case deployRelease = "release.deploy"
    case login = "login"
    /// Copy the whole workspace (metastore, repositories, the secrets key): workspace admins.
    case backupWorkspace = "workspace.backup"

    /// The verb used in messages: "alice may not <verb> <object>".
    public var verb: String {
        switch self {
        case .createUser, .createTeam, .createFabric, .createProject, .createJob: return "create"
        case .changeTeam, .changeFabric: return "change"
        case .setFabricSecret: return "set a secret of"
        case .viewFabricSettings: return "see the settings of"
        case .readProject: return "read"
        case .editPipeline, .editJob: return "edit"
        case .duplicateJob: return "duplicate a job onto"
        case .enableJob: return "enable"
        case .disableJob: return "disable"
        case .deleteJob: return "delete"
        case .runJob: return "run"
        case .cancelRun: return "cancel"
        case .readRuns: return "read the runs of"
        case .createRelease: return "create a release of"
        case .deployRelease: return "deploy a release to"
        case .login: return "log in as"
        case .backupWorkspace: return "back up"
        }
    }

    /// The kinds of object the action concerns, in the order messages name them. `PermissionPolicy` refuses the
    /// action on any other kind of object, for everyone (admins included).
    public var resourceKinds: [Resource.Kind] {
        switch self {
        case .createUser: return [.workspace, .user]
        case .createTeam: return [.workspace, .team]
        case .changeTeam: return [.team]
        case .createFabric, .changeFabric, .setFabricSecret, .viewFabricSettings: return [.fabric]
        case .createProject, .readProject, .createRelease: return [.project]
        // A pipeline's configuration: its project's team; an instance a fabric uses (`ConfigInstanceUse`) also
        // that fabric's team.
        case .editPipeline: return [.project, .fabric]
        case .createJob, .duplicateJob, .runJob, .deployRelease: return [.fabric, .job]
        case .editJob, .enableJob, .disableJob, .deleteJob: return [.job]
        case .cancelRun: return [.run]
        case .readRuns: return [.fabric, .job, .run]
        case .login: return [.user]
        case .backupWorkspace: return [.workspace]
        }
    }

    /// Whether an allowed attempt changes something (and so is audited as a mutation).
    public var isMutation: Bool {
        switch self {
        case .viewFabricSettings, .readProject, .readRuns, .login: return false
        default: return true
        }
    }
}
