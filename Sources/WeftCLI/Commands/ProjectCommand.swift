import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft project create|list|show`.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Manage projects (git repositories of pipelines and jobs).",
        subcommands: [Create.self, List.self, Show.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a project, empty or imported from a directory.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Project name.") var name: String
        @Option(help: "The owner team.") var owner: String
        @Option(help: "Import this directory (project.yaml, pipelines/, jobs/).") var from: String?
        @Option(help: "A one-line description.") var description: String = ""

        func run() throws {
            let (ws, p) = try global.session()
            try ws.createProject(p, name: name, owner: owner, description: description, from: from.map { Workspace.defaultRoot(explicit: $0) })
            print("Created project \(name) (owner \(owner)) at \(ws.projectDirectory(name)).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List projects.")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (ws, p) = try global.session()
            let projects = try ws.projects()
            if global.output == .json { return try global.printJSON(projects) }
            Table.print(
                ["PROJECT", "OWNER", "YOU", "DESCRIPTION"],
                projects.map { [$0.name, $0.ownerTeam, p.isMember(of: $0.ownerTeam) ? "read" : "-", $0.description] })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a project: pipelines, jobs and recent commits.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Project name.") var name: String

        func run() throws {
            let (ws, p) = try global.session()
            let project = try ws.project(name)
            try ws.authorize(p, .readProject, .project(project))
            let pipelines = try ws.pipelines(project: name).keys.sorted()
            let jobs = try ws.listJobs(p, project: name)
            struct Out: Encodable { var project: Project; var head: String; var pipelines: [String]; var jobs: [String] }
            let head = ws.git(name).head() ?? ""
            if global.output == .json {
                return try global.printJSON(Out(project: project, head: head, pipelines: pipelines, jobs: jobs.jobs.map(\.job.name)))
            }
            print("project:   \(project.name)\nowner:     \(project.ownerTeam)\npath:      \(ws.projectDirectory(name))\nhead:      \(head)")
            print("pipelines: \(pipelines.joined(separator: ", "))")
            print("jobs:      \(jobs.jobs.map(\.job.name).joined(separator: ", "))")
            for b in jobs.broken { for pr in b.problems { TerminalText.writeError("warning: \(b.project)/\(pr)\n") } }
            let log = (try? ws.git(name).run(["log", "-5", "--format=%h %an %ar %s"])) ?? ""
            print("recent commits:\n" + log.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}
