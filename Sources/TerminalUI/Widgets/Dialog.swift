/// A centred box with a title, a wrapped body, then a blank row, a row of buttons and a hint line (each optional);
/// clears what is under it.
public struct Dialog: Widget, Sendable {
    /// The title in the top border.
    public var title: String
    /// The body text (word-wrapped).
    public var body: Text
    /// Button labels, drawn as `[ OK ]`, centred on the last inner row.
    public var buttons: [String]
    /// The highlighted button.
    public var selectedButton: Int
    /// A hint line under the body (e.g. "Enter confirm · Esc cancel"), or nil.
    public var hint: Line?
    /// Preferred outer width; nil sizes the dialog to its content (at most the area).
    public var width: Int?
    /// The style of the box and body.
    public var style: Style
    /// The style of the border.
    public var borderStyle: Style
    /// The style of the title.
    public var titleStyle: Style
    /// The style of buttons.
    public var buttonStyle: Style
    /// The style of the selected button.
    public var selectedButtonStyle: Style
    /// The style of the hint line.
    public var hintStyle: Style

    /// Creates a dialog.
    public init(
        title: String,
        body: Text,
        buttons: [String] = [],
        selectedButton: Int = 0,
        hint: Line? = nil,
        width: Int? = nil,
        style: Style = .plain,
        borderStyle: Style = .plain,
        titleStyle: Style = Style(attributes: .bold),
        buttonStyle: Style = .plain,
        selectedButtonStyle: Style = Style(attributes: .reverse),
        hintStyle: Style = Style(attributes: .dim)
    ) {
        self.title = title
        self.body = body
        self.buttons = buttons
        self.selectedButton = selectedButton
        self.hint = hint
        self.width = width
        self.style = style
        self.borderStyle = borderStyle
        self.titleStyle = titleStyle
        self.buttonStyle = buttonStyle
        self.selectedButtonStyle = selectedButtonStyle
        self.hintStyle = hintStyle
    }

    /// Width of the button row: `[ A ]  [ B ]`.
    var buttonsWidth: Int {
        guard !buttons.isEmpty else { return 0 }
        return buttons.reduce(0) { $0 + $1.displayWidth + 4 } + 2 * (buttons.count - 1)
    }

    /// The rectangle the dialog occupies when drawn in `area`.
    public func rect(in area: Rect) -> Rect {
        let contentWidth = max(body.width, buttonsWidth, hint?.width ?? 0, title.displayWidth + 2)
        let outerWidth = min(area.width, width ?? (contentWidth + 4))
        let innerWidth = max(1, outerWidth - 4)
        let bodyRows = Paragraph(body, wrap: .word).rowCount(width: innerWidth)
        let extra = (buttons.isEmpty ? 0 : 1) + (hint == nil ? 0 : 1) + (buttons.isEmpty && hint == nil ? 0 : 1)
        return area.centered(width: outerWidth, height: bodyRows + extra + 2)
    }

    /// Draws the dialog centred in `area`.
    public func render(into buffer: inout Buffer, area: Rect) {
        let box = rect(in: area).intersection(buffer.area)
        guard !box.isEmpty else { return }
        buffer.clear(box, style: style)
        let block = Block(title: title.isEmpty ? nil : " \(title) ", borderStyle: borderStyle, titleStyle: titleStyle,
                          style: style, padding: Margin(horizontal: 1))
        block.render(into: &buffer, area: box)
        let inner = block.inner(box)
        guard !inner.isEmpty else { return }
        var bottom = inner.bottom
        if let hint, bottom > inner.y {
            bottom -= 1
            buffer.set(line: hint, in: Rect(x: inner.x, y: bottom, width: inner.width, height: 1), alignment: .center,
                       baseStyle: style.patched(with: hintStyle))
        }
        if !buttons.isEmpty && bottom > inner.y {
            bottom -= 1
            var x = inner.x + Alignment.center.offset(contentWidth: buttonsWidth, areaWidth: inner.width)
            for (i, label) in buttons.enumerated() {
                let s = style.patched(with: i == selectedButton ? selectedButtonStyle : buttonStyle)
                x = buffer.set(string: "[ \(label) ]", at: Position(x: x, y: bottom), style: s, maxWidth: inner.right - x)
                x += 2
                if x >= inner.right { break }
            }
        }
        if bottom < inner.bottom && bottom > inner.y { bottom -= 1 }
        let bodyArea = Rect(x: inner.x, y: inner.y, width: inner.width, height: bottom - inner.y)
        Paragraph(body, style: style, wrap: .word).render(into: &buffer, area: bodyArea)
    }
}
