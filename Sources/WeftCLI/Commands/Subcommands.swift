import ArgumentParser

extension WeftCommand {
    /// Every subcommand, in help order.
    static let allSubcommands: [any ParsableCommand.Type] =
        [
            InitCommand.self, DemoCommand.self, LoginCommand.self, LogoutCommand.self, WhoamiCommand.self,
            UserCommand.self, TeamCommand.self, FabricCommand.self, ProjectCommand.self, PipelineCommand.self,
            JobCommand.self, RunCommand.self, RunsCommand.self, ReleaseCommand.self, ReleasesCommand.self, DeploymentsCommand.self, ScheduleCommand.self, SchedulerCommand.self, AuditCommand.self,
            BackupCommand.self,
        ] + extraSubcommands

    /// The command `weft` runs without arguments.
    static let defaultCommand: (any ParsableCommand.Type)? = tuiCommand
}
