import Foundation

/// Plain text tables for humans: a header row and aligned columns.
enum Table {
    /// Cells are single-line fields: control characters (and line feeds) are shown visibly (`TerminalText.field`).
    static func render(_ headers: [String], _ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(TerminalText.field) }
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    static func print(_ headers: [String], _ rows: [[String]]) {
        Swift.print(render(headers, rows))
    }
}
