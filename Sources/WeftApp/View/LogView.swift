import TerminalUI

/// A task's full log: scroll, search (highlighted), follow.
enum LogView {
    static func render(_ s: AppState, _ log: LogState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        var title = "Log \(log.task) — run \(log.runID)  \(log.lines.count) lines"
        if log.follow { title += "  following" }
        if !log.search.isEmpty { title += "  /\(log.search) \(log.matches.count) matches" }
        let block = AppView.block(title, t, focused: true)
        frame.render(block, in: area)
        let inner = block.inner(area)
        let needle = log.search.lowercased()
        for row in 0..<inner.height {
            let i = log.scroll + row
            guard log.lines.indices.contains(i) else { break }
            let text = DisplayWidth.sanitized(log.lines[i])
            let style = !needle.isEmpty && text.lowercased().contains(needle) ? t[.changed] : t[.text]
            frame.buffer.set(string: text, at: Position(x: inner.x, y: inner.y + row), style: style, maxWidth: inner.width)
        }
        if log.lines.isEmpty {
            frame.buffer.set(string: "(the log is empty)", at: inner.origin, style: t[.muted], maxWidth: inner.width)
        }
    }
}
