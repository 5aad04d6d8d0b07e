/// One row of a `ListView`.
public struct ListItem: Hashable, Sendable, ExpressibleByStringInterpolation {
    /// The row's content.
    public var content: Line
    /// The row's base style, under its spans' styles.
    public var style: Style

    /// Creates an item.
    public init(_ content: Line, style: Style = .plain) {
        self.content = content
        self.style = style
    }

    /// Creates an item from a string.
    public init(_ content: String, style: Style = .plain) {
        self.init(Line(content), style: style)
    }

    /// Creates an unstyled item from a literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }
}
