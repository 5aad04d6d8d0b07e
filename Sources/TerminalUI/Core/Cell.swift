/// One terminal cell: a grapheme, its style, and whether it is the right half of a wide grapheme.
///
/// The grapheme is stored inline (`Grapheme`), so cells are plain values: copying, clearing and diffing them
/// allocates nothing and does no reference counting.
public struct Cell: Hashable, Sendable {
    /// The grapheme shown in this cell (a space for empty cells and for continuation cells).
    public var grapheme: Grapheme
    /// The style of the cell.
    public var style: Style
    /// True when this cell is covered by the wide grapheme in the cell to its left.
    public var isContinuation: Bool

    /// Creates a cell from a grapheme.
    @inlinable
    public init(grapheme: Grapheme, style: Style = .plain, isContinuation: Bool = false) {
        self.grapheme = grapheme
        self.style = style
        self.isContinuation = isContinuation
    }

    /// Creates a cell from a character.
    public init(_ character: Character = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.init(grapheme: Grapheme(character), style: style, isContinuation: isContinuation)
    }

    /// An empty cell with default colours.
    public static let blank = Cell(grapheme: .space)

    /// The right half of a wide grapheme, with the grapheme's style.
    @inlinable
    public static func continuation(style: Style) -> Cell {
        Cell(grapheme: .space, style: style, isContinuation: true)
    }

    /// The grapheme as a character.
    public var character: Character {
        get { grapheme.character }
        set { grapheme = Grapheme(newValue) }
    }

    /// The grapheme as a string.
    public var symbol: String { grapheme.string }

    /// Compares the raw fields.
    @inlinable
    public static func == (lhs: Cell, rhs: Cell) -> Bool {
        lhs.grapheme.low == rhs.grapheme.low && lhs.grapheme.high == rhs.grapheme.high
            && lhs.isContinuation == rhs.isContinuation && lhs.style == rhs.style
    }

    /// Hashes all fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(grapheme)
        hasher.combine(style)
        hasher.combine(isContinuation)
    }
}
