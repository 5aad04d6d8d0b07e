import ArgumentParser
import Foundation
import WeftDomain
import WeftStore

/// `weft audit`: one timeline across fabrics.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Who did what, when, on which fabric, with which result (newest first).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only events on this fabric.") var fabric: String?
    @Option(help: "Only events by this user.") var user: String?
    @Option(help: "At most this many events.") var limit: Int = 50

    func run() throws {
        let (ws, p) = try global.session()
        let events = try ws.auditEvents(p, fabric: fabric, user: user, limit: limit)
        if global.output == .json { return try global.printJSON(events) }
        let f = ISO8601DateFormatter()
        Table.print(
            ["TIME", "USER", "ACTION", "RESULT", "OBJECT", "DETAIL"],
            events.map { [f.string(from: $0.at), $0.user, $0.action, $0.result.rawValue, $0.object, String($0.detail.prefix(90))] })
    }
}
