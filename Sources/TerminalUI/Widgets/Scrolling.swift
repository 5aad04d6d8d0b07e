/// Scroll arithmetic shared by lists and tables.
public enum Scrolling {
    /// The first visible row that keeps `selected` in view, moving as little as possible from `offset`.
    ///
    /// Store the result and pass it back next frame so the selection does not jump. The result is clamped so that
    /// no empty rows show at the bottom when there is enough content.
    public static func offset(keeping selected: Int?, visibleRows: Int, previousOffset: Int, count: Int) -> Int {
        guard visibleRows > 0, count > 0 else { return 0 }
        var offset = max(0, min(previousOffset, count - 1))
        if let selected {
            let s = max(0, min(selected, count - 1))
            if s < offset { offset = s }
            if s >= offset + visibleRows { offset = s - visibleRows + 1 }
        }
        return max(0, min(offset, count - visibleRows))
    }
}
