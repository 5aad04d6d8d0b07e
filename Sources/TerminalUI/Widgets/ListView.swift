/// A vertical list of one-line items with an optional selection that is kept in view.
public struct ListView: Widget, Sendable {
    /// The rows.
    public var items: [ListItem]
    /// The selected row, if any.
    public var selected: Int?
    /// The first visible row last frame (a hint; see `Scrolling.offset`).
    public var offset: Int
    /// The base style of the list area.
    public var style: Style
    /// The style laid over the whole selected row.
    public var highlightStyle: Style
    /// Drawn before the selected row; other rows get as many spaces (empty for none).
    public var highlightSymbol: String
    /// An optional block drawn around the list.
    public var block: Block?

    /// Creates a list.
    public init(
        _ items: [ListItem],
        selected: Int? = nil,
        offset: Int = 0,
        style: Style = .plain,
        highlightStyle: Style = Style(attributes: .reverse),
        highlightSymbol: String = "",
        block: Block? = nil
    ) {
        self.items = items
        self.selected = selected
        self.offset = offset
        self.style = style
        self.highlightStyle = highlightStyle
        self.highlightSymbol = highlightSymbol
        self.block = block
    }

    /// The first visible row when drawn in `area` (store it as the next frame's `offset`).
    public func visibleOffset(in area: Rect) -> Int {
        let inner = block?.inner(area) ?? area
        return Scrolling.offset(keeping: selected, visibleRows: inner.height, previousOffset: offset, count: items.count)
    }

    /// Draws the block (if any) and the visible rows.
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
        let first = Scrolling.offset(keeping: selected, visibleRows: inner.height, previousOffset: offset, count: items.count)
        let symbolWidth = highlightSymbol.displayWidth
        for row in 0..<inner.height {
            let index = first + row
            guard index < items.count else { break }
            let item = items[index]
            let y = inner.y + row
            let rowRect = inner.row(row)
            let base = style.patched(with: item.style)
            if item.style != .plain { buffer.setStyle(item.style, in: rowRect) }
            var x = inner.x
            if symbolWidth > 0 {
                if index == selected {
                    buffer.set(string: highlightSymbol, at: Position(x: x, y: y), style: base, maxWidth: inner.width)
                }
                x += symbolWidth
            }
            if x < inner.right {
                buffer.set(line: item.content, at: Position(x: x, y: y), baseStyle: base, maxWidth: inner.right - x)
            }
            if index == selected { buffer.setStyle(highlightStyle, in: rowRect) }
        }
    }
}
