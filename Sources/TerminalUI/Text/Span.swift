/// A run of text in one style.
public struct Span: Hashable, Sendable, ExpressibleByStringInterpolation {
    /// The text (newlines and other control characters are not drawn).
    public var content: String
    /// The style, patched over the style of the line or widget it is drawn in.
    public var style: Style

    /// Creates a span.
    public init(_ content: String, style: Style = .plain) {
        self.content = content
        self.style = style
    }

    /// Creates an unstyled span from a literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Cells the span takes.
    public var width: Int { content.displayWidth }
}
