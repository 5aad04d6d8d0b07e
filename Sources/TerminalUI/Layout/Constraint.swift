/// How much of a split an area gets.
public enum Constraint: Hashable, Sendable {
    /// Exactly `n` cells (less only when the space runs out).
    case fixed(Int)
    /// `p` percent of the total space (rounded down).
    case percent(Int)
    /// At least `n` cells, and a share of what is left like `.fill(1)`.
    case min(Int)
    /// A share of the space left after fixed, percent and min parts, by weight.
    case fill(Int)

    /// `.fill(1)`.
    public static let fill = Constraint.fill(1)
}
