/// One row of key hints on the left (`q quit  r run`) and an optional message on the right.
public struct StatusBar: Widget, Sendable {
    /// The hints, left to right; those that do not fit are dropped.
    public var hints: [KeyHint]
    /// Right-aligned text (status, errors, the reason a key is disabled), or nil.
    public var message: Line?
    /// The style of the whole row.
    public var style: Style
    /// The style of enabled keys.
    public var keyStyle: Style
    /// The style of enabled labels.
    public var labelStyle: Style
    /// The style of disabled keys and labels.
    public var disabledStyle: Style
    /// Drawn between hints.
    public var separator: String

    /// Creates a status bar.
    public init(
        hints: [KeyHint],
        message: Line? = nil,
        style: Style = .plain,
        keyStyle: Style = Style(attributes: .bold),
        labelStyle: Style = .plain,
        disabledStyle: Style = Style(attributes: .dim),
        separator: String = "  "
    ) {
        self.hints = hints
        self.message = message
        self.style = style
        self.keyStyle = keyStyle
        self.labelStyle = labelStyle
        self.disabledStyle = disabledStyle
        self.separator = separator
    }

    /// Draws the bar on the first row of `area`; the message wins space over the hints.
    public func render(into buffer: inout Buffer, area: Rect) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        let row = area.row(0)
        buffer.clear(row, style: style)
        var right = row.right
        if let message {
            let w = min(message.width, row.width)
            buffer.set(line: message, at: Position(x: row.right - w, y: row.y), baseStyle: style, maxWidth: w)
            right = row.right - w - 1
        }
        var x = row.x
        let separatorWidth = separator.displayWidth
        for (i, hint) in hints.enumerated() {
            let needed = (i > 0 ? separatorWidth : 0) + hint.key.displayWidth + 1 + hint.label.displayWidth
            guard x + needed <= right else { break }
            if i > 0 { x = buffer.set(string: separator, at: Position(x: x, y: row.y), style: style) }
            let ks = style.patched(with: hint.isEnabled ? keyStyle : disabledStyle)
            let ls = style.patched(with: hint.isEnabled ? labelStyle : disabledStyle)
            x = buffer.set(string: hint.key, at: Position(x: x, y: row.y), style: ks)
            x = buffer.set(string: " ", at: Position(x: x, y: row.y), style: ls)
            x = buffer.set(string: hint.label, at: Position(x: x, y: row.y), style: ls)
        }
    }
}
