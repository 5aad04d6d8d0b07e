/// Space to leave inside a rectangle's edges.
public struct Margin: Hashable, Sendable {
    /// Rows to leave at the top.
    public var top: Int
    /// Columns to leave at the right.
    public var right: Int
    /// Rows to leave at the bottom.
    public var bottom: Int
    /// Columns to leave at the left.
    public var left: Int

    /// Creates a margin from its four sides.
    public init(top: Int, right: Int, bottom: Int, left: Int) {
        self.top = max(0, top)
        self.right = max(0, right)
        self.bottom = max(0, bottom)
        self.left = max(0, left)
    }

    /// Creates a margin of `horizontal` columns left and right and `vertical` rows top and bottom.
    public init(horizontal: Int = 0, vertical: Int = 0) {
        self.init(top: vertical, right: horizontal, bottom: vertical, left: horizontal)
    }

    /// Creates the same margin on all four sides.
    public init(all: Int) {
        self.init(top: all, right: all, bottom: all, left: all)
    }

    /// No margin.
    public static let zero = Margin(all: 0)
}
