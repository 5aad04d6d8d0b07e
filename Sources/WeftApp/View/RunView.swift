import Foundation
import TerminalUI
import WeftDomain

/// The run view: per-task progress bars, states in colour, elapsed time, ETA, and the selected task's log tail.
enum RunView {
    static func render(_ s: AppState, _ id: String, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        guard let v = s.runViews[id] else {
            frame.buffer.set(string: "Loading run \(id)…", at: area.origin, style: t[.muted], maxWidth: area.width)
            return
        }
        let isProd = s.data.fabric(v.run.fabric)?.isProduction ?? false
        let block = AppView.block("Run \(v.run.id) — \(v.run.job) on \(v.run.fabric)" + (isProd ? " — PRODUCTION" : ""), t, focused: true, production: isProd)
        frame.render(block, in: area)
        let inner = block.inner(area)
        let taskRows = min(v.tasks.count, max(1, inner.height / 2 - 2))
        let parts = inner.splitVertically([.fixed(2), .fixed(taskRows + 1), .fill])

        let elapsed = v.run.duration(now: s.now)
        let eta = v.estimator?.remaining(run: v.run, tasks: v.tasks, now: s.now)
        var head: [Span] = [Span(Format.symbol(v.run.state), style: t.style(for: v.run.state).bold)]
        head.append(Span("   elapsed \(Format.duration(elapsed))"))
        if !v.run.state.isFinished { head.append(Span("   ETA \(eta.map { Format.duration($0) } ?? "unknown (no history)")", style: t[.muted])) }
        head.append(Span("   by \(v.run.user) (\(v.run.trigger.rawValue))", style: t[.muted]))
        head.append(Span("   ran \(v.run.revision.label)", style: v.run.revision.release == nil && s.data.fabric(v.run.fabric)?.stage != .development ? t[.warning] : t[.muted]))
        frame.buffer.set(line: Line(head), at: parts[0].origin, baseStyle: t[.text], maxWidth: parts[0].width)
        if let m = v.run.message {
            frame.buffer.set(string: m, at: Position(x: parts[0].x, y: parts[0].y + 1), style: t[.muted], maxWidth: parts[0].width)
        }

        let list = parts[1]
        let nameWidth = min(18, max(8, (v.tasks.map { $0.key.displayWidth }.max() ?? 8) + 2))
        frame.buffer.set(string: "task".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "state        progress", at: list.origin, style: t[.muted].bold, maxWidth: list.width)
        let first = Scrolling.offset(keeping: v.selectedTask, visibleRows: taskRows, previousOffset: 0, count: v.tasks.count)
        for row in 0..<taskRows {
            let i = first + row
            guard v.tasks.indices.contains(i) else { break }
            let task = v.tasks[i]
            let y = list.y + 1 + row
            let selected = i == v.selectedTask
            let nameStyle = selected ? t[.selection] : t[.text]
            frame.buffer.set(string: (selected ? "▸" : " ") + task.key, at: Position(x: list.x, y: y), style: nameStyle, maxWidth: nameWidth - 1)
            frame.buffer.set(string: Format.symbol(task.state), at: Position(x: list.x + nameWidth, y: y), style: t.style(for: task.state), maxWidth: 12)
            let tail = "  " + Format.duration(task.startedAt.map { (task.finishedAt ?? s.now).timeIntervalSince($0) })
                + (task.state == .running ? " ETA " + (v.estimator?.remaining(task: task, now: s.now).map { Format.duration($0) } ?? "?") : "")
                + (task.attempt > 1 ? " try \(task.attempt)" : "")
            let tailWidth = 22
            let gaugeX = list.x + nameWidth + 13
            let gaugeWidth = max(4, list.right - gaugeX - tailWidth)
            let ratio = task.state == .success ? 1 : (task.progress ?? 0)
            let gauge = Gauge(
                ratio: ratio, label: Gauge.percentLabel(ratio), filledStyle: t[.gaugeFilled].patched(with: t.style(for: task.state).removing(.bold)),
                emptyStyle: t[.gaugeEmpty], labelStyle: t[.text])
            frame.render(gauge, in: Rect(x: gaugeX, y: y, width: gaugeWidth, height: 1))
            frame.buffer.set(string: tail, at: Position(x: gaugeX + gaugeWidth, y: y), style: t[.muted], maxWidth: tailWidth)
        }

        let logArea = parts[2]
        guard v.tasks.indices.contains(v.selectedTask), logArea.height > 1 else { return }
        let task = v.tasks[v.selectedTask]
        var header = "Log of \(task.key)"
        if let m = task.progressMessage { header += " — \(m)" }
        if let m = task.message { header += " — \(m)" }
        frame.buffer.set(string: header, at: logArea.origin, style: t[.title], maxWidth: logArea.width)
        let tail = v.logTail[task.key] ?? []
        let shown = tail.suffix(logArea.height - 1)
        for (i, line) in shown.enumerated() {
            frame.buffer.set(string: DisplayWidth.sanitized(line), at: Position(x: logArea.x, y: logArea.y + 1 + i), style: t[.text], maxWidth: logArea.width)
        }
        if tail.isEmpty {
            frame.buffer.set(string: task.state == .pending ? "(not started)" : "(no output yet — l opens the full log)", at: Position(x: logArea.x, y: logArea.y + 1), style: t[.muted], maxWidth: logArea.width)
        }
    }
}
