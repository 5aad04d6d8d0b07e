import TerminalUI
import WeftDomain

/// The audit timeline across fabrics, newest first, filterable.
enum AuditView {
    static func render(_ s: AppState, _ a: AuditState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        var title = "Audit — \(a.list.visible.count) of \(a.events.count) events"
        if !a.list.filter.isEmpty { title += " /\(a.list.filter)" }
        let block = AppView.block(title, t, focused: true)
        let (rows, selected) = MainView.windowed(a.list, height: block.inner(area).height - 1) { i in
            let e = a.events[i]
            let resultStyle: Style = e.result == .allowed ? t[.success] : t[.error]
            let prod = e.fabric.flatMap { s.data.fabric($0) }?.isProduction ?? false
            return TableRow([
                Line(Format.dateTime(e.at, s.timeZone)), Line(e.user), Line(e.action), Line(e.fabric ?? "—", style: prod ? t[.production] : .plain),
                Line(e.result.rawValue, style: resultStyle), Line(e.object + (e.detail.isEmpty ? "" : " — \(e.detail)")),
            ])
        }
        let columns = [
            Column("when", width: .fixed(19)), Column("user", width: .fixed(8)), Column("action", width: .fixed(14)), Column("fabric", width: .fixed(11)),
            Column("result", width: .fixed(7)), Column("object", width: .fill),
        ]
        let table = Table(
            columns: columns, rows: rows, selected: selected, headerStyle: t[.muted].bold, style: t[.text], highlightStyle: t[.selection], block: block)
        frame.render(table, in: area)
    }
}
