/// Which sides of a block have a border.
public struct Borders: OptionSet, Hashable, Sendable {
    /// The raw bit set.
    public let rawValue: UInt8

    /// Creates a border set from raw bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The top edge.
    public static let top = Borders(rawValue: 1 << 0)
    /// The right edge.
    public static let right = Borders(rawValue: 1 << 1)
    /// The bottom edge.
    public static let bottom = Borders(rawValue: 1 << 2)
    /// The left edge.
    public static let left = Borders(rawValue: 1 << 3)
    /// All four edges.
    public static let all: Borders = [.top, .right, .bottom, .left]
}

/// The line style of a border.
public enum BorderType: Hashable, Sendable {
    /// ┌─┐ thin lines.
    case plain
    /// ╭─╮ thin lines with rounded corners.
    case rounded
    /// ╔═╗ double lines.
    case double
    /// ┏━┓ thick lines.
    case thick

    /// The characters: horizontal, vertical, top-left, top-right, bottom-left, bottom-right.
    var symbols: (h: Character, v: Character, tl: Character, tr: Character, bl: Character, br: Character) {
        switch self {
        case .plain: return ("─", "│", "┌", "┐", "└", "┘")
        case .rounded: return ("─", "│", "╭", "╮", "╰", "╯")
        case .double: return ("═", "║", "╔", "╗", "╚", "╝")
        case .thick: return ("━", "┃", "┏", "┓", "┗", "┛")
        }
    }
}
