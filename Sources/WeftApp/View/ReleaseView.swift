import TerminalUI
import WeftDomain

/// A release's progress: build → tests → tag → deploy per fabric, then every step's lines.
enum ReleaseView {
    static func render(_ s: AppState, _ r: ReleaseProgressState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        let isProd = r.fabrics.contains { s.data.fabric($0)?.isProduction ?? false }
        let state = r.isFinished ? (r.error == nil ? "done" : "STOPPED") : "running"
        let block = AppView.block("Release \(r.project)/\(r.version) — \(state)", t, focused: true, production: isProd)
        frame.render(block, in: area)
        let inner = block.inner(area)
        let stepRows = 3 + r.fabrics.count
        let parts = inner.splitVertically([.fixed(stepRows + 1), .fill])

        func symbol(_ st: ReleaseProgressState.StepState) -> (String, Style) {
            switch st {
            case .waiting: return ("○ waiting", t[.muted])
            case .running: return ("◐ running", t[.warning])
            case .done: return ("● done", t[.success])
            case .failed: return ("✗ failed", t[.error])
            case .skipped: return ("– not reached", t[.muted])
            }
        }
        var rows: [(String, ReleaseProgressState.StepState, Bool)] = [
            ("build", r.state(of: "build"), false), ("unit tests", r.state(of: "test"), false), ("tag", r.state(of: "tag"), false),
        ]
        for f in r.fabrics { rows.append(("deploy \(f)", r.state(of: "deploy", fabric: f), s.data.fabric(f)?.isProduction ?? false)) }
        for (i, row) in rows.enumerated() where i < parts[0].height {
            let (text, style) = symbol(row.1)
            let y = parts[0].y + i
            frame.buffer.set(string: row.0, at: Position(x: parts[0].x, y: y), style: row.2 ? t[.production] : t[.text], maxWidth: 24)
            frame.buffer.set(string: text, at: Position(x: parts[0].x + 24, y: y), style: style, maxWidth: max(0, parts[0].width - 24))
        }

        let logArea = parts[1]
        guard logArea.height > 1 else { return }
        var lines: [Line] = r.lines.map { l in
            let style = l.text.contains("NOT deployed") || l.text.contains(" failed") ? t[.error] : t[.text]
            return Line([Span(l.step.padding(toLength: 7, withPad: " ", startingAt: 0), style: t[.muted]), Span(DisplayWidth.sanitized(l.text), style: style)])
        }
        if let e = r.error {
            for row in e.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append(Line(DisplayWidth.sanitized(String(row)), style: t[.error]))
            }
        } else if let summary = r.summary {
            lines.append(Line(summary, style: t[.success]))
        }
        if lines.isEmpty { lines.append(Line("Validating and planning again under the release lock…", style: t[.muted])) }
        frame.buffer.set(string: "Log" + (r.scroll == nil ? " (following)" : " (↑/↓ scroll, G follows)"), at: logArea.origin, style: t[.title], maxWidth: logArea.width)
        let body = Rect(x: logArea.x, y: logArea.y + 1, width: logArea.width, height: logArea.height - 1)
        let first = r.scroll.map { min($0, max(0, lines.count - body.height)) } ?? max(0, lines.count - body.height)
        AppView.draw(lines, in: body, &frame, base: t[.text], scroll: first)
    }
}
