/// Several lines of styled text.
public struct Text: Hashable, Sendable, ExpressibleByStringInterpolation {
    /// The lines, top to bottom.
    public var lines: [Line]

    /// Creates text from lines.
    public init(_ lines: [Line]) {
        self.lines = lines
    }

    /// Creates text from a string, one line per `\n`, all in `style`.
    public init(_ string: String, style: Style = .plain) {
        self.lines = string.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
            Line(String($0), style: style)
        }
    }

    /// Creates unstyled text from a literal.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The widest line's width.
    public var width: Int {
        var widest = 0
        for line in lines { widest = max(widest, line.width) }
        return widest
    }

    /// Number of lines (before wrapping).
    public var height: Int { lines.count }
}
