import ArgumentParser
import Foundation
import WeftDomain

/// The entry point: runs the command and maps errors to the documented exit codes
/// (0 ok, 1 failure, 2 usage, 3 permission denied, 4 conflict).
public enum WeftMain {
    public static func main() async {
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
}
