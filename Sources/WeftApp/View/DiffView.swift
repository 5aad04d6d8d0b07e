import TerminalUI
import WeftDomain

/// A job beside the job it was duplicated from; every difference highlighted.
enum DiffView {
    static func render(_ s: AppState, _ d: DiffState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        let leftProd = s.data.fabric(d.left.job.fabric)?.isProduction ?? false
        let block = AppView.block("Diff \(d.left.job.name) ↔ \(d.right.job.name) — \(d.differences.count) differences", t, focused: true, production: leftProd)
        frame.render(block, in: area)
        let inner = block.inner(area)
        let cols = inner.splitHorizontally([.percent(34), .percent(33), .fill], spacing: 1)
        func header(_ text: String, _ rect: Rect, _ style: Style) {
            frame.buffer.set(string: text, at: rect.origin, style: style.bold, maxWidth: rect.width)
        }
        header("field", cols[0], t[.muted])
        header("\(d.left.job.name) (\(d.left.job.fabric))", cols[1], leftProd ? t[.production] : t[.title])
        header("\(d.right.job.name) (\(d.right.job.fabric))", cols[2], t[.title])
        if d.differences.isEmpty {
            frame.buffer.set(string: "No differences.", at: Position(x: inner.x, y: inner.y + 1), style: t[.muted], maxWidth: inner.width)
            return
        }
        for row in 0..<(inner.height - 1) {
            let i = d.scroll + row
            guard d.differences.indices.contains(i) else { break }
            let diff = d.differences[i]
            let y = inner.y + 1 + row
            frame.buffer.set(string: diff.path, at: Position(x: cols[0].x, y: y), style: t[.text], maxWidth: cols[0].width)
            frame.buffer.set(string: diff.left ?? "(absent)", at: Position(x: cols[1].x, y: y), style: t[.changed], maxWidth: cols[1].width)
            frame.buffer.set(string: diff.right ?? "(absent)", at: Position(x: cols[2].x, y: y), style: t[.muted], maxWidth: cols[2].width)
        }
    }
}
