/// Draws a `TextInput` on one row: placeholder when empty, optional masking, horizontal scrolling that keeps the
/// cursor visible, and a reversed cell as the cursor when focused.
public struct TextField: Widget, Sendable {
    /// The value and cursor.
    public var input: TextInput
    /// Shown (in `placeholderStyle`) when the value is empty.
    public var placeholder: String
    /// When set, every grapheme is drawn as this character (for passwords).
    public var mask: Character?
    /// The style of the field.
    public var style: Style
    /// The style of the placeholder.
    public var placeholderStyle: Style
    /// Whether to draw the cursor cell reversed.
    public var isFocused: Bool

    /// Creates a text field.
    public init(
        _ input: TextInput,
        placeholder: String = "",
        mask: Character? = nil,
        style: Style = .plain,
        placeholderStyle: Style = Style(attributes: .dim),
        isFocused: Bool = true
    ) {
        self.input = input
        self.placeholder = placeholder
        self.mask = mask
        self.style = style
        self.placeholderStyle = placeholderStyle
        self.isFocused = isFocused
    }

    /// A field that shows `•` for every grapheme.
    public static func masked(_ input: TextInput, placeholder: String = "", style: Style = .plain) -> TextField {
        TextField(input, placeholder: placeholder, mask: "•", style: style)
    }

    /// The graphemes as drawn (masked or not).
    var shown: [Character] {
        guard let mask else { return input.characters }
        return [Character](repeating: mask, count: input.characters.count)
    }

    /// The cells scrolled off the left so that the cursor fits in `width` columns.
    func scroll(width: Int, shown: [Character]) -> Int {
        guard width > 0 else { return 0 }
        var cursorX = 0
        for c in shown.prefix(input.cursor) { cursorX += DisplayWidth.of(c) }
        return max(0, cursorX - (width - 1))
    }

    /// Where the terminal cursor belongs when the field is drawn in `area` (set it as the frame's cursor).
    public func cursorPosition(in area: Rect) -> Position? {
        guard !area.isEmpty else { return nil }
        let s = shown
        var cursorX = 0
        for c in s.prefix(input.cursor) { cursorX += DisplayWidth.of(c) }
        return Position(x: area.x + cursorX - scroll(width: area.width, shown: s), y: area.y)
    }

    /// Draws the field on the first row of `area`.
    public func render(into buffer: inout Buffer, area: Rect) {
        let area = area.intersection(buffer.area)
        guard !area.isEmpty else { return }
        let row = area.row(0)
        buffer.clear(row, style: style)
        if input.isEmpty {
            buffer.set(string: placeholder, at: row.origin, style: style.patched(with: placeholderStyle), maxWidth: row.width)
            if isFocused { buffer.setStyle(Style(attributes: .reverse), in: Rect(x: row.x, y: row.y, width: 1, height: 1)) }
            return
        }
        let s = shown
        let skip = scroll(width: row.width, shown: s)
        var x = row.x - skip
        var cursorX: Int?
        for (i, c) in s.enumerated() {
            let w = DisplayWidth.of(c)
            if i == input.cursor { cursorX = x }
            if x >= row.x {
                if x + w > row.right { break }
                buffer.set(character: c, at: Position(x: x, y: row.y), style: style)
            }
            x += w
        }
        if input.cursor >= s.count { cursorX = x }
        if isFocused, let cx = cursorX, cx >= row.x, cx < row.right {
            buffer.setStyle(Style(attributes: .reverse), in: Rect(x: cx, y: row.y, width: 1, height: 1))
        }
    }
}
