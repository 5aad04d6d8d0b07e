/// A title drawn in a block's top or bottom border.
public struct Title: Hashable, Sendable {
    /// Which border row a title sits in.
    public enum Position: Hashable, Sendable {
        /// The top border.
        case top
        /// The bottom border.
        case bottom
    }

    /// The title text.
    public var content: Line
    /// Where along the border the title sits.
    public var alignment: Alignment
    /// The border row the title sits in.
    public var position: Position

    /// Creates a title.
    public init(_ content: Line, alignment: Alignment = .left, position: Position = .top) {
        self.content = content
        self.alignment = alignment
        self.position = position
    }

    /// Creates a title from a string.
    public init(_ content: String, alignment: Alignment = .left, position: Position = .top) {
        self.init(Line(content), alignment: alignment, position: position)
    }
}
