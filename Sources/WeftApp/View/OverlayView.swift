import TerminalUI
import WeftDomain

/// Dialogs drawn over the screen.
enum OverlayView {
    static func render(_ s: AppState, _ overlay: Overlay, _ area: Rect, into frame: inout Frame) {
        switch overlay {
        case .help(let scroll): help(s, scroll, area, &frame)
        case .duplicate(let d): duplicate(s, d, area, &frame)
        case .configForm(let f): form(s, f, area, &frame)
        case .confirm(let c): confirm(s, c, area, &frame)
        case .release(let d): release(s, d, area, &frame)
        case .problems(let title, let lines):
            let body = lines.flatMap { wrap($0, width: min(76, area.width - 4) - 2, indent: "  ") }.map { Line($0) }
            box(s, title, body, width: 76, area, &frame, production: false, titleStyle: s.theme[.error])
        }
    }

    /// Breaks text into rows of at most `width` cells at spaces; continuation rows start with `indent`.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        guard width > indent.displayWidth + 8, text.displayWidth > width else { return [text] }
        var rows: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if candidate.displayWidth > width && !current.isEmpty {
                rows.append(current)
                current = indent + word
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// A cleared, bordered box centred in `area`; returns its inner area.
    @discardableResult
    static func box(_ s: AppState, _ title: String, _ body: [Line], width: Int, _ area: Rect, _ frame: inout Frame, production: Bool, titleStyle: Style? = nil, extraHeight: Int = 0, scroll: Int = 0) -> Rect {
        let t = s.theme
        let w = min(width, area.width - 4)
        let h = min(body.count + 2 + extraHeight, area.height - 2)
        let rect = area.centered(width: w, height: h)
        frame.render(Clear(style: t[.text]), in: rect)
        var block = AppView.block(title, t, focused: true, production: production)
        if let titleStyle { block.titleStyle = titleStyle }
        frame.render(block, in: rect)
        let inner = block.inner(rect)
        AppView.draw(body, in: inner, &frame, base: t[.text], scroll: scroll)
        return inner
    }

    static func help(_ s: AppState, _ scroll: Int, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        var lines: [Line] = []
        let context = s.context
        lines.append(Line("Keys here (\(context.title))", style: t[.title]))
        for b in Keymap.bindings(in: context) {
            let reason = Availability.disabledReason(b.action, s)
            let key = Span(b.keyText.padding(toLength: 16, withPad: " ", startingAt: 0), style: reason == nil ? t[.focus] : t[.muted])
            lines.append(Line([key, Span(b.help, style: reason == nil ? t[.text] : t[.muted])]))
            if let reason { lines.append(Line("                  ✗ \(reason)", style: t[.muted])) }
        }
        lines.append(Line(""))
        lines.append(Line("Dialogs and forms", style: t[.title]))
        for (k, h) in Keymap.dialogKeys { lines.append(Line([Span(k.padding(toLength: 16, withPad: " ", startingAt: 0), style: t[.focus]), Span(h)])) }
        lines.append(Line(""))
        lines.append(Line("Commands", style: t[.title]))
        for (c, h) in Keymap.commands { lines.append(Line([Span(c.padding(toLength: 16, withPad: " ", startingAt: 0), style: t[.focus]), Span(h)])) }
        let maxScroll = max(0, lines.count - (area.height - 4))
        box(s, "Help — Esc closes", lines, width: 96, area, &frame, production: false, scroll: min(scroll, maxScroll))
    }

    static func duplicate(_ s: AppState, _ d: DuplicateState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        var lines: [Line] = []
        lines.append(Line("Source   \(d.source)", style: t[.text]))
        lines.append(Line(""))
        lines.append(Line([Span("Fabric   ", style: d.field == 0 ? t[.focus] : t[.text])]))
        for (i, name) in d.targets.enumerated() {
            let prod = s.data.fabric(name)?.isProduction ?? false
            let mark = i == d.selected ? "◉ " : "○ "
            var style = prod ? t[.production] : t[.text]
            if i == d.selected && d.field == 0 { style = style.patched(with: t[.selection]) }
            lines.append(Line([Span("  " + mark + name + (prod ? "  (production)" : ""), style: style)]))
        }
        lines.append(Line(""))
        let nameRow = lines.count
        lines.append(Line([Span("Name     ", style: d.field == 1 ? t[.focus] : t[.text])]))
        lines.append(Line(""))
        let width = min(90, area.width - 4) - 2
        for (name, reason) in d.forbidden {
            for w in wrap("✗ \(name) — \(reason)", width: width, indent: "    ") { lines.append(Line(w, style: t[.muted])) }
        }
        if !d.forbidden.isEmpty { lines.append(Line("")) }
        if let e = d.error {
            lines.append(Line(e, style: t[.error]))
        } else if let p = d.preview {
            lines.append(Line("Will create \(p.name) on fabric \(p.fabric) — disabled, based_on \(d.source)", style: p.isProduction ? t[.production] : t[.title]))
            lines.append(Line("tasks     \(p.tasks.joined(separator: ", "))"))
            lines.append(Line("mapped    \(p.mapped.isEmpty ? "—" : p.mapped.joined(separator: "; "))"))
            lines.append(Line("unmapped  \(p.unmapped.isEmpty ? "—" : p.unmapped.joined(separator: ", ") + " (keep their source instance)")", style: p.unmapped.isEmpty ? t[.text] : t[.warning]))
            if p.isProduction { lines.append(Line("Production: you will be asked to type \(p.fabric) to confirm.", style: t[.production])) }
        } else {
            lines.append(Line("Planning…", style: t[.muted]))
        }
        let isProd = d.target.flatMap { s.data.fabric($0) }?.isProduction ?? false
        let inner = box(s, "Duplicate job", lines, width: 90, area, &frame, production: isProd)
        let rect = Rect(x: inner.x + 9, y: inner.y + nameRow, width: max(1, inner.width - 9), height: 1)
        guard rect.y < inner.bottom else { return }
        frame.buffer.setStyle(t[.input], in: rect)
        let field = TextField(d.name, style: t[.input], isFocused: d.field == 1)
        frame.render(field, in: rect)
        if d.field == 1 { frame.cursor = field.cursorPosition(in: rect) }
    }

    static func form(_ s: AppState, _ f: ConfigFormState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        var lines: [Line] = []
        for b in f.banner {
            for w in wrap("✗ " + b, width: min(96, area.width - 4) - 2, indent: "  ") { lines.append(Line(w, style: t[.error])) }
        }
        lines.append(Line("Task \(f.task) · pipeline \(f.pipeline.name) · job \(f.jobName) · fabric \(f.fabric.name)", style: f.fabric.isProduction ? t[.production] : t[.muted]))
        let instanceText = "◀ \(f.instanceName ?? "(none)") ▶"
        lines.append(Line([Span("instance".padding(toLength: 16, withPad: " ", startingAt: 0), style: f.focus == 0 ? t[.focus] : t[.text]), Span(instanceText, style: f.focus == 0 ? t[.selection] : t[.input])]))
        var inputRows: [(Int, Int)] = []
        let base = f.baseValues
        for (i, field) in f.fields.enumerated() {
            let focused = f.focus == i + 1
            let label = field.field.name + (field.field.required ? " *" : "")
            var spans = [Span(label.padding(toLength: 16, withPad: " ", startingAt: 0), style: focused ? t[.focus] : t[.text])]
            switch field.field.type {
            case .secret:
                spans.append(Span("◀ \(field.secret.map { "secret:\($0)" } ?? "(none)") ▶", style: focused ? t[.selection] : t[.input]))
                spans.append(Span("  value never shown", style: t[.muted]))
            case .bool:
                spans.append(Span("◀ \(field.input.value.isEmpty ? "(unset)" : field.input.value) ▶", style: focused ? t[.selection] : t[.input]))
            default:
                inputRows.append((lines.count, i))
                spans.append(Span(String(repeating: " ", count: 24)))
            }
            let overridden = f.text(of: i) != (base[field.field.name].map(ConfigFormState.text) ?? "")
            if overridden { spans.append(Span("  override", style: t[.changed])) }
            lines.append(Line(spans))
            var doc = "  \(field.field.type.rawValue)"
            if let min = field.field.min { doc += " ≥ \(ConfigFormState.number(min))" }
            if let max = field.field.max { doc += " ≤ \(ConfigFormState.number(max))" }
            if !field.field.description.isEmpty { doc += " — \(field.field.description)" }
            if let e = field.error {
                lines.append(Line("  ✗ \(e)", style: t[.error]))
            } else if focused {
                lines.append(Line(doc, style: t[.muted]))
            }
        }
        lines.append(Line(""))
        lines.append(Line("Enter save · Esc cancel" + (f.fabric.isProduction ? " · production: you will type \(f.fabric.name) to confirm" : ""), style: t[.muted]))
        let inner = box(s, "Configure \(f.task)", lines, width: 96, area, &frame, production: f.fabric.isProduction)
        for (row, i) in inputRows {
            let rect = Rect(x: inner.x + 16, y: inner.y + row, width: min(24, max(1, inner.width - 28)), height: 1)
            guard rect.y < inner.bottom else { continue }
            frame.buffer.setStyle(t[.input], in: rect)
            let focused = f.focus == i + 1
            let field = TextField(f.fields[i].input, style: t[.input], isFocused: focused)
            frame.render(field, in: rect)
            if focused { frame.cursor = field.cursorPosition(in: rect) }
        }
    }

    static func release(_ s: AppState, _ d: ReleaseDialogState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        let width = min(100, area.width - 4) - 2
        var lines: [Line] = []
        lines.append(Line("Project  \(d.project)" + (d.lastRelease.map { "   last release \($0)" } ?? "   no release yet"), style: t[.muted]))
        lines.append(Line([Span("Version  ", style: t[.focus])]))
        lines.append(Line(""))
        var body: [Line] = []
        if let e = d.error {
            for row in e.split(separator: "\n", omittingEmptySubsequences: false) {
                for w in wrap(String(row), width: width, indent: "    ") { body.append(Line(w, style: t[.error])) }
            }
        } else if d.isPlanning {
            body.append(Line("Planning (validating the project at HEAD)…", style: t[.muted]))
        } else if let p = d.preview {
            body.append(Line(p.existing ? "Release \(d.project)/\(p.version) exists at \(p.commit.prefix(10)): it is deployed again, not rebuilt" : "Release \(d.project)/\(p.version) at HEAD \(p.commit.prefix(10)): build, unit tests, tag, then deploy", style: t[.title]))
            for l in p.lines {
                let style: Style
                if let r = l.range(of: " → fabric ") { style = (s.data.fabric(String(l[r.upperBound...]).split(separator: " ").first.map(String.init) ?? "")?.isProduction ?? false) ? t[.production] : t[.title] }
                else if l.hasPrefix("skip ") { style = t[.muted] }
                else if l.contains("+ add") { style = t[.success] }
                else if l.contains("~ modify") { style = t[.changed] }
                else if l.contains("- delete") { style = t[.error] }
                else { style = t[.text] }
                for w in wrap(l, width: width, indent: "      ") { body.append(Line(w, style: style)) }
            }
            body.append(Line(""))
            if p.toApply.isEmpty {
                body.append(Line("Every fabric holds this release already: Enter closes.", style: t[.muted]))
            } else {
                body.append(Line("Enter: release to \(p.toApply.joined(separator: ", "))" + (p.production.isEmpty ? "" : " — production: you will type its name"), style: p.production.isEmpty ? t[.title] : t[.production]))
            }
        } else {
            body.append(Line("Enter plans this version: the plan per fabric is shown before anything is built or deployed.", style: t[.muted]))
        }
        let maxBody = max(1, area.height - 2 - 2 - lines.count)
        let scroll = min(d.scroll, max(0, body.count - maxBody))
        lines += Array(body.dropFirst(scroll).prefix(maxBody))
        let isProd = !(d.preview?.production.isEmpty ?? true)
        let inner = box(s, "Release \(d.project)", lines, width: 100, area, &frame, production: isProd)
        let rect = Rect(x: inner.x + 9, y: inner.y + 1, width: min(24, max(1, inner.width - 9)), height: 1)
        guard rect.y < inner.bottom else { return }
        frame.buffer.setStyle(t[.input], in: rect)
        let field = TextField(d.version, style: t[.input], isFocused: true)
        frame.render(field, in: rect)
        frame.cursor = field.cursorPosition(in: rect)
    }

    static func confirm(_ s: AppState, _ c: ConfirmState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        var lines = c.body.flatMap { wrap($0, width: min(76, area.width - 4) - 2, indent: "  ") }.map { Line($0) }
        lines.append(Line(""))
        if let typed = c.typed {
            lines.append(Line("Type the fabric's name (\(typed)) to confirm:", style: c.isProduction ? t[.production] : t[.title]))
            lines.append(Line(""))
        } else {
            lines.append(Line("y: yes · n/Esc: no", style: t[.title]))
        }
        let inner = box(s, c.title, lines, width: 76, area, &frame, production: c.isProduction)
        if c.typed != nil {
            let rect = Rect(x: inner.x, y: inner.y + lines.count - 1, width: min(30, inner.width), height: 1)
            guard rect.y < inner.bottom else { return }
            frame.buffer.setStyle(t[.input], in: rect)
            let field = TextField(c.input, style: t[.input])
            frame.render(field, in: rect)
            frame.cursor = field.cursorPosition(in: rect)
        }
    }
}
