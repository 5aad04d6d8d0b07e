/// One line of styled spans.
public struct Line: Hashable, Sendable, ExpressibleByStringInterpolation {
    /// The spans, left to right.
    public var spans: [Span]
    /// The line's base style, under its spans' styles.
    public var style: Style
    /// The line's own alignment; nil means "use the widget's".
    public var alignment: Alignment?

    /// Creates a line from spans.
    public init(_ spans: [Span], style: Style = .plain, alignment: Alignment? = nil) {
        self.spans = spans
        self.style = style
        self.alignment = alignment
    }

    /// Creates a line of one span.
    public init(_ content: String, style: Style = .plain, alignment: Alignment? = nil) {
        self.init([Span(content)], style: style, alignment: alignment)
    }

    /// Creates an unstyled line from a literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Cells the line takes.
    public var width: Int {
        var total = 0
        for span in spans { total += span.width }
        return total
    }

    /// The line's text without styles.
    public var plainText: String {
        var s = ""
        for span in spans { s += span.content }
        return s
    }
}
