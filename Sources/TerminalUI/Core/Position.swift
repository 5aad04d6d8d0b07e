/// A cell coordinate: `x` is the column, `y` the row, both from 0 at the top left of the screen.
public struct Position: Hashable, Sendable {
    /// Column.
    public var x: Int
    /// Row.
    public var y: Int

    /// Creates a position.
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }

    /// The top-left corner.
    public static let zero = Position(x: 0, y: 0)
}
