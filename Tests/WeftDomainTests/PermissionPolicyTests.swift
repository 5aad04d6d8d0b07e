import Testing

@testable import WeftDomain

/// The seed teams of PRODUCT.md §5: developers includes prod_support; alice in developers, bob in prod_support,
/// admin in no team, carol in no team.
enum Seed {
    static let graph = TeamGraph([
        Team(name: "prod_support", members: ["bob"]),
        Team(name: "developers", includes: ["prod_support"], members: ["alice"]),
    ])
    static func principal(_ name: String, admin: Bool = false) -> Principal {
        Principal(user: User(name: name, isAdmin: admin), teams: graph.effectiveTeams(of: name))
    }
    static let admin = principal("admin", admin: true)
    static let alice = principal("alice")
    static let bob = principal("bob")
    static let carol = principal("carol")
    static let everyone = [admin, alice, bob, carol]

    static let development = Fabric(name: "development", ownerTeam: "developers", stage: .development, kind: .local)
    static let production = Fabric(name: "production", ownerTeam: "prod_support", stage: .production, kind: .local)
    static let project = Project(name: "customer_analytics", ownerTeam: "developers")
    static let devJob = Resource.job(name: "customers_daily_development", project: project, fabric: development)
    static let prodJob = Resource.job(name: "customers_daily_production", project: project, fabric: production)
}

struct PermissionPolicyTests {
    /// One object of each kind, on both seed fabrics where the kind has a fabric.
    enum Sample: String, CaseIterable, Sendable {
        case workspace, user, team, devFabric, prodFabric, project, devJob, prodJob, devRun, prodRun

        var resource: Resource {
            switch self {
            case .workspace: return .workspace
            case .user: return .user("alice")
            case .team: return .team("developers")
            case .devFabric: return .fabric(Seed.development)
            case .prodFabric: return .fabric(Seed.production)
            case .project: return .project(Seed.project)
            case .devJob: return Seed.devJob
            case .prodJob: return Seed.prodJob
            case .devRun: return .run(id: "r1", job: "customers_daily_development", fabric: Seed.development)
            case .prodRun: return .run(id: "r2", job: "customers_daily_production", fabric: Seed.production)
            }
        }
    }

    /// What a denial must say.
    enum Refusal: Hashable, Sendable {
        /// Nobody is refused.
        case none
        /// Only admins may: the denial names no team.
        case adminOnly
        /// Members of this team may: the denial names it.
        case team(String)
        /// The action does not concern this kind of object: everyone is refused, admins included.
        case inapplicable
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var action: Action
        var sample: Sample
        /// Users allowed, out of admin, alice, bob, carol.
        var allowed: Set<String>
        var refusal: Refusal
        init(_ action: Action, _ sample: Sample, _ allowed: Set<String>, _ refusal: Refusal) {
            self.action = action
            self.sample = sample
            self.allowed = allowed
            self.refusal = refusal
        }
        var testDescription: String { "\(action.rawValue) on \(sample.rawValue)" }
    }

    static let nobody: Set<String> = []
    static let onlyAdmin: Set<String> = ["admin"]
    static let everyone: Set<String> = ["admin", "alice", "bob", "carol"]
    static let devTeam: Set<String> = ["alice", "bob"]
    static let prodTeam: Set<String> = ["bob"]
    static let adminOrDevTeam: Set<String> = ["admin", "alice", "bob"]
    static let adminOrProdTeam: Set<String> = ["admin", "bob"]

    /// Every action × every kind of object (both fabrics where there is one) × the four seed users, stated cell by cell.
    static let rows: [Row] = [
            // Admin-only workspace management.
            Row(.createUser, .workspace, onlyAdmin, .adminOnly),
            Row(.createUser, .user, onlyAdmin, .adminOnly),
            Row(.createUser, .team, nobody, .inapplicable),
            Row(.createUser, .devFabric, nobody, .inapplicable),
            Row(.createUser, .prodFabric, nobody, .inapplicable),
            Row(.createUser, .project, nobody, .inapplicable),
            Row(.createUser, .devJob, nobody, .inapplicable),
            Row(.createUser, .prodJob, nobody, .inapplicable),
            Row(.createUser, .devRun, nobody, .inapplicable),
            Row(.createUser, .prodRun, nobody, .inapplicable),
            Row(.createTeam, .workspace, onlyAdmin, .adminOnly),
            Row(.createTeam, .user, nobody, .inapplicable),
            Row(.createTeam, .team, onlyAdmin, .adminOnly),
            Row(.createTeam, .devFabric, nobody, .inapplicable),
            Row(.createTeam, .prodFabric, nobody, .inapplicable),
            Row(.createTeam, .project, nobody, .inapplicable),
            Row(.createTeam, .devJob, nobody, .inapplicable),
            Row(.createTeam, .prodJob, nobody, .inapplicable),
            Row(.createTeam, .devRun, nobody, .inapplicable),
            Row(.createTeam, .prodRun, nobody, .inapplicable),
            Row(.changeTeam, .workspace, nobody, .inapplicable),
            Row(.changeTeam, .user, nobody, .inapplicable),
            Row(.changeTeam, .team, onlyAdmin, .adminOnly),
            Row(.changeTeam, .devFabric, nobody, .inapplicable),
            Row(.changeTeam, .prodFabric, nobody, .inapplicable),
            Row(.changeTeam, .project, nobody, .inapplicable),
            Row(.changeTeam, .devJob, nobody, .inapplicable),
            Row(.changeTeam, .prodJob, nobody, .inapplicable),
            Row(.changeTeam, .devRun, nobody, .inapplicable),
            Row(.changeTeam, .prodRun, nobody, .inapplicable),
            Row(.createFabric, .workspace, nobody, .inapplicable),
            Row(.createFabric, .user, nobody, .inapplicable),
            Row(.createFabric, .team, nobody, .inapplicable),
            Row(.createFabric, .devFabric, onlyAdmin, .adminOnly),
            Row(.createFabric, .prodFabric, onlyAdmin, .adminOnly),
            Row(.createFabric, .project, nobody, .inapplicable),
            Row(.createFabric, .devJob, nobody, .inapplicable),
            Row(.createFabric, .prodJob, nobody, .inapplicable),
            Row(.createFabric, .devRun, nobody, .inapplicable),
            Row(.createFabric, .prodRun, nobody, .inapplicable),
            Row(.changeFabric, .workspace, nobody, .inapplicable),
            Row(.changeFabric, .user, nobody, .inapplicable),
            Row(.changeFabric, .team, nobody, .inapplicable),
            Row(.changeFabric, .devFabric, onlyAdmin, .adminOnly),
            Row(.changeFabric, .prodFabric, onlyAdmin, .adminOnly),
            Row(.changeFabric, .project, nobody, .inapplicable),
            Row(.changeFabric, .devJob, nobody, .inapplicable),
            Row(.changeFabric, .prodJob, nobody, .inapplicable),
            Row(.changeFabric, .devRun, nobody, .inapplicable),
            Row(.changeFabric, .prodRun, nobody, .inapplicable),
            // Secrets: the fabric's team or an admin.
            Row(.setFabricSecret, .workspace, nobody, .inapplicable),
            Row(.setFabricSecret, .user, nobody, .inapplicable),
            Row(.setFabricSecret, .team, nobody, .inapplicable),
            Row(.setFabricSecret, .devFabric, adminOrDevTeam, .team("developers")),
            Row(.setFabricSecret, .prodFabric, adminOrProdTeam, .team("prod_support")),
            Row(.setFabricSecret, .project, nobody, .inapplicable),
            Row(.setFabricSecret, .devJob, nobody, .inapplicable),
            Row(.setFabricSecret, .prodJob, nobody, .inapplicable),
            Row(.setFabricSecret, .devRun, nobody, .inapplicable),
            Row(.setFabricSecret, .prodRun, nobody, .inapplicable),
            // Using a fabric: only its team (admins too go through teams).
            Row(.viewFabricSettings, .workspace, nobody, .inapplicable),
            Row(.viewFabricSettings, .user, nobody, .inapplicable),
            Row(.viewFabricSettings, .team, nobody, .inapplicable),
            Row(.viewFabricSettings, .devFabric, devTeam, .team("developers")),
            Row(.viewFabricSettings, .prodFabric, prodTeam, .team("prod_support")),
            Row(.viewFabricSettings, .project, nobody, .inapplicable),
            Row(.viewFabricSettings, .devJob, nobody, .inapplicable),
            Row(.viewFabricSettings, .prodJob, nobody, .inapplicable),
            Row(.viewFabricSettings, .devRun, nobody, .inapplicable),
            Row(.viewFabricSettings, .prodRun, nobody, .inapplicable),
            // Projects.
            Row(.createProject, .workspace, nobody, .inapplicable),
            Row(.createProject, .user, nobody, .inapplicable),
            Row(.createProject, .team, nobody, .inapplicable),
            Row(.createProject, .devFabric, nobody, .inapplicable),
            Row(.createProject, .prodFabric, nobody, .inapplicable),
            Row(.createProject, .project, adminOrDevTeam, .team("developers")),
            Row(.createProject, .devJob, nobody, .inapplicable),
            Row(.createProject, .prodJob, nobody, .inapplicable),
            Row(.createProject, .devRun, nobody, .inapplicable),
            Row(.createProject, .prodRun, nobody, .inapplicable),
            Row(.readProject, .workspace, nobody, .inapplicable),
            Row(.readProject, .user, nobody, .inapplicable),
            Row(.readProject, .team, nobody, .inapplicable),
            Row(.readProject, .devFabric, nobody, .inapplicable),
            Row(.readProject, .prodFabric, nobody, .inapplicable),
            Row(.readProject, .project, devTeam, .team("developers")),
            Row(.readProject, .devJob, nobody, .inapplicable),
            Row(.readProject, .prodJob, nobody, .inapplicable),
            Row(.readProject, .devRun, nobody, .inapplicable),
            Row(.readProject, .prodRun, nobody, .inapplicable),
            Row(.editPipeline, .workspace, nobody, .inapplicable),
            Row(.editPipeline, .user, nobody, .inapplicable),
            Row(.editPipeline, .team, nobody, .inapplicable),
            Row(.editPipeline, .devFabric, devTeam, .team("developers")),
            Row(.editPipeline, .prodFabric, prodTeam, .team("prod_support")),
            Row(.editPipeline, .project, devTeam, .team("developers")),
            Row(.editPipeline, .devJob, nobody, .inapplicable),
            Row(.editPipeline, .prodJob, nobody, .inapplicable),
            Row(.editPipeline, .devRun, nobody, .inapplicable),
            Row(.editPipeline, .prodRun, nobody, .inapplicable),
            Row(.createRelease, .workspace, nobody, .inapplicable),
            Row(.createRelease, .user, nobody, .inapplicable),
            Row(.createRelease, .team, nobody, .inapplicable),
            Row(.createRelease, .devFabric, nobody, .inapplicable),
            Row(.createRelease, .prodFabric, nobody, .inapplicable),
            Row(.createRelease, .project, devTeam, .team("developers")),
            Row(.createRelease, .devJob, nobody, .inapplicable),
            Row(.createRelease, .prodJob, nobody, .inapplicable),
            Row(.createRelease, .devRun, nobody, .inapplicable),
            Row(.createRelease, .prodRun, nobody, .inapplicable),
            // Jobs: the fabric's team (and, for a job, the project's).
            Row(.createJob, .workspace, nobody, .inapplicable),
            Row(.createJob, .user, nobody, .inapplicable),
            Row(.createJob, .team, nobody, .inapplicable),
            Row(.createJob, .devFabric, devTeam, .team("developers")),
            Row(.createJob, .prodFabric, prodTeam, .team("prod_support")),
            Row(.createJob, .project, nobody, .inapplicable),
            Row(.createJob, .devJob, devTeam, .team("developers")),
            Row(.createJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.createJob, .devRun, nobody, .inapplicable),
            Row(.createJob, .prodRun, nobody, .inapplicable),
            Row(.duplicateJob, .workspace, nobody, .inapplicable),
            Row(.duplicateJob, .user, nobody, .inapplicable),
            Row(.duplicateJob, .team, nobody, .inapplicable),
            Row(.duplicateJob, .devFabric, devTeam, .team("developers")),
            Row(.duplicateJob, .prodFabric, prodTeam, .team("prod_support")),
            Row(.duplicateJob, .project, nobody, .inapplicable),
            Row(.duplicateJob, .devJob, devTeam, .team("developers")),
            Row(.duplicateJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.duplicateJob, .devRun, nobody, .inapplicable),
            Row(.duplicateJob, .prodRun, nobody, .inapplicable),
            Row(.editJob, .workspace, nobody, .inapplicable),
            Row(.editJob, .user, nobody, .inapplicable),
            Row(.editJob, .team, nobody, .inapplicable),
            Row(.editJob, .devFabric, nobody, .inapplicable),
            Row(.editJob, .prodFabric, nobody, .inapplicable),
            Row(.editJob, .project, nobody, .inapplicable),
            Row(.editJob, .devJob, devTeam, .team("developers")),
            Row(.editJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.editJob, .devRun, nobody, .inapplicable),
            Row(.editJob, .prodRun, nobody, .inapplicable),
            Row(.enableJob, .workspace, nobody, .inapplicable),
            Row(.enableJob, .user, nobody, .inapplicable),
            Row(.enableJob, .team, nobody, .inapplicable),
            Row(.enableJob, .devFabric, nobody, .inapplicable),
            Row(.enableJob, .prodFabric, nobody, .inapplicable),
            Row(.enableJob, .project, nobody, .inapplicable),
            Row(.enableJob, .devJob, devTeam, .team("developers")),
            Row(.enableJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.enableJob, .devRun, nobody, .inapplicable),
            Row(.enableJob, .prodRun, nobody, .inapplicable),
            Row(.disableJob, .workspace, nobody, .inapplicable),
            Row(.disableJob, .user, nobody, .inapplicable),
            Row(.disableJob, .team, nobody, .inapplicable),
            Row(.disableJob, .devFabric, nobody, .inapplicable),
            Row(.disableJob, .prodFabric, nobody, .inapplicable),
            Row(.disableJob, .project, nobody, .inapplicable),
            Row(.disableJob, .devJob, devTeam, .team("developers")),
            Row(.disableJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.disableJob, .devRun, nobody, .inapplicable),
            Row(.disableJob, .prodRun, nobody, .inapplicable),
            Row(.deleteJob, .workspace, nobody, .inapplicable),
            Row(.deleteJob, .user, nobody, .inapplicable),
            Row(.deleteJob, .team, nobody, .inapplicable),
            Row(.deleteJob, .devFabric, nobody, .inapplicable),
            Row(.deleteJob, .prodFabric, nobody, .inapplicable),
            Row(.deleteJob, .project, nobody, .inapplicable),
            Row(.deleteJob, .devJob, devTeam, .team("developers")),
            Row(.deleteJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.deleteJob, .devRun, nobody, .inapplicable),
            Row(.deleteJob, .prodRun, nobody, .inapplicable),
            // Runs: the fabric's team.
            Row(.runJob, .workspace, nobody, .inapplicable),
            Row(.runJob, .user, nobody, .inapplicable),
            Row(.runJob, .team, nobody, .inapplicable),
            Row(.runJob, .devFabric, devTeam, .team("developers")),
            Row(.runJob, .prodFabric, prodTeam, .team("prod_support")),
            Row(.runJob, .project, nobody, .inapplicable),
            Row(.runJob, .devJob, devTeam, .team("developers")),
            Row(.runJob, .prodJob, prodTeam, .team("prod_support")),
            Row(.runJob, .devRun, nobody, .inapplicable),
            Row(.runJob, .prodRun, nobody, .inapplicable),
            Row(.cancelRun, .workspace, nobody, .inapplicable),
            Row(.cancelRun, .user, nobody, .inapplicable),
            Row(.cancelRun, .team, nobody, .inapplicable),
            Row(.cancelRun, .devFabric, nobody, .inapplicable),
            Row(.cancelRun, .prodFabric, nobody, .inapplicable),
            Row(.cancelRun, .project, nobody, .inapplicable),
            Row(.cancelRun, .devJob, nobody, .inapplicable),
            Row(.cancelRun, .prodJob, nobody, .inapplicable),
            Row(.cancelRun, .devRun, devTeam, .team("developers")),
            Row(.cancelRun, .prodRun, prodTeam, .team("prod_support")),
            Row(.readRuns, .workspace, nobody, .inapplicable),
            Row(.readRuns, .user, nobody, .inapplicable),
            Row(.readRuns, .team, nobody, .inapplicable),
            Row(.readRuns, .devFabric, devTeam, .team("developers")),
            Row(.readRuns, .prodFabric, prodTeam, .team("prod_support")),
            Row(.readRuns, .project, nobody, .inapplicable),
            Row(.readRuns, .devJob, devTeam, .team("developers")),
            Row(.readRuns, .prodJob, prodTeam, .team("prod_support")),
            Row(.readRuns, .devRun, devTeam, .team("developers")),
            Row(.readRuns, .prodRun, prodTeam, .team("prod_support")),
            // Releases are deployed by the fabric's team.
            Row(.deployRelease, .workspace, nobody, .inapplicable),
            Row(.deployRelease, .user, nobody, .inapplicable),
            Row(.deployRelease, .team, nobody, .inapplicable),
            Row(.deployRelease, .devFabric, devTeam, .team("developers")),
            Row(.deployRelease, .prodFabric, prodTeam, .team("prod_support")),
            Row(.deployRelease, .project, nobody, .inapplicable),
            Row(.deployRelease, .devJob, devTeam, .team("developers")),
            Row(.deployRelease, .prodJob, prodTeam, .team("prod_support")),
            Row(.deployRelease, .devRun, nobody, .inapplicable),
            Row(.deployRelease, .prodRun, nobody, .inapplicable),
            // Anyone may try to log in.
            Row(.login, .workspace, nobody, .inapplicable),
            Row(.login, .user, everyone, .none),
            Row(.login, .team, nobody, .inapplicable),
            Row(.login, .devFabric, nobody, .inapplicable),
            Row(.login, .prodFabric, nobody, .inapplicable),
            Row(.login, .project, nobody, .inapplicable),
            Row(.login, .devJob, nobody, .inapplicable),
            Row(.login, .prodJob, nobody, .inapplicable),
            Row(.login, .devRun, nobody, .inapplicable),
            Row(.login, .prodRun, nobody, .inapplicable),
            // Backing up: admins only (the copy holds every secret and its key).
            Row(.backupWorkspace, .workspace, onlyAdmin, .adminOnly),
            Row(.backupWorkspace, .user, nobody, .inapplicable),
            Row(.backupWorkspace, .team, nobody, .inapplicable),
            Row(.backupWorkspace, .devFabric, nobody, .inapplicable),
            Row(.backupWorkspace, .prodFabric, nobody, .inapplicable),
            Row(.backupWorkspace, .project, nobody, .inapplicable),
            Row(.backupWorkspace, .devJob, nobody, .inapplicable),
            Row(.backupWorkspace, .prodJob, nobody, .inapplicable),
            Row(.backupWorkspace, .devRun, nobody, .inapplicable),
            Row(.backupWorkspace, .prodRun, nobody, .inapplicable),
    ]

    @Test("policy table: user × action × resource", arguments: rows)
    func table(_ row: Row) {
        let resource = row.sample.resource
        for p in Seed.everyone {
            let cell = "\(p.name) \(row.action.rawValue) \(resource.label)"
            let denial = PermissionPolicy.check(p, row.action, resource)
            let expectAllowed = row.allowed.contains(p.name)
            #expect((denial == nil) == expectAllowed, "\(cell)")
            #expect(PermissionPolicy.allows(p, row.action, resource) == expectAllowed)
            guard let denial else { continue }
            #expect(denial.user == p.name)
            #expect(denial.action == row.action)
            let text = denial.description
            #expect(text.contains(p.name))
            #expect(text.contains(row.action.verb))
            #expect(text.contains(resource.label))
            switch row.refusal {
            case .none:
                Issue.record("\(cell): refused although everyone may: \(text)")
            case .adminOnly:
                #expect(denial.neededTeam == nil, "\(cell)")
                #expect(!denial.isInapplicable, "\(cell)")
                #expect(text.contains("only a workspace admin may do this"), "\(text)")
            case .team(let team):
                #expect(denial.neededTeam == team, "\(cell)")
                #expect(!denial.isInapplicable, "\(cell)")
                #expect(text.contains("team \(team)"), "\(text)")
            case .inapplicable:
                #expect(denial.neededTeam == nil, "\(cell)")
                #expect(denial.inapplicableTo == resource.kind, "\(cell)")
                #expect(text.contains("\(row.action.rawValue) does not apply to \(resource.kind.phrase)"), "\(text)")
                #expect(!text.contains("admin may do this"), "\(text)")
            }
        }
    }

    /// A new `Action` or `Resource` case fails here until the table has its rows.
    /// Which fabrics use a configuration instance: named after the fabric or its stage, or referenced by a job on it.
    @Test func configurationInstancesBelongToTheFabricsThatUseThem() {
        let qa2 = Fabric(name: "qa_eu", ownerTeam: "qa", stage: .qa, kind: .local)
        let fabrics = [Seed.development, qa2, Seed.production]
        func job(_ fabric: String, _ pipeline: String, _ config: String?) -> Job {
            Job(name: "j_\(fabric)", fabric: fabric, tasks: [JobTask(key: "t", action: .pipeline(name: pipeline, config: config, overrides: [:]))])
        }
        func names(_ instance: String, _ jobs: [Job] = []) -> [String] {
            ConfigInstanceUse.fabrics(instance: instance, pipeline: "clean", fabrics: fabrics, jobs: jobs).map(\.name)
        }
        #expect(names("production") == ["production"])
        #expect(names("development") == ["development"])
        #expect(names("qa") == ["qa_eu"])  // by stage
        #expect(names("qa_eu") == ["qa_eu"])  // by name
        #expect(names("nightly") == [])
        #expect(names("nightly", [job("production", "clean", "nightly")]) == ["production"])
        #expect(names("nightly", [job("production", "ingest", "nightly"), job("production", "clean", nil)]) == [])
        #expect(names("development", [job("production", "clean", "development")]) == ["development", "production"])
        // Changing it takes each using fabric's team.
        #expect(PermissionPolicy.check(Seed.alice, .editPipeline, .fabric(Seed.production))?.neededTeam == "prod_support")
        #expect(PermissionPolicy.allows(Seed.bob, .editPipeline, .fabric(Seed.production)))
        #expect(PermissionPolicy.allows(Seed.alice, .editPipeline, .fabric(Seed.development)))
    }

    @Test func theTableCoversEveryActionOnEveryKindOfObject() {
        #expect(Set(Sample.allCases.map(\.resource.kind)) == Set(Resource.Kind.allCases), "a kind of object has no sample")
        var seen: [Action: [Sample]] = [:]
        for row in Self.rows { seen[row.action, default: []].append(row.sample) }
        for action in Action.allCases {
            let samples = seen[action] ?? []
            #expect(samples.count == Sample.allCases.count, "\(action.rawValue) has \(samples.count) rows, not \(Sample.allCases.count)")
            #expect(Set(samples) == Set(Sample.allCases), "\(action.rawValue) misses \(Set(Sample.allCases).subtracting(samples))")
        }
        #expect(Self.rows.count == Action.allCases.count * Sample.allCases.count)
    }

    /// The kinds an action declares are exactly those the table finds it applicable to.
    @Test func declaredKindsMatchTheTable() {
        for row in Self.rows {
            let declared = row.action.resourceKinds.contains(row.sample.resource.kind)
            #expect(declared == (row.refusal != .inapplicable), "\(row.testDescription)")
        }
    }

    @Test func inapplicableActionsAreRefusedForAdminsWithTheReason() {
        let run = PermissionPolicy.check(Seed.admin, .runJob, .project(Seed.project))
        #expect(
            run?.description
                == "permission denied: admin may not run project customer_analytics: run.start does not apply to a project, only to a fabric or a job"
        )
        let runs = PermissionPolicy.check(Seed.admin, .readRuns, .workspace)
        #expect(
            runs?.description
                == "permission denied: admin may not read the runs of the workspace: run.read does not apply to the workspace, only to a fabric, a job or a run"
        )
        let fabric = PermissionPolicy.check(Seed.admin, .createFabric, .team("developers"))
        #expect(fabric?.description.hasSuffix("fabric.create does not apply to a team, only to a fabric") == true)
        #expect(fabric?.inapplicableTo == .team)
        // Team membership does not help either.
        #expect(PermissionPolicy.check(Seed.bob, .readProject, Seed.devJob)?.isInapplicable == true)
    }

    @Test func changingAJobNeedsItsProjectsTeamToo() {
        // A job on development (developers) in a project owned by prod_support: alice uses the fabric but cannot
        // read the project; the fabric's team is named first when both are missing.
        let project = Project(name: "support_tools", ownerTeam: "prod_support")
        let job = Resource.job(name: "cleanup_development", project: project, fabric: Seed.development)
        for action in [Action.createJob, .duplicateJob, .editJob, .enableJob, .disableJob, .deleteJob] {
            #expect(PermissionPolicy.check(Seed.alice, action, job)?.neededTeam == "prod_support", "\(action.rawValue)")
            #expect(PermissionPolicy.check(Seed.carol, action, job)?.neededTeam == "developers", "\(action.rawValue)")
            #expect(PermissionPolicy.allows(Seed.bob, action, job), "\(action.rawValue)")
            #expect(!PermissionPolicy.allows(Seed.admin, action, job), "\(action.rawValue)")
        }
        // Running and reading runs are the fabric's team's alone.
        #expect(PermissionPolicy.allows(Seed.alice, .runJob, job))
        #expect(PermissionPolicy.allows(Seed.alice, .readRuns, job))
    }

    @Test func releaseActionsKeepTheirAuditNames() {
        #expect(Action.createRelease.rawValue == "release.create")
        #expect(Action.deployRelease.rawValue == "release.deploy")
        let d = PermissionPolicy.check(Seed.carol, .createRelease, .project(Seed.project))
        #expect(
            d?.description
                == "permission denied: carol may not create a release of project customer_analytics: only members of team developers may do this (carol is in no team); ask an admin to add carol to developers"
        )
    }

    @Test func denialMessageNamesUserActionObjectAndTeams() {
        let d = PermissionPolicy.check(Seed.alice, .enableJob, Seed.prodJob)
        #expect(
            d?.description
                == "permission denied: alice may not enable job customers_daily_production on fabric production: only members of team prod_support may do this (alice is in team developers); ask an admin to add alice to prod_support"
        )
        let c = PermissionPolicy.check(Seed.carol, .duplicateJob, .fabric(Seed.development))
        #expect(c?.description.contains("carol is in no team") == true)
        let b = PermissionPolicy.check(Seed.bob, .createUser, .user("x"))
        #expect(b?.description.contains("only a workspace admin may do this") == true)
        #expect(b?.userTeams == ["developers", "prod_support"])
    }

    @Test func mutationsAreMarked() {
        #expect(Action.enableJob.isMutation)
        #expect(Action.setFabricSecret.isMutation)
        #expect(Action.createRelease.isMutation && Action.deployRelease.isMutation)
        #expect(!Action.readProject.isMutation)
        #expect(!Action.viewFabricSettings.isMutation)
        #expect(!Action.login.isMutation)
    }

    @Test func exitCodes() {
        let denied = WeftError.permissionDenied(PermissionPolicy.check(Seed.carol, .createUser, .user("x"))!)
        #expect(denied.exitCode == 3)
        #expect(WeftError.conflict("x").exitCode == 4)
        #expect(WeftError.invalid("x").exitCode == 1)
        #expect(WeftError.notFound(kind: "job", name: "j", hint: "").exitCode == 1)
    }
}

struct TeamGraphTests {
    @Test func seedMembershipIsTransitive() {
        #expect(Seed.graph.effectiveTeams(of: "alice") == ["developers"])
        #expect(Seed.graph.effectiveTeams(of: "bob") == ["developers", "prod_support"])
        #expect(Seed.graph.effectiveTeams(of: "carol") == [])
        #expect(Seed.graph.members(of: "developers") == ["alice", "bob"])
        #expect(Seed.graph.members(of: "prod_support") == ["bob"])
        #expect(Seed.graph.members(of: "nope") == [])
    }

    @Test func longChainsAreTransitive() {
        // a includes b includes c includes d; x includes d too.
        let g = TeamGraph([
            Team(name: "a", includes: ["b"], members: ["ua"]),
            Team(name: "b", includes: ["c"]),
            Team(name: "c", includes: ["d"], members: ["uc"]),
            Team(name: "d", members: ["ud"]),
            Team(name: "x", includes: ["d"]),
        ])
        #expect(g.effectiveTeams(of: "ud") == ["a", "b", "c", "d", "x"])
        #expect(g.effectiveTeams(of: "uc") == ["a", "b", "c"])
        #expect(g.effectiveTeams(of: "ua") == ["a"])
        #expect(g.members(of: "a") == ["ua", "uc", "ud"])
        #expect(g.members(of: "x") == ["ud"])
    }

    @Test func cyclesAreHarmlessAndDetected() {
        let g = TeamGraph([
            Team(name: "a", includes: ["b"], members: ["ua"]),
            Team(name: "b", includes: ["a"], members: ["ub"]),
            Team(name: "c", includes: ["c"], members: ["uc"]),
        ])
        #expect(g.members(of: "a") == ["ua", "ub"])
        #expect(g.members(of: "b") == ["ua", "ub"])
        #expect(g.members(of: "c") == ["uc"])
        #expect(g.effectiveTeams(of: "ua") == ["a", "b"])

        let chain = TeamGraph([
            Team(name: "a", includes: ["b"]), Team(name: "b", includes: ["c"]), Team(name: "c"), Team(name: "z"),
        ])
        #expect(chain.wouldCycle(team: "c", including: "a"))
        #expect(chain.wouldCycle(team: "b", including: "a"))
        #expect(chain.wouldCycle(team: "a", including: "a"))
        #expect(!chain.wouldCycle(team: "a", including: "c"))
        #expect(!chain.wouldCycle(team: "z", including: "a"))
        #expect(!chain.wouldCycle(team: "a", including: "z"))
        #expect(Seed.graph.wouldCycle(team: "prod_support", including: "developers"))
        #expect(!Seed.graph.wouldCycle(team: "developers", including: "prod_support"))
    }
}
