/// A row of a `Table`: one line per column.
public struct TableRow: Hashable, Sendable {
    /// The cells, left to right (missing cells are blank, extra ones are ignored).
    public var cells: [Line]
    /// The row's base style.
    public var style: Style

    /// Creates a row.
    public init(_ cells: [Line], style: Style = .plain) {
        self.cells = cells
        self.style = style
    }

    /// Creates a row from plain strings.
    public init(_ cells: [String], style: Style = .plain) {
        self.init(cells.map { Line($0) }, style: style)
    }
}
