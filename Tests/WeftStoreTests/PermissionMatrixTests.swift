import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// Every mutating Workspace operation × {admin, alice (developers), bob (prod_support ⊂ developers), carol (no team)}:
/// allowed or denied as PRODUCT.md §2 says, and one audit event per attempt naming user, action and result.
@Suite struct PermissionMatrixTests {
    struct Op {
        var label: String
        /// The audit action (and the denial's action).
        var action: Action
        var allowed: Set<String>
        /// The team a denial names (nil: only admins).
        var neededTeam: String?
        /// The fabric the audit event names, if any.
        var fabric: String?
        /// The project whose git HEAD an allowed attempt moves (and a denied one must not).
        var project: String? = "customer_analytics"
        /// Whether an allowed attempt writes an audit event itself. (Starting runs is the run service's: see
        /// WeftEngineTests' RunServiceTests.)
        var auditsWhenAllowed = true
        var perform: (Principal) throws -> Void
        /// Checks the effect of an allowed attempt.
        var verify: ((Principal) throws -> Bool)? = nil
    }

    @Test func everyMutatingOperationForEveryKindOfUser() throws {
        let t = try TempWorkspace()
        let ws = t.ws
        let users = [t.admin, t.alice, t.bob, t.carol]

        // Fixture: teams to change, bob's production job, and one job per (operation, fabric, user) so cells never interfere.
        for u in users { try ws.createTeam(t.admin, name: "extra_\(u.name)") }
        try ws.duplicateJob(t.bob, "customers_daily_development", fabric: "production")
        try ws.configureTask(t.bob, "customers_daily_production", task: "ingest", instance: nil, assignments: ["sample_rate=0.9"])
        let devBase = try ws.job(t.alice, "customers_daily_development").job
        let prodBase = try ws.job(t.bob, "customers_daily_production").job
        #expect(prodBase.basedOn?.job == "customers_daily_development")
        var files: [String: String?] = [:]
        for (short, base) in [("dev", devBase), ("prod", prodBase)] {
            for op in ["config", "enable", "disable", "update"] {
                for u in users {
                    var j = base
                    j.name = "\(op)_\(short)_\(u.name)"
                    j.enabled = op == "disable"
                    j.basedOn = nil
                    files["jobs/\(j.name).yaml"] = ProjectFiles.encodeJob(j)
                }
            }
        }
        try ws.writeFiles(t.bob, project: "customer_analytics", files: files, expecting: nil, message: "fixture jobs", audit: nil)
        try ws.refreshJobIndex(project: "customer_analytics")

        func job(_ name: String) throws -> Job { try ws.job(t.bob, name).job }
        let adminOnly: Set<String> = ["admin"]
        let devTeam: Set<String> = ["alice", "bob"]
        let prodTeam: Set<String> = ["bob"]
        var ops: [Op] = [
            Op(label: "createUser", action: .createUser, allowed: adminOnly, neededTeam: nil, project: nil,
               perform: { p in try ws.createUser(p, name: "new_\(p.name)", password: "a-long-password") },
               verify: { p in try ws.users().contains { $0.name == "new_\(p.name)" } }),
            Op(label: "createTeam", action: .createTeam, allowed: adminOnly, neededTeam: nil, project: nil,
               perform: { p in try ws.createTeam(p, name: "team_\(p.name)", includes: ["developers"]) },
               verify: { p in try ws.team("team_\(p.name)").includes == ["developers"] }),
            Op(label: "includeTeam", action: .changeTeam, allowed: adminOnly, neededTeam: nil, project: nil,
               perform: { p in try ws.includeTeam(p, team: "extra_\(p.name)", included: "prod_support") },
               verify: { p in try ws.team("extra_\(p.name)").includes == ["prod_support"] }),
            Op(label: "addMember", action: .changeTeam, allowed: adminOnly, neededTeam: nil, project: nil,
               perform: { p in try ws.addMember(p, team: "extra_\(p.name)", user: "carol") },
               verify: { p in try ws.team("extra_\(p.name)").members == ["carol"] }),
            Op(label: "createFabric", action: .createFabric, allowed: adminOnly, neededTeam: nil, fabric: "fab_x", project: nil,
               perform: { p in
                   try ws.createFabric(p, Fabric(name: "fab_x", ownerTeam: "developers", stage: .qa, kind: .local), schema: TestSchemas.local)
               },
               verify: { _ in try ws.fabric("fab_x").stage == .qa }),
            Op(label: "updateFabric", action: .changeFabric, allowed: adminOnly, neededTeam: nil, fabric: "development", project: nil,
               perform: { p in try ws.updateFabric(p, name: "development", set: ["sandbox": "on"], schema: TestSchemas.local) },
               verify: { _ in try ws.fabric("development").settings["sandbox"] == "on" }),
            Op(label: "setSecret development", action: .setFabricSecret, allowed: ["admin", "alice", "bob"], neededTeam: "developers",
               fabric: "development", project: nil,
               perform: { p in try ws.setSecret(p, fabric: "development", secret: "s_\(p.name)", value: "value-\(p.name)") },
               verify: { p in try ws.fabric("development").secretNames.contains("s_\(p.name)") }),
            Op(label: "setSecret production", action: .setFabricSecret, allowed: ["admin", "bob"], neededTeam: "prod_support",
               fabric: "production", project: nil,
               perform: { p in try ws.setSecret(p, fabric: "production", secret: "s_\(p.name)", value: "value-\(p.name)") },
               verify: { p in try ws.fabric("production").secretNames.contains("s_\(p.name)") }),
            Op(label: "createProject", action: .createProject, allowed: ["admin", "alice", "bob"], neededTeam: "developers", project: nil,
               perform: { p in try ws.createProject(p, name: "proj_\(p.name)", owner: "developers") },
               verify: { p in try ws.project("proj_\(p.name)").ownerTeam == "developers" && ws.git("proj_\(p.name)").head() != nil }),
            Op(label: "setPipelineConfig", action: .editPipeline, allowed: devTeam, neededTeam: "developers",
               perform: { p in
                   _ = try ws.setPipelineConfig(
                       p, "customer_analytics/ingest", instance: "inst_\(p.name)", assignments: ["source_path=x.csv", "output_dir=o"])
               },
               verify: { p in try ws.pipelines(project: "customer_analytics")["ingest"]?.instances["inst_\(p.name)"]?["source_path"] == .string("x.csv") }),
            // The instance production runs: production's team only, audited with the fabric.
            Op(label: "setPipelineConfig of production's instance", action: .editPipeline, allowed: prodTeam, neededTeam: "prod_support",
               fabric: "production",
               perform: { p in
                   _ = try ws.setPipelineConfig(p, "customer_analytics/clean", instance: "production", assignments: ["output_dir=out_\(p.name)"])
               },
               verify: { p in try ws.pipelines(project: "customer_analytics")["clean"]?.instances["production"]?["output_dir"] == .string("out_\(p.name)") }),
            Op(label: "duplicateJob onto development", action: .duplicateJob, allowed: devTeam, neededTeam: "developers", fabric: "development",
               perform: { p in try ws.duplicateJob(p, "customers_daily_development", fabric: "development", name: "dupdev_\(p.name)") },
               verify: { p in try job("dupdev_\(p.name)").fabric == "development" }),
            Op(label: "duplicateJob onto production", action: .duplicateJob, allowed: prodTeam, neededTeam: "prod_support", fabric: "production",
               perform: { p in try ws.duplicateJob(p, "customers_daily_development", fabric: "production", name: "dupprod_\(p.name)") },
               verify: { p in try job("dupprod_\(p.name)").basedOn?.job == "customers_daily_development" }),
        ]
        for (short, fabric, team, teamName) in [("dev", "development", devTeam, "developers"), ("prod", "production", prodTeam, "prod_support")] {
            ops += [
                Op(label: "configureTask \(short)", action: .editJob, allowed: team, neededTeam: teamName, fabric: fabric,
                   perform: { p in
                       try ws.configureTask(p, "config_\(short)_\(p.name)", task: "ingest", instance: nil, assignments: ["sample_rate=0.25"])
                   },
                   verify: { p in try job("config_\(short)_\(p.name)").task("ingest")?.overrides["sample_rate"] == .double(0.25) }),
                Op(label: "setEnabled(true) \(short)", action: .enableJob, allowed: team, neededTeam: teamName, fabric: fabric,
                   perform: { p in try ws.setEnabled(p, "enable_\(short)_\(p.name)", enabled: true) },
                   verify: { p in try job("enable_\(short)_\(p.name)").enabled }),
                Op(label: "setEnabled(false) \(short)", action: .disableJob, allowed: team, neededTeam: teamName, fabric: fabric,
                   perform: { p in try ws.setEnabled(p, "disable_\(short)_\(p.name)", enabled: false) },
                   verify: { p in try !job("disable_\(short)_\(p.name)").enabled }),
                Op(label: "updateJob \(short)", action: .editJob, allowed: team, neededTeam: teamName, fabric: fabric,
                   perform: { p in
                       let record = try ws.job(t.bob, "update_\(short)_\(p.name)")
                       var j = record.job
                       j.maxConcurrentRuns = 3
                       try ws.updateJob(p, record, to: j, action: .editJob, message: "more runs", detail: "max_concurrent_runs 3")
                   },
                   verify: { p in try job("update_\(short)_\(p.name)").maxConcurrentRuns == 3 }),
            ]
        }

        var cells = 0
        for op in ops {
            for u in users {
                cells += 1
                let cell = "\(op.label) by \(u.name)"
                let expectAllowed = op.allowed.contains(u.name)
                let auditBefore = try t.lastAuditID()
                let headBefore = op.project.flatMap { t.head($0) }
                var thrown: (any Error)?
                do { try op.perform(u) } catch { thrown = error }
                let events = try t.audit(after: auditBefore)
                if expectAllowed {
                    #expect(thrown == nil, "\(cell): expected allowed, got \(String(describing: thrown))")
                    if let verify = op.verify { #expect(try verify(u), "\(cell): the change is not there") }
                    if let project = op.project { #expect(t.head(project) != headBefore, "\(cell): no commit") }
                    if op.auditsWhenAllowed {
                        #expect(events.count == 1, "\(cell): \(events.count) audit events")
                        let e = events.last
                        #expect(e?.result == .allowed, "\(cell)")
                        #expect(e?.user == u.name, "\(cell)")
                        #expect(e?.action == op.action.rawValue, "\(cell): audit action \(e?.action ?? "none")")
                        if let f = op.fabric { #expect(e?.fabric == f, "\(cell): audit fabric \(e?.fabric ?? "none")") }
                    } else {
                        #expect(events.isEmpty, "\(cell): unexpected audit events \(events.map(\.action))")
                    }
                } else {
                    guard let thrown, let d = denial(of: thrown) else {
                        Issue.record("\(cell): expected permission denied, got \(String(describing: thrown))")
                        continue
                    }
                    #expect(d.user == u.name, "\(cell)")
                    #expect(d.action == op.action, "\(cell): denial names action \(d.action.rawValue)")
                    #expect(d.neededTeam == op.neededTeam, "\(cell): denial names team \(d.neededTeam ?? "admin")")
                    let message = "\(thrown)"
                    #expect(message.contains(u.name) && message.contains(op.action.verb), "\(cell): \(message)")
                    if let team = op.neededTeam {
                        #expect(message.contains("team \(team)"), "\(cell): \(message)")
                    } else {
                        #expect(message.contains("only a workspace admin"), "\(cell): \(message)")
                    }
                    if let project = op.project { #expect(t.head(project) == headBefore, "\(cell): a denied attempt committed") }
                    #expect(events.count == 1, "\(cell): \(events.count) audit events")
                    let e = events.last
                    #expect(e?.result == .denied, "\(cell)")
                    #expect(e?.user == u.name, "\(cell)")
                    #expect(e?.action == op.action.rawValue, "\(cell): audit action \(e?.action ?? "none")")
                    #expect(e?.detail.contains(u.name) == true, "\(cell)")
                    if let f = op.fabric, op.action != .createFabric { #expect(e?.fabric == f, "\(cell): audit fabric \(e?.fabric ?? "none")") }
                }
            }
        }
        #expect(cells == 21 * 4)
        // The newest audit row is also visible through SQL, as the CLI's `weft audit` reads it.
        let newest = try ws.metastore.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT user, action, result FROM audit ORDER BY id DESC LIMIT 1")
        }
        #expect(newest?["user"] == "carol")
        #expect(newest?["action"] == ops.last?.action.rawValue)
        #expect(newest?["result"] == "denied")
        #expect(try t.gitStatus().isEmpty)
    }

    @Test func auditIsFilteredByTheFabricsAUserMayUse() throws {
        let t = try TempWorkspace()
        // alice's denied attempt on production is audited, but only production's team (and admins) see it.
        #expect(throws: WeftError.self) { try t.ws.duplicateJob(t.alice, "customers_daily_development", fabric: "production") }
        let forBob = try t.ws.auditEvents(t.bob, fabric: "production")
        #expect(forBob.first?.user == "alice" && forBob.first?.result == .denied)
        #expect(try t.ws.auditEvents(t.alice).allSatisfy { $0.fabric != "production" })
        #expect(try t.ws.auditEvents(t.admin).contains { $0.user == "alice" && $0.fabric == "production" })
    }
}
