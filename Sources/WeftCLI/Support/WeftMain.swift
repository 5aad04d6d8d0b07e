import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// The entry point: runs the command and maps errors to the documented exit codes
/// (0 ok, 1 failure, 2 usage, 3 permission denied, 4 conflict).
public enum WeftMain {
    public static func main() async {
        // Nothing Weft writes is for other users (the workspace, logs, data roots, temporary files); explicit
        // modes on the sensitive files besides.
        umask(0o077)
        // WEFT_PASSWORD is read now and scrubbed from the environment: no child process (task, git, the detached
        // run owner) inherits it and /proc/PID/environ of a long-lived Weft does not show it.
        Credentials.takeFromEnvironment()
        EngineSupport.install()
        let code: Int32
        do {
            var command = try parseLeafDirectly(Array(CommandLine.arguments.dropFirst())) ?? WeftCommand.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let error as WeftError {
            TerminalText.writeError("weft: \(error)\n")
            code = error.exitCode
        } catch let error as ExitCode {
            code = error.rawValue
        } catch {
            let exit = WeftCommand.exitCode(for: error)
            let message = WeftCommand.fullMessage(for: error)
            if exit == .success {
                print(message)
                code = 0
            } else if exit == .validationFailure {
                TerminalText.writeError(message + "\n")
                code = 2
            } else {
                if !message.isEmpty { TerminalText.writeError("weft: \(message)\n") }
                code = exit.rawValue == 0 ? 1 : 1
            }
        }
        fflush(nil)
        exit(code)
    }

    /// `weft job list …`: walks the command names to the leaf command and parses the rest with it alone. Parsing
    /// from the root builds the argument set of every command in the tree (reflection and a protocol-conformance
    /// scan per type, ~2 ms in a static binary), which every CLI command would pay. Anything the leaf cannot parse
    /// — help, `--version`, completion scripts, a usage error — returns nil, and the root parse handles it with its
    /// full messages.
    static func parseLeafDirectly(_ args: [String]) -> (any ParsableCommand)? {
        var type: any ParsableCommand.Type = WeftCommand.self
        var i = 0
        while i < args.count,
              let sub = type.configuration.subcommands.first(where: { $0.configuration.commandName == args[i] }) {
            type = sub
            i += 1
        }
        guard i > 0, type.configuration.subcommands.isEmpty else { return nil }
        let rest = Array(args[i...])
        if rest.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "--version" || $0 == "--experimental-dump-help"
            || $0.hasPrefix("--generate-completion") || $0 == "---completion" }) { return nil }
        return try? type.parseAsRoot(rest)
    }
}
