import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// How results are printed.
public enum OutputFormat: String, ExpressibleByArgument, Sendable, CaseIterable {
    case table, json
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The workspace directory (default: $WEFT_HOME, else $XDG_DATA_HOME/weft).")
    var workspace: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: table or json.")
    var output: OutputFormat = .table

    /// The workspace directory this command works on.
    var root: String { Workspace.defaultRoot(explicit: workspace) }

    /// Opens the workspace.
    func open() throws -> Workspace { try Workspace.open(at: root, connections: .single) }

    /// The acting user: WEFT_USER + WEFT_PASSWORD when set, else the `weft login` session.
    func identity(_ ws: Workspace) throws -> Principal {
        let env = ProcessInfo.processInfo.environment
        if let user = env["WEFT_USER"], !user.isEmpty {
            guard let password = Credentials.value("WEFT_PASSWORD") else {
                throw WeftError.authentication("WEFT_USER is set but WEFT_PASSWORD is not; set both, or log in with 'weft login'")
            }
            return try ws.login(user: user, password: password)
        }
        guard let p = try ws.sessionPrincipal() else {
            throw WeftError.authentication("not logged in; run 'weft login' (or set WEFT_USER and WEFT_PASSWORD)")
        }
        return p
    }

    /// Opens the workspace and identifies the user.
    func session() throws -> (Workspace, Principal) {
        let ws = try open()
        return (ws, try identity(ws))
    }

    /// Prints a value as JSON (for `-o json`).
    func printJSON<T: Encodable>(_ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        enc.dateEncodingStrategy = .iso8601
        Swift.print(TerminalText.json(String(decoding: try enc.encode(value), as: UTF8.self)))
    }
}
