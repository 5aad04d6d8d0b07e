/// A box with Unicode borders and titles; other widgets render into its `inner(_:)` area.
public struct Block: Widget, Sendable {
    /// Which sides have a border.
    public var borders: Borders
    /// The line style of the border.
    public var borderType: BorderType
    /// The style of the border characters.
    public var borderStyle: Style
    /// Titles in the top and bottom borders.
    public var titles: [Title]
    /// The style of title text (under the titles' own span styles).
    public var titleStyle: Style
    /// The style laid over the whole block, border and inside.
    public var style: Style
    /// Space between the border and the inner area.
    public var padding: Margin

    /// Creates a block; `title` adds a left-aligned top title.
    public init(
        title: String? = nil,
        borders: Borders = .all,
        borderType: BorderType = .plain,
        borderStyle: Style = .plain,
        titleStyle: Style = .plain,
        style: Style = .plain,
        padding: Margin = .zero
    ) {
        self.borders = borders
        self.borderType = borderType
        self.borderStyle = borderStyle
        self.titles = title.map { [Title($0)] } ?? []
        self.titleStyle = titleStyle
        self.style = style
        self.padding = padding
    }

    /// A copy with another title added.
    public func title(_ title: Title) -> Block {
        var b = self
        b.titles.append(title)
        return b
    }

    /// A copy with another title added.
    public func title(_ content: Line, alignment: Alignment = .left, position: Title.Position = .top) -> Block {
        title(Title(content, alignment: alignment, position: position))
    }

    /// The area inside the borders and padding.
    public func inner(_ area: Rect) -> Rect {
        let margin = Margin(
            top: (borders.contains(.top) ? 1 : 0) + padding.top,
            right: (borders.contains(.right) ? 1 : 0) + padding.right,
            bottom: (borders.contains(.bottom) ? 1 : 0) + padding.bottom,
            left: (borders.contains(.left) ? 1 : 0) + padding.left
        )
        return area.inset(by: margin)
    }

    /// Draws the border and titles over `area`; the inside keeps its content, with `style` laid over it.
    public func render(into buffer: inout Buffer, area: Rect) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        if style != .plain { buffer.setStyle(style, in: area) }
        let symbols = borderType.symbols
        let s = (h: Grapheme(symbols.h), v: Grapheme(symbols.v), tl: Grapheme(symbols.tl), tr: Grapheme(symbols.tr),
                 bl: Grapheme(symbols.bl), br: Grapheme(symbols.br))
        let bs = style.patched(with: borderStyle)
        let last = area.right - 1
        let bottom = area.bottom - 1
        if borders.contains(.top) {
            for x in area.left...last { buffer.put(s.h, width: 1, x: x, y: area.top, style: bs) }
        }
        if borders.contains(.bottom) {
            for x in area.left...last { buffer.put(s.h, width: 1, x: x, y: bottom, style: bs) }
        }
        if borders.contains(.left) {
            for y in area.top...bottom { buffer.put(s.v, width: 1, x: area.left, y: y, style: bs) }
        }
        if borders.contains(.right) {
            for y in area.top...bottom { buffer.put(s.v, width: 1, x: last, y: y, style: bs) }
        }
        if borders.isSuperset(of: [.top, .left]) {
            buffer.put(s.tl, width: 1, x: area.left, y: area.top, style: bs)
        }
        if borders.isSuperset(of: [.top, .right]) {
            buffer.put(s.tr, width: 1, x: last, y: area.top, style: bs)
        }
        if borders.isSuperset(of: [.bottom, .left]) {
            buffer.put(s.bl, width: 1, x: area.left, y: bottom, style: bs)
        }
        if borders.isSuperset(of: [.bottom, .right]) {
            buffer.put(s.br, width: 1, x: last, y: bottom, style: bs)
        }
        renderTitles(into: &buffer, area: area, position: .top, y: area.top)
        if area.height > 1 || !borders.contains(.top) {
            renderTitles(into: &buffer, area: area, position: .bottom, y: bottom)
        }
    }

    /// Draws the titles of one border row: left ones from the left, right ones from the right, centred ones in the middle.
    func renderTitles(into buffer: inout Buffer, area: Rect, position: Title.Position, y: Int) {
        let row = titles.filter { $0.position == position }
        guard !row.isEmpty else { return }
        let leftInset = borders.contains(.left) ? 1 : 0
        let rightInset = borders.contains(.right) ? 1 : 0
        let start = area.left + leftInset
        let end = area.right - rightInset
        guard end > start else { return }
        let base = style.patched(with: titleStyle)
        var leftX = start
        for title in row where title.alignment == .left {
            guard leftX < end else { break }
            leftX = buffer.set(line: title.content, at: Position(x: leftX, y: y), baseStyle: base, maxWidth: end - leftX)
            if leftX < end { leftX += 1 }
        }
        var rightX = end
        for title in row.reversed() where title.alignment == .right {
            let w = min(title.content.width, rightX - leftX)
            guard w > 0 else { break }
            buffer.set(line: title.content, at: Position(x: rightX - w, y: y), baseStyle: base, maxWidth: w)
            rightX -= w + 1
        }
        for title in row where title.alignment == .center {
            let w = min(title.content.width, end - start)
            let x = start + (end - start - w) / 2
            buffer.set(line: title.content, at: Position(x: x, y: y), baseStyle: base, maxWidth: w)
        }
    }
}
