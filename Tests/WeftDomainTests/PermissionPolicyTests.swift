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
    struct Row: CustomTestStringConvertible, Sendable {
        var action: Action
        var resource: Resource
        var resourceName: String
        /// Users allowed, out of admin, alice, bob, carol.
        var allowed: Set<String>
        /// The team the denial should name (nil: admins only).
        var neededTeam: String?
        var testDescription: String { "\(action.rawValue) on \(resourceName)" }
    }

    static let rows: [Row] = {
        let dev = Resource.fabric(Seed.development), prod = Resource.fabric(Seed.production)
        let proj = Resource.project(Seed.project)
        let devRun = Resource.run(id: "r1", job: "customers_daily_development", fabric: Seed.development)
        let prodRun = Resource.run(id: "r2", job: "customers_daily_production", fabric: Seed.production)
        return [
            // Admin-only workspace management.
            Row(action: .createUser, resource: .user("dave"), resourceName: "user", allowed: ["admin"], neededTeam: nil),
            Row(action: .createTeam, resource: .team("qa"), resourceName: "team", allowed: ["admin"], neededTeam: nil),
            Row(action: .changeTeam, resource: .team("developers"), resourceName: "team", allowed: ["admin"], neededTeam: nil),
            Row(action: .createFabric, resource: prod, resourceName: "production", allowed: ["admin"], neededTeam: nil),
            Row(action: .changeFabric, resource: dev, resourceName: "development", allowed: ["admin"], neededTeam: nil),
            // Secrets: the fabric's team or an admin.
            Row(action: .setFabricSecret, resource: dev, resourceName: "development", allowed: ["admin", "alice", "bob"], neededTeam: "developers"),
            Row(action: .setFabricSecret, resource: prod, resourceName: "production", allowed: ["admin", "bob"], neededTeam: "prod_support"),
            // Using a fabric: only its team (admins too go through teams).
            Row(action: .viewFabricSettings, resource: dev, resourceName: "development", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .viewFabricSettings, resource: prod, resourceName: "production", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .runJob, resource: prod, resourceName: "production", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .readRuns, resource: prod, resourceName: "production", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .readRuns, resource: dev, resourceName: "development", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .deployRelease, resource: prod, resourceName: "production", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .duplicateJob, resource: prod, resourceName: "production", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .duplicateJob, resource: dev, resourceName: "development", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .createJob, resource: prod, resourceName: "production", allowed: ["bob"], neededTeam: "prod_support"),
            // Projects.
            Row(action: .createProject, resource: proj, resourceName: "project", allowed: ["admin", "alice", "bob"], neededTeam: "developers"),
            Row(action: .readProject, resource: proj, resourceName: "project", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .editPipeline, resource: proj, resourceName: "project", allowed: ["alice", "bob"], neededTeam: "developers"),
            // Jobs: the fabric's team (and the project's).
            Row(action: .editJob, resource: Seed.devJob, resourceName: "dev job", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .enableJob, resource: Seed.devJob, resourceName: "dev job", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .disableJob, resource: Seed.devJob, resourceName: "dev job", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .deleteJob, resource: Seed.devJob, resourceName: "dev job", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .editJob, resource: Seed.prodJob, resourceName: "prod job", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .enableJob, resource: Seed.prodJob, resourceName: "prod job", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .disableJob, resource: Seed.prodJob, resourceName: "prod job", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .deleteJob, resource: Seed.prodJob, resourceName: "prod job", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .createJob, resource: Seed.prodJob, resourceName: "prod job", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .runJob, resource: Seed.devJob, resourceName: "dev job", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .runJob, resource: Seed.prodJob, resourceName: "prod job", allowed: ["bob"], neededTeam: "prod_support"),
            // Runs.
            Row(action: .readRuns, resource: devRun, resourceName: "dev run", allowed: ["alice", "bob"], neededTeam: "developers"),
            Row(action: .cancelRun, resource: prodRun, resourceName: "prod run", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .readRuns, resource: prodRun, resourceName: "prod run", allowed: ["bob"], neededTeam: "prod_support"),
            Row(action: .login, resource: .user("alice"), resourceName: "user", allowed: ["admin", "alice", "bob", "carol"], neededTeam: nil),
        ]
    }()

    @Test("policy table: user × action × resource", arguments: rows)
    func table(_ row: Row) {
        for p in Seed.everyone {
            let denial = PermissionPolicy.check(p, row.action, row.resource)
            let expectAllowed = row.allowed.contains(p.name)
            #expect((denial == nil) == expectAllowed, "\(p.name) \(row.action.rawValue) \(row.resource.label)")
            #expect(PermissionPolicy.allows(p, row.action, row.resource) == expectAllowed)
            guard let denial else { continue }
            #expect(denial.user == p.name)
            #expect(denial.action == row.action)
            #expect(denial.neededTeam == row.neededTeam, "\(p.name) \(row.action.rawValue) \(row.resource.label)")
            let text = denial.description
            #expect(text.contains(p.name))
            #expect(text.contains(row.action.verb))
            #expect(text.contains(row.resource.label))
            if let team = row.neededTeam {
                #expect(text.contains("team \(team)"), "\(text)")
            } else {
                #expect(text.contains("admin"), "\(text)")
            }
        }
    }

    @Test func everyActionIsCoveredByTheTable() {
        let covered = Set(Self.rows.map(\.action))
        #expect(covered == Set(Action.allCases), "missing: \(Set(Action.allCases).subtracting(covered))")
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
