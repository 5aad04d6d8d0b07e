/// Styled text in an area, wrapped or clipped, with a scroll offset.
public struct Paragraph: Widget, Sendable {
    /// The text.
    public var text: Text
    /// The base style of the area and the text.
    public var style: Style
    /// How long lines are laid out.
    public var wrap: Wrap
    /// Alignment of lines that have none of their own.
    public var alignment: Alignment
    /// Rows scrolled off the top (after wrapping).
    public var scrollY: Int
    /// Cells scrolled off the left of each row (useful with `.none` wrapping).
    public var scrollX: Int
    /// An optional block drawn around the text.
    public var block: Block?

    /// Creates a paragraph.
    public init(
        _ text: Text,
        style: Style = .plain,
        wrap: Wrap = .word,
        alignment: Alignment = .left,
        scrollY: Int = 0,
        scrollX: Int = 0,
        block: Block? = nil
    ) {
        self.text = text
        self.style = style
        self.wrap = wrap
        self.alignment = alignment
        self.scrollY = scrollY
        self.scrollX = scrollX
        self.block = block
    }

    /// Rows the text takes at `width` columns (after wrapping); use it to bound `scrollY`.
    public func rowCount(width: Int) -> Int {
        TextLayout.rows(of: text, width: width, wrap: wrap, baseStyle: style).count
    }

    /// Draws the block (if any) and the text inside it.
    public func render(into buffer: inout Buffer, area: Rect) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        if style != .plain { buffer.setStyle(style, in: area) }
        var inner = area
        if let block {
            block.render(into: &buffer, area: area)
            inner = block.inner(area)
        }
        guard !inner.isEmpty else { return }
        let first = max(0, scrollY)
        let rows = TextLayout.rows(of: text, width: inner.width, wrap: wrap, baseStyle: style, limit: first + inner.height)
        guard first < rows.count else { return }
        for (offset, row) in rows[first...].prefix(inner.height).enumerated() {
            TextLayout.draw(row, in: &buffer, area: inner, y: inner.y + offset, alignment: alignment, scrollX: max(0, scrollX))
        }
    }
}
