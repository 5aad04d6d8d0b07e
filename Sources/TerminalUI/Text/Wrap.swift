/// How text longer than its area is laid out.
public enum Wrap: Hashable, Sendable {
    /// Lines are clipped at the right edge (and can be scrolled horizontally).
    case none
    /// Lines break at spaces where possible, otherwise mid-word; leading spaces of wrapped rows are dropped.
    case word
    /// Lines break at the last cell that fits, mid-word.
    case character
}
