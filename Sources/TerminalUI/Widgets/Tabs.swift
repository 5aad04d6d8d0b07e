/// A row of tab titles with the selected one highlighted: ` One │ Two │ Three `.
public struct Tabs: Widget, Sendable {
    /// The titles.
    public var titles: [Line]
    /// The selected tab, if any.
    public var selected: Int?
    /// The base style of the row.
    public var style: Style
    /// The style laid over the selected title (and its padding).
    public var highlightStyle: Style
    /// Drawn between titles.
    public var divider: String
    /// Spaces on each side of a title.
    public var padding: Int

    /// Creates a tab row.
    public init(
        _ titles: [Line],
        selected: Int? = nil,
        style: Style = .plain,
        highlightStyle: Style = Style(attributes: .reverse),
        divider: String = "│",
        padding: Int = 1
    ) {
        self.titles = titles
        self.selected = selected
        self.style = style
        self.highlightStyle = highlightStyle
        self.divider = divider
        self.padding = max(0, padding)
    }

    /// Draws the titles on the first row of `area`, clipped at its right edge.
    public func render(into buffer: inout Buffer, area: Rect) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        let row = area.row(0)
        if style != .plain { buffer.setStyle(style, in: row) }
        var x = row.x
        for (i, title) in titles.enumerated() {
            guard x < row.right else { break }
            if i > 0 {
                x = buffer.set(string: divider, at: Position(x: x, y: row.y), style: style, maxWidth: row.right - x)
            }
            let start = x
            x = min(row.right, x + padding)
            x = buffer.set(line: title, at: Position(x: x, y: row.y), baseStyle: style, maxWidth: row.right - x)
            x = min(row.right, x + padding)
            if i == selected {
                buffer.setStyle(highlightStyle, in: Rect(x: start, y: row.y, width: x - start, height: 1))
            }
        }
    }
}
