/// The axis along which a rectangle is split.
public enum Direction: Hashable, Sendable {
    /// Parts are stacked top to bottom.
    case vertical
    /// Parts sit side by side, left to right.
    case horizontal
}

/// Splits rectangles into parts by constraints.
///
/// Fixed, percent and min parts get their size first, in order, until the space runs out; what is left goes to
/// fill and min parts by weight (earlier parts get the rounding remainder). Without flexible parts the leftover
/// space stays unused at the end.
public struct Layout: Hashable, Sendable {
    /// The axis to split along.
    public var direction: Direction
    /// One constraint per part.
    public var constraints: [Constraint]
    /// Cells left empty between neighbouring parts.
    public var spacing: Int

    /// Creates a layout.
    public init(_ direction: Direction, _ constraints: [Constraint], spacing: Int = 0) {
        self.direction = direction
        self.constraints = constraints
        self.spacing = max(0, spacing)
    }

    /// The sizes of the parts for a total length of `total` cells.
    public static func lengths(for constraints: [Constraint], total: Int, spacing: Int = 0) -> [Int] {
        guard !constraints.isEmpty else { return [] }
        let available = max(0, total - spacing * (constraints.count - 1))
        var sizes = [Int](repeating: 0, count: constraints.count)
        var remaining = available
        var totalWeight = 0
        for (i, c) in constraints.enumerated() {
            let want: Int
            switch c {
            case .fixed(let n): want = max(0, n)
            case .percent(let p): want = available * max(0, Swift.min(p, 100)) / 100
            case .min(let n):
                want = max(0, n)
                totalWeight += 1
            case .fill(let w): want = 0
                totalWeight += max(0, w)
            }
            let granted = Swift.min(want, remaining)
            sizes[i] = granted
            remaining -= granted
        }
        guard remaining > 0, totalWeight > 0 else { return sizes }
        let leftover = remaining
        var handedOut = 0
        for (i, c) in constraints.enumerated() {
            let weight: Int
            switch c {
            case .min: weight = 1
            case .fill(let w): weight = max(0, w)
            default: weight = 0
            }
            let share = leftover * weight / totalWeight
            sizes[i] += share
            handedOut += share
        }
        var rest = leftover - handedOut
        for (i, c) in constraints.enumerated() where rest > 0 {
            let flexible: Bool
            switch c {
            case .min: flexible = true
            case .fill(let w): flexible = w > 0
            default: flexible = false
            }
            if flexible {
                sizes[i] += 1
                rest -= 1
            }
        }
        return sizes
    }

    /// Splits `rect` into one rectangle per constraint.
    public func split(_ rect: Rect) -> [Rect] {
        let total = direction == .vertical ? rect.height : rect.width
        let sizes = Layout.lengths(for: constraints, total: total, spacing: spacing)
        var result: [Rect] = []
        result.reserveCapacity(sizes.count)
        var offset = 0
        for size in sizes {
            switch direction {
            case .vertical:
                result.append(Rect(x: rect.x, y: rect.y + offset, width: rect.width, height: size))
            case .horizontal:
                result.append(Rect(x: rect.x + offset, y: rect.y, width: size, height: rect.height))
            }
            offset += size + spacing
        }
        return result
    }
}

extension Rect {
    /// Splits the rectangle into rows (top to bottom) by `constraints`.
    public func splitVertically(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        Layout(.vertical, constraints, spacing: spacing).split(self)
    }

    /// Splits the rectangle into columns (left to right) by `constraints`.
    public func splitHorizontally(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        Layout(.horizontal, constraints, spacing: spacing).split(self)
    }
}
