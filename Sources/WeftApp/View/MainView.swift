import Foundation
import TerminalUI
import WeftDomain

/// The main screen: fabrics, jobs and runs on the left; teams (or projects) and the detail pane on the right.
enum MainView {
    static func render(_ s: AppState, _ area: Rect, into frame: inout Frame) {
        let columns = area.splitHorizontally([.percent(66), .fill])
        let left = columns[0].splitVertically([.fixed(min(6, max(4, s.data.fabrics.count + 3))), .fill, .percent(30)])
        let right = columns[1].splitVertically([.fixed(8), .fill])
        renderFabrics(s, left[0], &frame)
        renderJobs(s, left[1], &frame)
        renderRuns(s, left[2], &frame)
        if s.showsProjects { renderProjects(s, right[0], &frame) } else { renderTeams(s, right[0], &frame) }
        DetailView.render(s, right[1], &frame)
    }

    /// The title of a pane with its filter.
    static func title(_ s: AppState, _ pane: Pane, _ base: String, count: Int, total: Int) -> String {
        var title = base
        let filter = s.list(pane).filter
        if !filter.isEmpty || count != total { title += " \(count)/\(total)" } else { title += " \(total)" }
        if !filter.isEmpty { title += " /\(filter)" }
        return title
    }

    /// A table showing only the window of rows that fits (10,000 jobs cost what 30 do).
    static func windowed(_ list: ListState, height: Int, build: (Int) -> TableRow) -> (rows: [TableRow], selected: Int?) {
        let visible = max(1, height)
        let first = Scrolling.offset(keeping: list.visible.isEmpty ? nil : list.selected, visibleRows: visible, previousOffset: 0, count: list.visible.count)
        let end = min(list.visible.count, first + visible)
        let rows = (first..<max(first, end)).map { build(list.visible[$0]) }
        return (rows, list.visible.isEmpty ? nil : list.selected - first)
    }

    static func table(_ s: AppState, _ pane: Pane, _ columns: [Column], _ rows: [TableRow], _ selected: Int?, _ block: Block) -> Table {
        let t = s.theme
        let focused = s.pane == pane
        return Table(
            columns: columns, rows: rows, selected: focused ? selected : nil, showsHeader: true, headerStyle: t[.muted].bold,
            style: t[.text], highlightStyle: t[.selection], highlightSymbol: "", columnSpacing: 1, block: block)
    }

    static func renderFabrics(_ s: AppState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        let list = s.list(.fabrics)
        let block = AppView.block(title(s, .fabrics, "Fabrics", count: list.visible.count, total: s.data.fabrics.count), t, focused: s.pane == .fabrics)
        let (rows, selected) = windowed(list, height: block.inner(area).height - 1) { i in
            let r = s.data.fabrics[i]
            let style = r.fabric.isProduction ? t[.production] : Style.plain
            let last = r.lastRun.map { Line(Format.symbol($0), style: t.style(for: $0)) } ?? Line("—", style: t[.muted])
            return TableRow(
                [Line(r.fabric.name, style: style), Line(r.fabric.stage.rawValue, style: style), Line(r.fabric.kind.rawValue), Line(r.fabric.ownerTeam),
                 Line("\(r.fabric.slots)"), Line("\(r.jobCount)"), last])
        }
        let columns = [
            Column("fabric", width: .fill), Column("stage", width: .fixed(11)), Column("kind", width: .fixed(5)), Column("owner", width: .fixed(12)),
            Column("slot", width: .fixed(4)), Column("jobs", width: .fixed(4)), Column("last run", width: .fixed(10)),
        ]
        frame.render(table(s, .fabrics, columns, rows, selected, block), in: area)
    }

    static func renderJobs(_ s: AppState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        let list = s.list(.jobs)
        var name = "Jobs"
        if let scope = s.fabricScope { name += " on \(scope)" }
        let production = s.fabricScope.flatMap { s.data.fabric($0) }?.isProduction ?? false
        let block = AppView.block(title(s, .jobs, name, count: list.visible.count, total: s.data.jobs.count), t, focused: s.pane == .jobs, production: production)
        // The release column when the pane is wide enough (the detail pane always says it).
        let wide = area.width >= 70
        let (rows, selected) = windowed(list, height: block.inner(area).height - 1) { i in
            let r = s.data.jobs[i]
            let isProd = s.data.fabric(r.record.job.fabric)?.isProduction ?? false
            let last = r.lastRun.map { Line(Format.symbol($0), style: t.style(for: $0)) } ?? Line("—", style: t[.muted])
            var cells = [
                Line(r.record.job.name), Line(r.record.job.fabric, style: isProd ? t[.production] : .plain),
                Line(r.record.job.enabled ? "on" : "off", style: r.record.job.enabled ? t[.success] : t[.muted]),
                Line(Format.shortDate(r.nextFire, s.timeZone)), last,
            ]
            if wide {
                cells.insert(r.deployed.map { Line($0.short, style: $0.jobChanged || $0.headLater ? t[.changed] : t[.text]) } ?? Line("—", style: t[.muted]), at: 3)
            }
            return TableRow(cells)
        }
        var columns = [
            Column("job", width: .fill), Column("fabric", width: .fixed(11)), Column("on", width: .fixed(3)), Column("next fire", width: .fixed(11)),
            Column("last run", width: .fixed(11)),
        ]
        if wide { columns.insert(Column("release", width: .fixed(8)), at: 3) }
        frame.render(table(s, .jobs, columns, rows, selected, block), in: area)
        if s.data.jobs.isEmpty {
            let inner = block.inner(area)
            let text = s.isLoaded ? "No jobs in projects you may read." : "Loading…"
            frame.buffer.set(string: text, at: Position(x: inner.x + 1, y: inner.y + 1), style: t[.muted], maxWidth: inner.width - 1)
        }
    }

    static func renderRuns(_ s: AppState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        let list = s.list(.runs)
        let job = s.selectedJob
        let name = job.map { "Runs of \($0.record.job.name)" } ?? "Runs"
        let block = AppView.block(title(s, .runs, name, count: list.visible.count, total: s.runs.count), t, focused: s.pane == .runs)
        if let hidden = s.runsHidden {
            frame.render(block, in: area)
            let inner = block.inner(area)
            frame.render(Paragraph(Text(hidden, style: t[.muted]), wrap: .word), in: inner)
            return
        }
        let (rows, selected) = windowed(list, height: block.inner(area).height - 1) { i in
            let r = s.runs[i]
            return TableRow([
                Line(r.id), Line(Format.symbol(r.state), style: t.style(for: r.state)), Line(r.trigger.rawValue), Line(r.user),
                Line(Format.shortDate(r.queuedAt, s.timeZone)), Line(Format.duration(r.duration(now: s.now))),
            ])
        }
        let columns = [
            Column("run", width: .fill), Column("state", width: .fixed(11)), Column("trigger", width: .fixed(8)), Column("who", width: .fixed(8)),
            Column("queued", width: .fixed(11)), Column("took", width: .fixed(6)),
        ]
        frame.render(table(s, .runs, columns, rows, selected, block), in: area)
        if s.runs.isEmpty, job != nil {
            let inner = block.inner(area)
            frame.buffer.set(string: "No runs yet. Press r to run the job.", at: Position(x: inner.x + 1, y: inner.y + 1), style: t[.muted], maxWidth: inner.width - 1)
        }
    }

    static func renderTeams(_ s: AppState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        let list = s.list(.teams)
        let block = AppView.block(title(s, .teams, "Teams", count: list.visible.count, total: s.data.teams.count), t, focused: s.pane == .teams)
        let (rows, selected) = windowed(list, height: block.inner(area).height - 1) { i in
            let team = s.data.teams[i]
            let mine = s.principal?.isMember(of: team.name) ?? false
            return TableRow([Line((mine ? "● " : "  ") + team.name), Line("\(team.members.count)"), Line(team.includes.joined(separator: ", "))])
        }
        let columns = [Column("team", width: .fill), Column("users", width: .fixed(5)), Column("includes", width: .fill)]
        frame.render(table(s, .teams, columns, rows, selected, block), in: area)
    }

    static func renderProjects(_ s: AppState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        let list = s.list(.projects)
        let block = AppView.block(title(s, .projects, "Projects", count: list.visible.count, total: s.data.projects.count), t, focused: s.pane == .projects)
        let (rows, selected) = windowed(list, height: block.inner(area).height - 1) { i in
            let p = s.data.projects[i]
            return TableRow([Line(p.name), Line(p.ownerTeam)])
        }
        let columns = [Column("project", width: .fill), Column("owner", width: .fixed(12))]
        frame.render(table(s, .projects, columns, rows, selected, block), in: area)
    }
}
