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
        case .release(var d)?:
            return releaseKey(&s, key, &d)
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
        case .startRun(let ref, let production):
            s.status = StatusMessage("Starting a run of \(ref)…")
            return [.startRun(ref: ref, production: production)]
        case .release(let project, let version, let confirmed, let fabrics):
            s.routes.append(.release(ReleaseProgressState(project: project, version: version, fabrics: fabrics)))
            s.status = StatusMessage("Releasing \(project)/\(version)…")
            return [.release(project: project, version: version, confirmed: confirmed)]
        case .promote(let ref, let lines):
            s.status = StatusMessage("Promoting into \(ref)…")
            return [.promote(ref: ref, lines: lines)]
        }
    }

    /// Keys of the release dialog: type the version (each change re-plans on Enter), Enter plans, Enter again
    /// confirms, ↑/↓ scroll the plan, Esc cancels.
    static func releaseKey(_ s: inout AppState, _ key: Key, _ d: inout ReleaseDialogState) -> [AppEffect] {
        switch key {
        case .escape:
            s.overlay = nil
            s.status = StatusMessage("Release cancelled; nothing was built, tagged or deployed")
            return []
        case .up, .pageUp:
            d.scroll = max(0, d.scroll - (key == .up ? 1 : 10))
        case .down, .pageDown:
            d.scroll = min(max(0, (d.preview?.lines.count ?? 0) - 1), d.scroll + (key == .down ? 1 : 10))
        case .enter:
            let version = d.version.value.trimmingCharacters(in: .whitespaces)
            if d.isPlanning { break }
            guard let preview = d.preview, preview.version == version else {
                if version.isEmpty {
                    d.error = "type a version, e.g. 1.0.0"
                    break
                }
                d.isPlanning = true
                d.error = nil
                d.preview = nil
                s.overlay = .release(d)
                return [.planRelease(project: d.project, version: version)]
            }
            if preview.toApply.isEmpty {
                s.overlay = nil
                s.status = StatusMessage("Every fabric holds \(d.project)/\(version) already: nothing to deploy")
                return []
            }
            let confirmed = preview.confirmed
            let action = ConfirmAction.release(project: d.project, version: version, confirmed: confirmed, fabrics: preview.toApply)
            let what = preview.existing ? "Deploy the existing release" : "Build, test, tag \(d.project)/\(version) at \(preview.commit.prefix(10)) and deploy"
            let body = ["\(what) to \(preview.toApply.joined(separator: ", ")).", "Plan: " + confirmed.map { "\($0.fabric.name): \($0.summary)" }.joined(separator: "; ")]
            if let prod = preview.production.first {
                s.overlay = .confirm(
                    ConfirmState(
                        title: "Release to production", body: body + ["Production runs this release from now on (schedules included)."],
                        typed: preview.production.count == 1 ? prod : preview.production.joined(separator: " "), action: action, isProduction: true))
            } else {
                s.overlay = .confirm(ConfirmState(title: "Release \(d.project)/\(version)", body: body, typed: nil, action: action, isProduction: false))
            }
            return []
        default:
            if d.version.handle(key) {
                d.versionEdited = true
                d.error = nil
                if d.preview?.version != d.version.value { d.preview = nil }
            }
        }
        s.overlay = .release(d)
        return []
    }
}
