/// A change to one cell, as sent to a backend.
public typealias CellChange = (x: Int, y: Int, cell: Cell)

/// A rectangle of cells in screen coordinates that widgets render into.
///
/// Wide graphemes take two cells: the left holds the grapheme, the right is a continuation cell. Writes keep
/// that invariant: overwriting either half of a wide grapheme blanks the other half.
public struct Buffer: Hashable, Sendable, CustomStringConvertible {
    /// The screen rectangle the buffer covers.
    public private(set) var area: Rect
    /// The cells, row by row.
    public private(set) var cells: [Cell]

    /// Creates a buffer of blank cells covering `area`.
    public init(area: Rect) {
        self.area = area
        self.cells = [Cell](repeating: .blank, count: area.area)
    }

    /// Creates a buffer of blank cells at the origin.
    public init(width: Int, height: Int) {
        self.init(area: Rect(x: 0, y: 0, width: width, height: height))
    }

    /// Creates a buffer from text lines, one cell per column (useful for expected values in tests).
    public init(lines: [String]) {
        let width = lines.map(\.displayWidth).max() ?? 0
        self.init(width: width, height: lines.count)
        for (y, line) in lines.enumerated() {
            set(string: line, at: Position(x: 0, y: y))
        }
    }

    /// Width in columns.
    public var width: Int { area.width }
    /// Height in rows.
    public var height: Int { area.height }

    /// The index of a position in `cells`, or nil outside the area.
    @inlinable
    public func index(x: Int, y: Int) -> Int? {
        guard x >= area.x, x < area.x + area.width, y >= area.y, y < area.y + area.height else { return nil }
        return (y - area.y) * area.width + (x - area.x)
    }

    /// The cell at a position (a blank cell outside the area).
    public subscript(x: Int, y: Int) -> Cell {
        guard let i = index(x: x, y: y) else { return .blank }
        return cells[i]
    }

    /// The cell at a position (a blank cell outside the area).
    public subscript(position: Position) -> Cell {
        self[position.x, position.y]
    }

    /// Resets every cell to blank.
    public mutating func reset() {
        cells.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] = .blank }
        }
    }

    /// Changes the area; all cells become blank.
    public mutating func resize(to area: Rect) {
        self.area = area
        cells = [Cell](repeating: .blank, count: area.area)
    }

    /// Fills `rect` (clipped to the buffer) with copies of `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        fixWideEdges(of: r)
        for y in r.top..<r.bottom {
            let start = (y - area.y) * area.width + (r.x - area.x)
            for i in start..<(start + r.width) { cells[i] = cell }
        }
    }

    /// Makes `rect` blank, in `style`.
    public mutating func clear(_ rect: Rect, style: Style = .plain) {
        fill(rect, with: Cell(grapheme: .space, style: style))
    }

    /// Lays `style` over every cell of `rect` (see `Style.patched(with:)`).
    public mutating func setStyle(_ style: Style, in rect: Rect) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        for y in r.top..<r.bottom {
            let start = (y - area.y) * area.width + (r.x - area.x)
            for i in start..<(start + r.width) { cells[i].style = cells[i].style.patched(with: style) }
        }
    }

    /// Replaces the style of every cell of `rect`.
    public mutating func replaceStyle(_ style: Style, in rect: Rect) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        for y in r.top..<r.bottom {
            let start = (y - area.y) * area.width + (r.x - area.x)
            for i in start..<(start + r.width) { cells[i].style = style }
        }
    }

    /// Writes one grapheme at a position, taking `displayWidth` cells; returns the cells written (0 if it did not fit).
    ///
    /// A grapheme with several spacing scalars (such as a flag) is written as the cells `CellIterator` makes of it.
    @discardableResult
    public mutating func set(character: Character, at position: Position, style: Style) -> Int {
        var spacing = 0
        var w = 0
        for scalar in character.unicodeScalars {
            let sw = DisplayWidth.of(scalar)
            if sw > 0 { spacing += 1 }
            w += sw
        }
        if spacing > 1 {
            return set(string: String(character), at: position, style: style) - position.x
        }
        guard w > 0, let i = index(x: position.x, y: position.y) else { return 0 }
        if w == 2 && position.x + 1 >= area.right { return 0 }
        put(Grapheme(character), style: style, index: i, x: position.x, width: w)
        return w
    }

    /// Writes `string` from `position` in `style`, clipped to the buffer and to `maxWidth` cells.
    ///
    /// The string is split into cells by `CellIterator` (control characters, lone combining marks, ZWJ, variation
    /// selectors and skin tones are dropped); a wide grapheme that does not fit in the remaining space ends the
    /// write. Returns the column after the last cell written.
    @discardableResult
    public mutating func set(string: String, at position: Position, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        var x = position.x
        guard position.y >= area.y, position.y < area.bottom else { return x }
        var limit = area.right
        if let maxWidth { limit = min(limit, position.x + max(0, maxWidth)) }
        guard x < limit else { return x }
        let rowStart = (position.y - area.y) * area.width - area.x
        var cells = CellIterator(string)
        while let (grapheme, w) = cells.next() {
            if x + w > limit { break }
            if x >= area.x {
                put(grapheme, style: style, index: rowStart + x, x: x, width: w)
            }
            x += w
        }
        return x
    }

    /// Writes spans left to right from `position`, each span's style patched over `baseStyle`; returns the column after them.
    @discardableResult
    public mutating func set(spans: [Span], at position: Position, baseStyle: Style = .plain, maxWidth: Int? = nil) -> Int {
        let limit = maxWidth.map { position.x + max(0, $0) } ?? Int.max
        var x = position.x
        for span in spans {
            guard x < limit else { break }
            x = set(string: span.content, at: Position(x: x, y: position.y), style: baseStyle.patched(with: span.style),
                    maxWidth: limit == Int.max ? nil : limit - x)
        }
        return x
    }

    /// Writes a line from `position` (ignoring its alignment); returns the column after it.
    @discardableResult
    public mutating func set(line: Line, at position: Position, baseStyle: Style = .plain, maxWidth: Int? = nil) -> Int {
        set(spans: line.spans, at: position, baseStyle: baseStyle.patched(with: line.style), maxWidth: maxWidth)
    }

    /// Writes a line into the row `row`, aligned by its own alignment or `alignment`, clipped to the row.
    public mutating func set(line: Line, in row: Rect, alignment: Alignment = .left, baseStyle: Style = .plain) {
        guard !row.isEmpty else { return }
        let align = line.alignment ?? alignment
        let offset = align.offset(contentWidth: line.width, areaWidth: row.width)
        set(line: line, at: Position(x: row.x + offset, y: row.y), baseStyle: baseStyle, maxWidth: row.width - offset)
    }

    /// Stores a grapheme whose width (1 or 2) is already known, if it fits; for layout code that measured it.
    @inline(__always)
    mutating func put(_ grapheme: Grapheme, width w: Int, x: Int, y: Int, style: Style) {
        guard let i = index(x: x, y: y), w == 1 || x + 1 < area.right else { return }
        put(grapheme, style: style, index: i, x: x, width: w)
    }

    /// Stores a grapheme and keeps the wide-grapheme invariant around it.
    @inline(__always)
    mutating func put(_ grapheme: Grapheme, style: Style, index i: Int, x: Int, width w: Int) {
        let rowRight = area.right
        if cells[i].isContinuation, x > area.x {
            cells[i - 1] = Cell(grapheme: .space, style: cells[i - 1].style)
        }
        if w == 1 {
            if x + 1 < rowRight, cells[i + 1].isContinuation {
                cells[i + 1] = Cell(grapheme: .space, style: cells[i + 1].style)
            }
            cells[i] = Cell(grapheme: grapheme, style: style)
        } else {
            if x + 2 < rowRight, cells[i + 2].isContinuation {
                cells[i + 2] = Cell(grapheme: .space, style: cells[i + 2].style)
            }
            cells[i] = Cell(grapheme: grapheme, style: style)
            cells[i + 1] = Cell.continuation(style: style)
        }
    }

    /// Blanks halves of wide graphemes cut by the left and right edges of `r` before `r` is overwritten.
    mutating func fixWideEdges(of r: Rect) {
        for y in r.top..<r.bottom {
            let rowStart = (y - area.y) * area.width - area.x
            let leftIndex = rowStart + r.x
            if cells[leftIndex].isContinuation, r.x > area.x {
                cells[leftIndex - 1] = Cell(" ", style: cells[leftIndex - 1].style)
            }
            if r.right < area.right, cells[rowStart + r.right].isContinuation {
                cells[rowStart + r.right] = Cell(" ", style: cells[rowStart + r.right].style)
            }
        }
    }

    /// Copies `other` into this buffer where they overlap.
    public mutating func merge(_ other: Buffer) {
        let r = other.area.intersection(area)
        guard !r.isEmpty else { return }
        fixWideEdges(of: r)
        for y in r.top..<r.bottom {
            for x in r.left..<r.right {
                if let i = index(x: x, y: y), let j = other.index(x: x, y: y) { cells[i] = other.cells[j] }
            }
        }
    }

    /// The cells that differ from `previous`, row by row, skipping continuation cells (painting a wide
    /// grapheme covers them). When the areas differ every cell is returned.
    public func diff(previous: Buffer) -> [CellChange] {
        var changes: [CellChange] = []
        if previous.area != area {
            changes.reserveCapacity(cells.count)
            for (i, cell) in cells.enumerated() where !cell.isContinuation {
                changes.append((x: area.x + i % max(1, area.width), y: area.y + i / max(1, area.width), cell: cell))
            }
            return changes
        }
        let width = area.width
        cells.withUnsafeBufferPointer { current in
            previous.cells.withUnsafeBufferPointer { old in
                var i = 0
                for y in 0..<area.height {
                    for x in 0..<width {
                        let cell = current[i]
                        if !cell.isContinuation && cell != old[i] {
                            changes.append((x: area.x + x, y: area.y + y, cell: cell))
                        }
                        i += 1
                    }
                }
            }
        }
        return changes
    }

    /// The buffer as text, one string per row (continuation cells add nothing, so wide graphemes line up).
    public func textLines() -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(area.height)
        for y in 0..<area.height {
            var line = ""
            line.reserveCapacity(area.width)
            for x in 0..<area.width {
                let cell = cells[y * area.width + x]
                if !cell.isContinuation { line += cell.grapheme.string }
            }
            lines.append(line)
        }
        return lines
    }

    /// The rows of `textLines()` joined by newlines.
    public var description: String {
        textLines().joined(separator: "\n")
    }
}
