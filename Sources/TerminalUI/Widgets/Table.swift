/// Rows of cells under a header, with column widths from constraints, a selection kept in view, and `…` for clipped cells.
public struct Table: Widget, Sendable {
    /// The columns.
    public var columns: [Column]
    /// The rows.
    public var rows: [TableRow]
    /// The selected row, if any.
    public var selected: Int?
    /// The first visible row last frame (a hint; see `Scrolling.offset`).
    public var offset: Int
    /// Whether the header row is drawn.
    public var showsHeader: Bool
    /// The style of the header row.
    public var headerStyle: Style
    /// The base style of the table area.
    public var style: Style
    /// The style laid over the whole selected row.
    public var highlightStyle: Style
    /// Drawn before the selected row; other rows get as many spaces (empty for none).
    public var highlightSymbol: String
    /// Empty columns between cells.
    public var columnSpacing: Int
    /// An optional block drawn around the table.
    public var block: Block?

    /// Creates a table.
    public init(
        columns: [Column],
        rows: [TableRow],
        selected: Int? = nil,
        offset: Int = 0,
        showsHeader: Bool = true,
        headerStyle: Style = Style(attributes: .bold),
        style: Style = .plain,
        highlightStyle: Style = Style(attributes: .reverse),
        highlightSymbol: String = "",
        columnSpacing: Int = 1,
        block: Block? = nil
    ) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.showsHeader = showsHeader
        self.headerStyle = headerStyle
        self.style = style
        self.highlightStyle = highlightStyle
        self.highlightSymbol = highlightSymbol
        self.columnSpacing = columnSpacing
        self.block = block
    }

    /// The area rows are drawn in (inside the block, below the header).
    func bodyArea(_ area: Rect) -> Rect {
        let inner = block?.inner(area) ?? area
        return showsHeader ? inner.inset(by: Margin(top: 1, right: 0, bottom: 0, left: 0)) : inner
    }

    /// The first visible row when drawn in `area` (store it as the next frame's `offset`).
    public func visibleOffset(in area: Rect) -> Int {
        Scrolling.offset(keeping: selected, visibleRows: bodyArea(area).height, previousOffset: offset, count: rows.count)
    }

    /// The column rectangles (full height of `inner`), after the highlight symbol's gutter.
    public func columnAreas(in inner: Rect) -> [Rect] {
        let gutter = highlightSymbol.displayWidth
        let content = Rect(x: inner.x + gutter, y: inner.y, width: inner.width - gutter, height: inner.height)
        return Layout(.horizontal, columns.map(\.width), spacing: columnSpacing).split(content)
    }

    /// Draws the block (if any), the header and the visible rows.
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
        let columnRects = columnAreas(in: inner)
        var y = inner.y
        if showsHeader {
            let headerRow = inner.row(0)
            buffer.setStyle(headerStyle, in: headerRow)
            for (column, rect) in zip(columns, columnRects) {
                drawCell(column.title, in: &buffer, x: rect.x, y: y, width: rect.width, alignment: column.alignment,
                         style: style.patched(with: headerStyle))
            }
            y += 1
        }
        let body = Rect(x: inner.x, y: y, width: inner.width, height: inner.bottom - y)
        guard !body.isEmpty else { return }
        let first = Scrolling.offset(keeping: selected, visibleRows: body.height, previousOffset: offset, count: rows.count)
        for rowIndex in 0..<body.height {
            let index = first + rowIndex
            guard index < rows.count else { break }
            let row = rows[index]
            let rowY = body.y + rowIndex
            let rowRect = body.row(rowIndex)
            if row.style != .plain { buffer.setStyle(row.style, in: rowRect) }
            let base = style.patched(with: row.style)
            if index == selected, !highlightSymbol.isEmpty {
                buffer.set(string: highlightSymbol, at: Position(x: body.x, y: rowY), style: base, maxWidth: body.width)
            }
            for (i, rect) in columnRects.enumerated() where i < row.cells.count {
                drawCell(row.cells[i], in: &buffer, x: rect.x, y: rowY, width: rect.width,
                         alignment: columns[i].alignment, style: base)
            }
            if index == selected { buffer.setStyle(highlightStyle, in: rowRect) }
        }
    }

    /// Draws one cell, ending it with `…` when it is too wide.
    func drawCell(_ line: Line, in buffer: inout Buffer, x: Int, y: Int, width: Int, alignment: Alignment, style: Style) {
        guard width > 0 else { return }
        let w = line.width
        if w <= width {
            buffer.set(line: line, in: Rect(x: x, y: y, width: width, height: 1), alignment: alignment, baseStyle: style)
            return
        }
        let end = buffer.set(line: line, at: Position(x: x, y: y), baseStyle: style, maxWidth: width - 1)
        let lastStyle = buffer[max(x, end - 1), y].style
        buffer.set(string: "…", at: Position(x: end, y: y), style: lastStyle)
    }
}
