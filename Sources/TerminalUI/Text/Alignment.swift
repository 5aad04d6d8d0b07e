/// Horizontal placement of a line within its area.
public enum Alignment: Hashable, Sendable {
    /// Flush left.
    case left
    /// Centred (an odd leftover cell goes to the right).
    case center
    /// Flush right.
    case right

    /// The column offset for content `contentWidth` wide in `areaWidth` columns.
    public func offset(contentWidth: Int, areaWidth: Int) -> Int {
        let free = max(0, areaWidth - contentWidth)
        switch self {
        case .left: return 0
        case .center: return free / 2
        case .right: return free
        }
    }
}
