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
            var command = try WeftCommand.parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            code = 0
        } catch let error as WeftError {
            FileHandle.standardError.write(Data("weft: \(error)\n".utf8))
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
                FileHandle.standardError.write(Data((message + "\n").utf8))
                code = 2
            } else {
                if !message.isEmpty { FileHandle.standardError.write(Data("weft: \(message)\n".utf8)) }
                code = exit.rawValue == 0 ? 1 : 1
            }
        }
        fflush(nil)
        exit(code)
    }
}
