import ArgumentParser
import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// `weft release PROJECT --version V [--fabric F ...] [--jobs J ...] [--dry-run]`.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Build, test, tag and deploy a project's release, with a plan per fabric first.",
        discussion: """
            Validates the project at HEAD (a clean working tree), builds each pipeline into an artifact, runs its unit \
            tests, tags the project PROJECT/VERSION and deploys the jobs to their fabrics — each fabric's plan (add, \
            modify, delete, unchanged per job) is printed first. Fabrics outside your teams are skipped with the \
            reason. The same version again deploys that release again (to more fabrics, or to complete one that was \
            interrupted); at a new commit it is refused. Production asks for its name to be typed (or --yes).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The project.") var project: String
    @Option(name: .customLong("version"), help: "The release version, e.g. 1.0.0 (the tag is PROJECT/VERSION).") var version: String
    @Option(name: .customLong("fabric"), help: "Deploy to this fabric (repeatable; default: each job's fabric).") var fabrics: [String] = []
    @Option(name: .customLong("jobs"), parsing: .upToNextOption, help: "Deploy only these jobs.") var jobs: [String] = []
    @Flag(help: "Validate and print the plans; build, test, tag and deploy nothing.") var dryRun = false
    @Flag(help: "Confirm deploying to production without a terminal.") var yes = false

    func run() async throws {
        let (ws, p) = try global.session()
        let service = EngineSupport.releaseService(ws)
        let request = ReleaseRequest(project: project, version: version, fabrics: fabrics, jobs: jobs.isEmpty ? nil : jobs, dryRun: true)
        let json = global.output == .json
        let plan = try await service.release(p, request) { event in
            if !json { print(event.line) }
        }
        if dryRun {
            if json { try global.printJSON(plan) }
            return
        }
        let production = plan.plans.filter { $0.fabric.stage == .production && plan.toApply.contains($0.fabric.name) }.map(\.fabric.name)
        try Confirmation.production(production, action: "release \(project)/\(version)", yes: yes)
        var real = request
        real.dryRun = false
        real.confirmed = plan.plans.filter { plan.toApply.contains($0.fabric.name) }
        let outcome = try await service.release(p, real) { event in
            guard !json, event.step != .validate, event.step != .plan else { return }
            print(event.line)
        }
        if json { return try global.printJSON(outcome) }
        let deployed = outcome.deployments.map(\.fabric)
        print(
            "release \(outcome.project)/\(outcome.version) at \(outcome.commit.prefix(10)): "
                + (deployed.isEmpty ? "nothing to deploy, every fabric holds it already" : "deployed to \(deployed.joined(separator: ", "))")
                + (outcome.skipped.isEmpty ? "" : "; skipped \(outcome.skipped.count) fabric(s)"))
    }
}

/// `weft releases PROJECT`.
struct ReleasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "releases", abstract: "A project's releases, newest first.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The project.") var project: String

    func run() throws {
        let (ws, p) = try global.session()
        let releases = try EngineSupport.releaseService(ws).releases(p, project: project)
        if global.output == .json { return try global.printJSON(releases) }
        Table.print(
            ["VERSION", "COMMIT", "BY", "CREATED", "ARTIFACTS", "TESTS"],
            releases.map { r in
                [r.version, String(r.commit.prefix(10)), r.createdBy, UTCTime.iso8601(r.createdAt), "\(r.artifacts.count)",
                 r.tests.isEmpty ? "-" : "\(r.tests.count) pipelines"]
            })
    }
}

/// `weft deployments [--fabric F]`.
struct DeploymentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments", abstract: "Deployments of releases to fabrics of your teams, newest first; what each job runs.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this fabric.") var fabric: String?

    func run() throws {
        let (ws, p) = try global.session()
        let list = try EngineSupport.releaseService(ws).deployments(p, fabric: fabric)
        if global.output == .json { return try global.printJSON(list) }
        Table.print(
            ["ID", "FABRIC", "RELEASE", "COMMIT", "STATE", "BY", "STARTED", "PLAN", "APPLIED"],
            list.map { d in
                [String(d.id), d.fabric, "\(d.project)/\(d.version)", String(d.commit.prefix(10)), d.state.rawValue, d.user,
                 UTCTime.iso8601(d.startedAt), d.plan.summary, "\(d.applied.count)/\(d.plan.changes.count)"]
            })
    }
}
