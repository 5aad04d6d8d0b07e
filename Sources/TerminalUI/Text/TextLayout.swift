/// A grapheme with its style and width, the unit of text layout.
struct StyledGrapheme: Sendable {
    var grapheme: Grapheme
    var style: Style
    var width: Int
}

/// One laid-out row of text.
struct LayoutRow: Sendable {
    var graphemes: [StyledGrapheme]
    var width: Int
    var alignment: Alignment?
}

/// Breaks styled text into rows that fit a width.
enum TextLayout {
    /// The graphemes of a line with their effective styles (control characters and zero-width graphemes dropped).
    static func graphemes(of line: Line, baseStyle: Style) -> [StyledGrapheme] {
        var result: [StyledGrapheme] = []
        let lineStyle = baseStyle.patched(with: line.style)
        for span in line.spans {
            let style = lineStyle.patched(with: span.style)
            for (grapheme, w) in CellIterator(span.content) {
                result.append(StyledGrapheme(grapheme: grapheme, style: style, width: w))
            }
        }
        return result
    }

    /// Lays out `text` into rows at most `width` cells wide, stopping once `limit` rows exist.
    static func rows(of text: Text, width: Int, wrap: Wrap, baseStyle: Style, limit: Int = Int.max) -> [LayoutRow] {
        var rows: [LayoutRow] = []
        for line in text.lines {
            if rows.count >= limit { break }
            let g = graphemes(of: line, baseStyle: baseStyle)
            switch wrap {
            case .none:
                rows.append(LayoutRow(graphemes: g, width: g.reduce(0) { $0 + $1.width }, alignment: line.alignment))
            case .character, .word:
                wrapLine(g, width: max(1, width), byWord: wrap == .word, alignment: line.alignment, into: &rows)
            }
        }
        return rows
    }

    /// Greedy wrapping of one line.
    static func wrapLine(_ g: [StyledGrapheme], width: Int, byWord: Bool, alignment: Alignment?, into rows: inout [LayoutRow]) {
        if g.isEmpty {
            rows.append(LayoutRow(graphemes: [], width: 0, alignment: alignment))
            return
        }
        var start = 0
        while start < g.count {
            if byWord && start > 0 {
                while start < g.count && g[start].grapheme == .space { start += 1 }
                if start >= g.count { break }
            }
            var used = 0
            var end = start
            var lastBreak: Int? = nil
            while end < g.count && used + g[end].width <= width {
                if byWord && g[end].grapheme == .space { lastBreak = end }
                used += g[end].width
                end += 1
            }
            if end < g.count && byWord {
                if g[end].grapheme == .space {
                    lastBreak = end
                }
                if let b = lastBreak, b > start {
                    end = b
                }
            }
            if end == start { end = start + 1 }
            var rowEnd = end
            if byWord {
                while rowEnd > start && g[rowEnd - 1].grapheme == .space && end < g.count { rowEnd -= 1 }
            }
            let slice = Array(g[start..<rowEnd])
            rows.append(LayoutRow(graphemes: slice, width: slice.reduce(0) { $0 + $1.width }, alignment: alignment))
            start = end
        }
    }

    /// Draws one row at `y` in `area`, aligned, skipping `scrollX` cells from its start.
    static func draw(_ row: LayoutRow, in buffer: inout Buffer, area: Rect, y: Int, alignment: Alignment, scrollX: Int) {
        let visibleWidth = max(0, row.width - scrollX)
        var x = area.x + (row.alignment ?? alignment).offset(contentWidth: visibleWidth, areaWidth: area.width)
        var skipped = 0
        for g in row.graphemes {
            if skipped < scrollX {
                skipped += g.width
                if skipped > scrollX {
                    buffer.set(character: " ", at: Position(x: x, y: y), style: g.style)
                    x += skipped - scrollX
                }
                continue
            }
            if x + g.width > area.right { break }
            buffer.put(g.grapheme, width: g.width, x: x, y: y, style: g.style)
            x += g.width
        }
    }
}
