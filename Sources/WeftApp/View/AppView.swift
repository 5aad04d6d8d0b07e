import Foundation
import TerminalUI
import WeftDomain

/// Draws the state into a frame. Pure: the same state gives the same frame.
public enum AppView {
    /// Renders the whole screen.
    public static func render(_ s: AppState, into frame: inout Frame) {
        let area = frame.area
        let t = s.theme
        frame.buffer.setStyle(t[.text], in: area)
        if s.isTooSmall {
            renderTooSmall(s, into: &frame)
            return
        }
        if s.principal == nil {
            LoginView.render(s, into: &frame)
            return
        }
        let rows = area.splitVertically([.fixed(1), .fill, .fixed(1), .fixed(1)])
        renderHeader(s, rows[0], into: &frame)
        switch s.topRoute {
        case nil: MainView.render(s, rows[1], into: &frame)
        case .jobDetail(let d)?: JobDetailView.render(s, d, rows[1], into: &frame)
        case .run(let id)?: RunView.render(s, id, rows[1], into: &frame)
        case .log(let log)?: LogView.render(s, log, rows[1], into: &frame)
        case .diff(let d)?: DiffView.render(s, d, rows[1], into: &frame)
        case .audit(let a)?: AuditView.render(s, a, rows[1], into: &frame)
        case .release(let r)?: ReleaseView.render(s, r, rows[1], into: &frame)
        }
        renderMessageLine(s, rows[2], into: &frame)
        renderStatusBar(s, rows[3], into: &frame)
        if let overlay = s.overlay { OverlayView.render(s, overlay, area, into: &frame) }
    }

    static func renderTooSmall(_ s: AppState, into frame: inout Frame) {
        let area = frame.area
        let lines: [Line] = [
            Line("Terminal too small", style: s.theme[.error]),
            Line("\(s.size.width)×\(s.size.height); Weft needs at least \(AppState.minimumSize.width)×\(AppState.minimumSize.height)."),
            Line("Enlarge the window (or press q to quit)."),
        ]
        let y = max(0, area.height / 2 - 1)
        for (i, line) in lines.enumerated() where y + i < area.height {
            frame.buffer.set(line: line, in: area.row(y + i), alignment: .center, baseStyle: s.theme[.text])
        }
    }

    static func renderHeader(_ s: AppState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        frame.buffer.clear(area, style: t[.header])
        var spans: [Span] = [Span(" Weft ", style: t[.header].bold)]
        if let p = s.principal {
            spans.append(Span(" \(p.name)\(p.isAdmin ? " (admin)" : "")", style: t[.header]))
            let teams = p.teams.sorted()
            spans.append(Span("  teams: \(teams.isEmpty ? "none" : teams.joined(separator: ", "))", style: t[.header]))
        }
        spans.append(Span("  workspace: \(s.workspace)", style: t[.header]))
        frame.buffer.set(line: Line(spans), at: area.origin, baseStyle: t[.header], maxWidth: area.width)
        let theme = " \(t.name) "
        if area.width > 60 {
            frame.buffer.set(string: theme, at: Position(x: area.right - theme.displayWidth, y: area.y), style: t[.header], maxWidth: theme.displayWidth)
        }
    }

    /// The line above the status bar: the filter or command being typed, or the last message.
    static func renderMessageLine(_ s: AppState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        frame.buffer.clear(area, style: t[.text])
        switch s.input {
        case .command(let input):
            frame.buffer.set(string: ":", at: area.origin, style: t[.input])
            let field = TextField(input, style: t[.input])
            let rect = Rect(x: area.x + 1, y: area.y, width: area.width - 1, height: 1)
            frame.render(field, in: rect)
            frame.cursor = field.cursorPosition(in: rect)
            return
        case .filter:
            let filter: String
            if case .audit(let a)? = s.topRoute { filter = a.list.filter } else { filter = s.list(s.pane).filter }
            let prefix = "/"
            frame.buffer.set(string: prefix, at: area.origin, style: t[.input])
            let field = TextField(TextInput(filter), style: t[.input])
            let rect = Rect(x: area.x + 1, y: area.y, width: area.width - 1, height: 1)
            frame.render(field, in: rect)
            frame.cursor = field.cursorPosition(in: rect)
            return
        case .normal:
            break
        }
        if case .log(let log)? = s.topRoute, log.isSearching {
            frame.buffer.set(string: "search: \(log.search)", at: area.origin, style: t[.input], maxWidth: area.width)
            frame.cursor = Position(x: min(area.right - 1, area.x + 8 + log.search.displayWidth), y: area.y)
            return
        }
        if let status = s.status {
            frame.buffer.set(string: status.text, at: area.origin, style: status.isError ? t[.error] : t[.muted], maxWidth: area.width)
        }
    }

    /// The key hints of the screen on top, greyed where not allowed.
    static func renderStatusBar(_ s: AppState, _ area: Rect, into frame: inout Frame) {
        let t = s.theme
        let hints = hints(s)
        let bar = StatusBar(hints: hints, style: t[.statusBar], keyStyle: t[.statusKey], labelStyle: t[.statusBar], disabledStyle: t[.disabled])
        frame.render(bar, in: area)
    }

    /// The status bar's hints for the current state.
    public static func hints(_ s: AppState) -> [KeyHint] {
        switch s.overlay {
        case .help?: return [KeyHint("Esc", "close"), KeyHint("j/k", "scroll")]
        case .problems?: return [KeyHint("Enter", "close")]
        case .duplicate?: return [KeyHint("←/→", "fabric"), KeyHint("Tab", "name"), KeyHint("Enter", "duplicate"), KeyHint("Esc", "cancel")]
        case .configForm?: return [KeyHint("Tab/↑/↓", "field"), KeyHint("←/→", "choose"), KeyHint("Enter", "save"), KeyHint("Esc", "cancel")]
        case .release(let d)?:
            return [KeyHint("Enter", d.preview == nil ? "plan" : "release"), KeyHint("↑/↓", "scroll plan"), KeyHint("Esc", "cancel")]
        case .confirm(let c)?:
            return c.typed == nil ? [KeyHint("y", "yes"), KeyHint("n/Esc", "no")] : [KeyHint("Enter", "confirm"), KeyHint("Esc", "cancel")]
        case nil: break
        }
        switch s.input {
        case .command: return [KeyHint("Enter", "run"), KeyHint("Esc", "cancel")]
        case .filter: return [KeyHint("Enter", "keep filter"), KeyHint("Esc", "clear"), KeyHint("↑/↓", "move")]
        case .normal: break
        }
        return Keymap.bindings(in: s.context).filter(\.inStatusBar).map { b in
            KeyHint(b.keys[0].displayName, b.label, isEnabled: Availability.disabledReason(b.action, s) == nil)
        }
    }

    /// A bordered block; production frames always use the production role.
    static func block(_ title: String, _ t: Theme, focused: Bool, production: Bool = false) -> Block {
        let style = t.frame(isProduction: production, focused: focused)
        return Block(
            title: " \(title) ", borders: .all, borderType: focused ? .thick : .plain, borderStyle: style,
            titleStyle: production ? t[.production] : (focused ? t[.focus] : t[.title]))
    }

    /// Draws lines into an area, clipped.
    static func draw(_ lines: [Line], in area: Rect, _ frame: inout Frame, base: Style, scroll: Int = 0) {
        for row in 0..<area.height {
            let i = scroll + row
            guard lines.indices.contains(i) else { break }
            frame.buffer.set(line: lines[i], at: Position(x: area.x, y: area.y + row), baseStyle: base, maxWidth: area.width)
        }
    }
}
