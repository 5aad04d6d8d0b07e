import Foundation
import TerminalUI
import WeftDomain

/// The job detail screen: the task graph as text, each task's pipeline, instance and overrides, `based_on`.
enum JobDetailView {
    static func render(_ s: AppState, _ d: JobDetailState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        guard let row = s.job(d.ref) else {
            frame.buffer.set(string: "Job \(d.ref) is no longer there (Esc to go back).", at: area.origin, style: t[.error], maxWidth: area.width)
            return
        }
        let j = row.record.job
        let isProd = s.data.fabric(j.fabric)?.isProduction ?? false
        let title = "Job \(j.name) — fabric \(j.fabric)" + (isProd ? " — PRODUCTION" : "")
        let block = AppView.block(title, t, focused: true, production: isProd)
        frame.render(block, in: area)
        let inner = block.inner(area)
        let columns = inner.splitHorizontally([.percent(45), .fill], spacing: 1)
        let order = TaskGraph.topologicalOrder(j.tasks)
        let levels = TaskGraph.levels(j.tasks)

        var left: [Line] = []
        left.append(Line("project  \(row.record.project)   enabled \(j.enabled ? "yes" : "no")", style: t[.text]))
        left.append(Line("schedule \(j.schedule.map { "\($0.cron) (\($0.timezone))" } ?? "none")", style: t[.text]))
        if let b = j.basedOn {
            left.append(Line("based on \(b.job) @ \(b.commit.prefix(10))", style: t[.text]))
        } else {
            left.append(Line("based on —", style: t[.muted]))
        }
        if let d = row.deployed {
            left.append(Line("deployed \(d.sentence)", style: d.jobChanged || d.headLater ? t[.changed] : t[.text]))
        } else {
            left.append(Line("deployed nothing on \(j.fabric)" + (j.enabled && j.schedule != nil ? " — the schedule waits for a release (R)" : ""), style: t[.muted]))
        }
        left.append(Line(""))
        left.append(Line("Task graph", style: t[.title]))
        for (i, key) in order.enumerated() {
            guard let task = j.task(key) else { continue }
            let level = levels[key] ?? 0
            let indent = String(repeating: "  ", count: level)
            let arrow = level == 0 ? "● " : "└▶ "
            let deps = task.dependsOn.count > 1 ? "  (after \(task.dependsOn.joined(separator: ", ")))" : ""
            let kind = task.pipelineName.map { " [\($0)]" } ?? " [script]"
            let style = i == d.selectedTask ? t[.selection] : t[.text]
            left.append(Line([Span(indent + arrow + key, style: style), Span(kind + deps, style: i == d.selectedTask ? style : t[.muted])]))
        }
        AppView.draw(left, in: columns[0], &frame, base: t[.text])

        var right: [Line] = []
        if order.indices.contains(d.selectedTask), let task = j.task(order[d.selectedTask]) {
            right.append(Line("Task \(task.key)", style: t[.title]))
            switch task.action {
            case .pipeline(let name, let config, let overrides):
                right.append(Line("pipeline  \(name)"))
                right.append(Line("instance  \(config ?? "— (none)")"))
                if overrides.isEmpty {
                    right.append(Line("overrides —", style: t[.muted]))
                } else {
                    right.append(Line("overrides"))
                    for (k, v) in overrides.sorted(by: { $0.key < $1.key }) { right.append(Line("  \(k) = \(v.display)", style: t[.changed])) }
                }
            case .script(let cmd):
                right.append(Line("script    \(cmd)"))
            }
            right.append(Line("depends   \(task.dependsOn.isEmpty ? "—" : task.dependsOn.joined(separator: ", "))"))
            right.append(Line("run if    \(task.runIf.rawValue)   retries \(task.retries)   timeout \(task.timeout.map { Format.duration($0) } ?? "none")"))
            right.append(Line(""))
            if task.pipelineName != nil {
                right.append(Line("e: edit in a form · E: edit in $EDITOR", style: t[.muted]))
            }
        }
        AppView.draw(right, in: columns[1], &frame, base: t[.text])
    }
}
