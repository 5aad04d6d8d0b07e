/// Whether the curses backend uses colour.
public enum ColorMode: Hashable, Sendable {
    /// Use as many colours as the terminal has (none if it has none).
    case automatic
    /// Ignore every colour; keep attributes (bold, reverse, …). Use it for `NO_COLOR` and the monochrome theme.
    case monochrome
}
