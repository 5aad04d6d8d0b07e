/// A horizontal progress bar with eighth-cell precision (▏▎▍▌▋▊▉█) and an optional centred label.
public struct Gauge: Widget, Sendable {
    /// Progress from 0 to 1 (clamped; NaN counts as 0).
    public var ratio: Double
    /// Text centred over the bar (nil for none).
    public var label: String?
    /// The style of the filled part (the bar is drawn in its foreground colour).
    public var filledStyle: Style
    /// The style of the empty part.
    public var emptyStyle: Style
    /// The style laid over label characters on the empty part.
    public var labelStyle: Style
    /// The character of empty cells.
    public var emptySymbol: Character
    /// An optional block drawn around the bar.
    public var block: Block?

    /// The partial block characters for 1 to 7 eighths.
    public static let partialBlocks: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// Creates a gauge.
    public init(
        ratio: Double,
        label: String? = nil,
        filledStyle: Style = .plain,
        emptyStyle: Style = .plain,
        labelStyle: Style = .plain,
        emptySymbol: Character = " ",
        block: Block? = nil
    ) {
        self.ratio = ratio
        self.label = label
        self.filledStyle = filledStyle
        self.emptyStyle = emptyStyle
        self.labelStyle = labelStyle
        self.emptySymbol = emptySymbol
        self.block = block
    }

    /// A label like "42%".
    public static func percentLabel(_ ratio: Double) -> String {
        let clamped = ratio.isNaN ? 0 : min(1, max(0, ratio))
        return "\(Int((clamped * 100).rounded(.down)))%"
    }

    /// Draws the bar on every row of the area (inside the block, if any); the label sits on the middle row.
    public func render(into buffer: inout Buffer, area: Rect) {
        var inner = area.intersection(buffer.area)
        guard !inner.isEmpty else { return }
        if let block {
            block.render(into: &buffer, area: inner)
            inner = block.inner(inner)
        }
        guard !inner.isEmpty else { return }
        let r = ratio.isNaN ? 0 : min(1, max(0, ratio))
        let eighths = Int((r * Double(inner.width * 8)).rounded())
        let full = eighths / 8
        let partial = eighths % 8
        let partialStyle = Style(fg: filledStyle.fg, bg: emptyStyle.bg, attributes: filledStyle.attributes)
        let onFilled = filledStyle.attributes.contains(.reverse) ? filledStyle.removing(.reverse) : filledStyle.reversed
        let labelRow = inner.y + inner.height / 2
        var labelStart = Int.max
        var labelGraphemes: [(Grapheme, Int)] = []
        if let label {
            for (c, w) in CellIterator(label) { labelGraphemes.append((c, w)) }
            let width = labelGraphemes.reduce(0) { $0 + $1.1 }
            labelStart = inner.x + max(0, (inner.width - width) / 2)
        }
        let fullBlock = Grapheme(Character("█"))
        let partialBlock = Grapheme(Gauge.partialBlocks[max(0, partial - 1)])
        let empty = Grapheme(emptySymbol)
        for y in inner.top..<inner.bottom {
            for i in 0..<inner.width {
                let x = inner.x + i
                if i < full {
                    buffer.put(fullBlock, width: 1, x: x, y: y, style: filledStyle)
                } else if i == full && partial > 0 {
                    buffer.put(partialBlock, width: 1, x: x, y: y, style: partialStyle)
                } else {
                    buffer.put(empty, width: 1, x: x, y: y, style: emptyStyle)
                }
            }
            guard y == labelRow, !labelGraphemes.isEmpty else { continue }
            var x = labelStart
            for (c, w) in labelGraphemes {
                guard x + w <= inner.right else { break }
                let filled = x + w - 1 - inner.x < full
                let style = filled ? onFilled : emptyStyle.patched(with: labelStyle)
                buffer.put(c, width: w, x: x, y: y, style: style)
                x += w
            }
        }
    }
}
