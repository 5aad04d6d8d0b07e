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
    case deployRelease = "release.deploy"
    case login = "login"

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
        case .deployRelease: return "deploy a release to"
        case .login: return "log in as"
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
