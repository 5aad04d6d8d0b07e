/// One terminal cell: a grapheme, its style, and whether it is the right half of a wide grapheme.
///
/// `Character` keeps graphemes of up to 15 UTF-8 bytes inline, so cells of ordinary text allocate nothing.
public struct Cell: Hashable, Sendable {
    /// The grapheme shown in this cell (a space for empty cells and for continuation cells).
    public var character: Character
    /// The style of the cell.
    public var style: Style
    /// True when this cell is covered by the wide grapheme in the cell to its left.
    public var isContinuation: Bool

    /// Creates a cell.
    public init(_ character: Character = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.character = character
        self.style = style
        self.isContinuation = isContinuation
    }

    /// An empty cell with default colours.
    public static let blank = Cell()

    /// The right half of a wide grapheme, with the grapheme's style.
    public static func continuation(style: Style) -> Cell {
        Cell(" ", style: style, isContinuation: true)
    }

    /// The grapheme as a string.
    public var symbol: String { String(character) }

    /// Compares the cheap fields first; the grapheme comparison only runs when styles agree.
    public static func == (lhs: Cell, rhs: Cell) -> Bool {
        lhs.isContinuation == rhs.isContinuation && lhs.style == rhs.style && lhs.character == rhs.character
    }

    /// Hashes all fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(character)
        hasher.combine(style)
        hasher.combine(isContinuation)
    }
}
