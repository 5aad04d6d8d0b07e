/// The buffer of one frame being drawn, and where the terminal cursor should be afterwards.
public struct Frame: Sendable {
    /// The cells of the frame (blank when drawing starts).
    public var buffer: Buffer
    /// The cursor position to show, or nil to hide the cursor.
    public var cursor: Position?

    /// Creates a frame over a buffer.
    public init(buffer: Buffer, cursor: Position? = nil) {
        self.buffer = buffer
        self.cursor = cursor
    }

    /// The whole screen.
    public var area: Rect { buffer.area }

    /// The screen size.
    public var size: Size { buffer.area.size }

    /// Renders a widget into `area`.
    public mutating func render(_ widget: some Widget, in area: Rect) {
        widget.render(into: &buffer, area: area)
    }
}
