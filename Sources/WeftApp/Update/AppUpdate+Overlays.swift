import TerminalUI
import WeftDomain

extension AppUpdate {
    /// Keys while a dialog is open.
    static func overlayKey(_ s: inout AppState, _ key: Key) -> [AppEffect] {
        switch s.overlay {
        case .help(let scroll)?:
            switch key {
            case .escape, "q", "?", .enter: s.overlay = nil
            case "j", .down: s.overlay = .help(scroll: scroll + 1)
            case "k", .up: s.overlay = .help(scroll: max(0, scroll - 1))
            case .pageDown: s.overlay = .help(scroll: scroll + 10)
            case .pageUp: s.overlay = .help(scroll: max(0, scroll - 10))
            case "g", .home: s.overlay = .help(scroll: 0)
            default: break
            }
            return []
        case .problems?:
            if key == .escape || key == .enter || key == "q" { s.overlay = nil }
            return []
        case .duplicate(var d)?:
            return duplicateKey(&s, key, &d)
        case .configForm(var form)?:
            return formKey(&s, key, &form)
        case .confirm(var c)?:
            return confirmKey(&s, key, &c)
        case nil:
            return []
        }
    }

    static func duplicateKey(_ s: inout AppState, _ key: Key, _ d: inout DuplicateState) -> [AppEffect] {
        func replan() -> [AppEffect] {
            d.preview = nil
            d.error = nil
            if let p = Names.problem(d.name.value, kind: "job") {
                d.error = p.message
                s.overlay = .duplicate(d)
                return []
            }
            s.overlay = .duplicate(d)
            guard let target = d.target else { return [] }
            return [.planDuplicate(source: d.source, fabric: target, name: d.name.value)]
        }
        switch key {
        case .escape:
            s.overlay = nil
            s.status = StatusMessage("Duplicate cancelled")
            return []
        case .tab, .backTab:
            d.field = d.field == 0 ? 1 : 0
            s.overlay = .duplicate(d)
            return []
        case .enter:
            guard let preview = d.preview, let target = d.target else {
                s.overlay = .duplicate(d)
                return []
            }
            let action = ConfirmAction.duplicate(source: d.source, fabric: target, name: preview.name)
            if preview.isProduction {
                s.overlay = .confirm(
                    ConfirmState(
                        title: "Duplicate onto a production fabric",
                        body: ["Create \(preview.name) on fabric \(target) (disabled), based on \(d.source)."],
                        typed: target, action: action, isProduction: true))
                return []
            }
            return [.duplicate(source: d.source, fabric: target, name: preview.name)]
        default:
            break
        }
        if d.field == 0 {
            let delta: Int
            switch key {
            case .up, "k", .left, "h": delta = -1
            case .down, "j", .right, "l": delta = 1
            default: return []
            }
            guard !d.targets.isEmpty else { return [] }
            d.selected = (d.selected + delta + d.targets.count) % d.targets.count
            if !d.nameEdited, let target = d.target, let fabric = s.data.fabric(target), let source = s.job(d.source) {
                d.name = TextInput(DuplicationPlanner.proposedName(source: source.record.job, target: fabric))
            }
            return replan()
        }
        if key == .up || key == .down { return [] }
        guard d.name.handle(key) else { return [] }
        d.nameEdited = true
        return replan()
    }

    static func formKey(_ s: inout AppState, _ key: Key, _ form: inout ConfigFormState) -> [AppEffect] {
        let count = form.fields.count + 1
        switch key {
        case .escape:
            s.overlay = nil
            s.status = StatusMessage("Configuration not changed")
            return []
        case .tab, .down:
            form.focus = (form.focus + 1) % count
        case .backTab, .up:
            form.focus = (form.focus + count - 1) % count
        case .enter:
            form.banner = []
            return requestSave(&s, form)
        default:
            if form.focus == 0 {
                switch key {
                case .left, .right, " ":
                    let n = form.instances.count
                    guard n > 0 else { break }
                    let current = form.instance ?? -1
                    let next = key == .left ? (current + n + 1) % (n + 1) - 1 : (current + 2) % (n + 1) - 1
                    form.selectInstance(next < 0 ? nil : next)
                default: break
                }
            } else {
                let i = form.focus - 1
                let field = form.fields[i].field
                switch field.type {
                case .secret:
                    guard key == .left || key == .right || key == " " else { break }
                    let names = [nil] + form.fabric.secretNames.map { Optional($0) }
                    let current = names.firstIndex(of: form.fields[i].secret) ?? 0
                    let next = (current + (key == .left ? names.count - 1 : 1)) % names.count
                    form.fields[i].secret = names[next]
                    form.fields[i].edited = true
                case .bool where key == .left || key == .right || key == " ":
                    let value = form.fields[i].input.value.lowercased()
                    form.fields[i].input = TextInput(value == "true" ? "false" : "true")
                    form.fields[i].edited = true
                default:
                    if form.fields[i].input.handle(key) { form.fields[i].edited = true }
                }
                form.validate(i)
            }
        }
        s.overlay = .configForm(form)
        return []
    }

    static func confirmKey(_ s: inout AppState, _ key: Key, _ c: inout ConfirmState) -> [AppEffect] {
        switch key {
        case .escape:
            s.overlay = nil
            s.status = StatusMessage("Cancelled; nothing was changed")
            return []
        case .enter:
            if let typed = c.typed, c.input.value != typed {
                s.status = StatusMessage("type \(typed) exactly to confirm (or Esc to cancel)", isError: true)
                return []
            }
            return confirmed(&s, c.action)
        case "y" where c.typed == nil:
            return confirmed(&s, c.action)
        case "n" where c.typed == nil:
            s.overlay = nil
            return []
        default:
            if c.typed != nil, c.input.handle(key) { s.overlay = .confirm(c) }
            return []
        }
    }

    static func confirmed(_ s: inout AppState, _ action: ConfirmAction) -> [AppEffect] {
        s.overlay = nil
        switch action {
        case .duplicate(let source, let fabric, let name): return [.duplicate(source: source, fabric: fabric, name: name)]
        case .saveConfig(let change): return [.saveConfig(change)]
        case .setEnabled(let ref, let enabled, let blob): return [.setEnabled(ref: ref, enabled: enabled, blob: blob)]
        case .cancelRun(let id):
            s.status = StatusMessage("Cancelling run \(id)…")
            return [.cancelRun(runID: id)]
        case .startRun(let ref): return [.startRun(ref: ref)]
        }
    }
}
