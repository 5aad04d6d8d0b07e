/// Blanks its area (draw it before a popup so the popup does not show what is under it).
public struct Clear: Widget, Sendable {
    /// The style of the blank cells.
    public var style: Style

    /// Creates a clear widget.
    public init(style: Style = .plain) {
        self.style = style
    }

    /// Blanks `area`.
    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.clear(area, style: style)
    }
}
