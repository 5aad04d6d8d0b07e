/// A rectangle of cells in screen coordinates; `right` and `bottom` are exclusive.
public struct Rect: Hashable, Sendable {
    /// Left column.
    public var x: Int
    /// Top row.
    public var y: Int
    /// Width in columns (never negative).
    public var width: Int
    /// Height in rows (never negative).
    public var height: Int

    /// Creates a rectangle; negative sizes become 0.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// A rectangle at the origin with the given size.
    public init(size: Size) {
        self.init(x: 0, y: 0, width: size.width, height: size.height)
    }

    /// An empty rectangle at the origin.
    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)

    /// First column.
    public var left: Int { x }
    /// One past the last column.
    public var right: Int { x + width }
    /// First row.
    public var top: Int { y }
    /// One past the last row.
    public var bottom: Int { y + height }
    /// Number of cells.
    public var area: Int { width * height }
    /// True when the rectangle holds no cells.
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// The size of the rectangle.
    public var size: Size { Size(width: width, height: height) }
    /// The top-left corner.
    public var origin: Position { Position(x: x, y: y) }

    /// True when `position` lies inside the rectangle.
    public func contains(_ position: Position) -> Bool {
        position.x >= x && position.x < right && position.y >= y && position.y < bottom
    }

    /// The overlap of two rectangles (empty when they do not overlap).
    public func intersection(_ other: Rect) -> Rect {
        let l = max(x, other.x)
        let t = max(y, other.y)
        let r = min(right, other.right)
        let b = min(bottom, other.bottom)
        return Rect(x: l, y: t, width: r - l, height: b - t)
    }

    /// The rectangle shrunk by `margin` on each side (never negative).
    public func inset(by margin: Margin) -> Rect {
        let w = width - margin.left - margin.right
        let h = height - margin.top - margin.bottom
        if w <= 0 || h <= 0 { return Rect(x: x + min(margin.left, width), y: y + min(margin.top, height), width: 0, height: 0) }
        return Rect(x: x + margin.left, y: y + margin.top, width: w, height: h)
    }

    /// A rectangle of at most `width`×`height` centred in this one.
    public func centered(width: Int, height: Int) -> Rect {
        let w = min(max(0, width), self.width)
        let h = min(max(0, height), self.height)
        return Rect(x: x + (self.width - w) / 2, y: y + (self.height - h) / 2, width: w, height: h)
    }

    /// The single row at `offset` rows from the top (empty when outside).
    public func row(_ offset: Int) -> Rect {
        guard offset >= 0, offset < height else { return Rect(x: x, y: bottom, width: width, height: 0) }
        return Rect(x: x, y: y + offset, width: width, height: 1)
    }
}
