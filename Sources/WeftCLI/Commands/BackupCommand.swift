import ArgumentParser
import Foundation
import WeftStore

/// `weft backup DIR`: a copy of the workspace to restore from (workspace admins).
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back the workspace up into a new directory (admins): metastore, project repositories, secrets key, release artifacts.",
        discussion: "DIR must not exist or be empty; it is created 0700. Restore by copying it into place (docs/backup.md).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The directory to write the backup into (new or empty).") var directory: String

    func run() throws {
        let (ws, p) = try global.session()
        let r = try ws.backup(p, to: directory)
        if global.output == .json { return try global.printJSON(r) }
        print("Backed up \(ws.root) into \(r.directory): the metastore, \(r.projects.count) project repositor\(r.projects.count == 1 ? "y" : "ies"), the secrets key\(r.artifacts ? ", the release artifacts" : "") (\(r.bytes / 1024) KiB).")
        print("Not in it: fabric data roots, run logs, checkouts. Restore: cp -a \(r.directory) NEW_DIR, then weft login --workspace NEW_DIR")
    }
}
