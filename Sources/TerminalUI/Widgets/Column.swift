/// A column of a `Table`.
public struct Column: Hashable, Sendable {
    /// The header text.
    public var title: Line
    /// How wide the column is.
    public var width: Constraint
    /// Alignment of the header and cells.
    public var alignment: Alignment

    /// Creates a column.
    public init(_ title: Line, width: Constraint = .fill, alignment: Alignment = .left) {
        self.title = title
        self.width = width
        self.alignment = alignment
    }

    /// Creates a column with a plain title.
    public init(_ title: String, width: Constraint = .fill, alignment: Alignment = .left) {
        self.init(Line(title), width: width, alignment: alignment)
    }
}
