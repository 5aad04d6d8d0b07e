import Foundation
import WeftDomain

/// The deliberate act before a change to a production fabric: on a terminal the user types the fabric's name;
/// without one, `--yes` must be given.
enum Confirmation {
    static func production(_ fabrics: [String], action: String, yes: Bool) throws {
        guard !fabrics.isEmpty, !yes else { return }
        guard isatty(0) == 1 else {
            throw WeftError.invalid("\(action) changes production fabric \(fabrics.joined(separator: ", ")); without a terminal to confirm on, add --yes")
        }
        for fabric in fabrics {
            TerminalText.writeError("\(action) changes PRODUCTION fabric \(fabric). Type its name to go on: ")
            let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) ?? ""
            guard answer == fabric else {
                throw WeftError.invalid("not confirmed ('\(answer)' is not '\(fabric)'); nothing was changed")
            }
        }
    }

    /// Before a run starts on a production fabric: what will run is shown, then the fabric's name must be typed on
    /// a terminal; without one, `--yes` must be given. Nothing is started when it is not confirmed.
    static func productionRun(_ lines: [String], fabric: String, ref: String, yes: Bool) throws {
        guard !yes else { return }
        guard isatty(0) == 1 else {
            throw WeftError.invalid("run \(ref) starts on production fabric \(fabric); without a terminal to confirm on, add --yes")
        }
        TerminalText.writeError(lines.joined(separator: "\n") + "\n")
        TerminalText.writeError("This runs on PRODUCTION fabric \(fabric). Type its name to go on: ")
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard answer == fabric else {
            throw WeftError.invalid("not confirmed ('\(answer)' is not '\(fabric)'); nothing was started")
        }
    }
}
