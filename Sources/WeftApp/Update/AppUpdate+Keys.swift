import Foundation
import TerminalUI
import WeftDomain

extension AppUpdate {
    /// Routes a key: login form, overlay, command line, filter, then the keymap of the screen on top.
    static func handleKey(_ s: inout AppState, _ key: Key) -> [AppEffect] {
        if s.principal == nil { return loginKey(&s, key) }
        if s.overlay != nil { return overlayKey(&s, key) }
        if case .command(var input) = s.input { return commandKey(&s, key, &input) }
        if s.input == .filter { return filterKey(&s, key) }
        if case .log(var log)? = s.topRoute, log.isSearching { return logSearchKey(&s, key, &log) }
        guard let action = Keymap.action(for: key, in: s.context) else {
            if key != .unknown { s.status = nil }
            return []
        }
        if let reason = Availability.disabledReason(action, s) {
            s.status = StatusMessage("\(Keymap.bindings.first { $0.action == action }?.label ?? action.rawValue): \(reason)", isError: true)
            return []
        }
        s.status = nil
        return perform(&s, action)
    }

    // MARK: Login

    static func loginKey(_ s: inout AppState, _ key: Key) -> [AppEffect] {
        if s.login.isBusy { return [] }
        switch key {
        case .tab, .backTab, .down, .up:
            s.login.field = s.login.field == 0 ? 1 : 0
        case .enter:
            if s.login.field == 0 {
                s.login.field = 1
            } else {
                let user = s.login.user.value.trimmingCharacters(in: .whitespaces)
                guard !user.isEmpty else {
                    s.login.error = "type a user name"
                    s.login.field = 0
                    return []
                }
                s.login.isBusy = true
                s.login.error = nil
                return [.login(user: user, password: s.login.password.value)]
            }
        case .escape:
            s.shouldQuit = true
            return [.quit]
        default:
            if s.login.field == 0 { s.login.user.handle(key) } else { s.login.password.handle(key) }
        }
        return []
    }

    // MARK: Actions

    static func perform(_ s: inout AppState, _ action: KeyAction) -> [AppEffect] {
        switch action {
        case .up: return move(&s, -1)
        case .down: return move(&s, 1)
        case .pageUp: return move(&s, -pageHeight(s))
        case .pageDown: return move(&s, pageHeight(s))
        case .top: return move(&s, Int.min / 2)
        case .bottom: return move(&s, Int.max / 2)
        case .nextPane, .previousPane:
            let order: [Pane] = [s.showsProjects ? .projects : .teams, .fabrics, .jobs, .runs]
            let i = order.firstIndex(of: s.pane) ?? 0
            s.pane = order[(i + (action == .nextPane ? 1 : order.count - 1)) % order.count]
            return []
        case .open: return open(&s)
        case .back: return back(&s)
        case .quit:
            s.shouldQuit = true
            return [.quit]
        case .filter:
            if case .log(var log)? = s.topRoute {
                log.isSearching = true
                log.search = ""
                log.matches = []
                s.routes[s.routes.count - 1] = .log(log)
            } else {
                s.input = .filter
            }
            return []
        case .command:
            s.input = .command(TextInput())
            return []
        case .help:
            s.overlay = .help(scroll: 0)
            return []
        case .run:
            guard let job = Availability.targetJob(s) else { return [] }
            if let fabric = s.data.fabric(job.record.job.fabric), fabric.isProduction {
                // A production run is a deliberate act: what will run, then the fabric's name typed.
                s.overlay = .confirm(Self.productionRunConfirmation(job, fabric: fabric.name))
                return []
            }
            s.status = StatusMessage("Starting a run of \(job.record.job.name)…")
            return [.startRun(ref: job.ref, production: nil)]
        case .duplicate: return openDuplicate(&s)
        case .configure, .configureInEditor:
            guard let job = Availability.targetJob(s), let task = Availability.selectedTask(s) else { return [] }
            s.opensEditorNext = action == .configureInEditor
            return [.loadConfigForm(ref: job.ref, task: task.key)]
        case .toggleEnabled:
            guard let job = Availability.targetJob(s), let fabric = s.data.fabric(job.record.job.fabric) else { return [] }
            let enable = !job.record.job.enabled
            let act = ConfirmAction.setEnabled(ref: job.ref, enabled: enable, blob: job.record.blob)
            if fabric.isProduction {
                s.overlay = .confirm(
                    ConfirmState(
                        title: "\(enable ? "Enable" : "Disable") a production job",
                        body: ["\(enable ? "Enable" : "Disable") \(job.record.job.name) on fabric \(fabric.name)."]
                            + (enable ? ["Its schedule (\(job.record.job.schedule?.cron ?? "none")) will start runs on production data."] : []),
                        typed: fabric.name, action: act, isProduction: true))
                return []
            }
            return [.setEnabled(ref: job.ref, enabled: enable, blob: job.record.blob)]
        case .diff:
            guard let job = Availability.targetJob(s) else { return [] }
            return [.loadDiff(ref: job.ref)]
        case .release:
            guard let project = Availability.releaseProject(s) else { return [] }
            var d = ReleaseDialogState(project: project.name)
            d.isPlanning = false
            s.overlay = .release(d)
            return [.loadReleaseInfo(project: project.name)]
        case .promote:
            guard case .diff(let d)? = s.topRoute else { return [] }
            s.status = StatusMessage("Planning the promotion of \(d.right.job.name) into \(d.left.job.name)…")
            return [.planPromote(ref: d.left.qualifiedName)]
        case .logs:
            guard let run = Availability.shownRun(s) else { return [] }
            return [.loadLog(runID: run.run.id, task: run.tasks[run.selectedTask].key)]
        case .cancelRun:
            guard let run = Availability.shownRun(s) else { return [] }
            let production = s.data.fabric(run.run.fabric)?.isProduction ?? false
            s.overlay = .confirm(
                ConfirmState(
                    title: "Cancel run", body: ["Cancel run \(run.run.id) of \(run.run.job) on fabric \(run.run.fabric)?", "Running tasks are stopped; pending ones will not start."],
                    typed: nil, action: .cancelRun(runID: run.run.id), isProduction: production))
            return []
        case .follow:
            guard case .log(var log)? = s.topRoute else { return [] }
            log.follow.toggle()
            if log.follow { log.scroll = max(0, log.lines.count - logPageHeight(s)) }
            s.routes[s.routes.count - 1] = .log(log)
            s.status = StatusMessage(log.follow ? "Following the log" : "Stopped following")
            return []
        case .searchNext, .searchPrevious:
            guard case .log(var log)? = s.topRoute, !log.matches.isEmpty else {
                s.status = StatusMessage("no matches", isError: true)
                return []
            }
            let next: Int?
            if action == .searchNext {
                next = log.matches.first { $0 > log.scroll } ?? log.matches.first
            } else {
                next = log.matches.last { $0 < log.scroll } ?? log.matches.last
            }
            log.scroll = next ?? log.scroll
            log.follow = false
            s.routes[s.routes.count - 1] = .log(log)
            return []
        }
    }

    /// Moves the selection (or scrolls) in the screen on top.
    static func move(_ s: inout AppState, _ delta: Int) -> [AppEffect] {
        guard let last = s.routes.indices.last else {
            s.lists[s.pane]?.move(by: delta)
            return s.pane == .jobs ? selectionChanged(&s) : []
        }
        switch s.routes[last] {
        case .jobDetail(var d):
            let count = s.job(d.ref)?.record.job.tasks.count ?? 0
            d.selectedTask = min(max(0, d.selectedTask + clamp(delta)), max(0, count - 1))
            s.routes[last] = .jobDetail(d)
        case .run(let id):
            guard var v = s.runViews[id] else { return [] }
            v.selectedTask = min(max(0, v.selectedTask + clamp(delta)), max(0, v.tasks.count - 1))
            s.runViews[id] = v
        case .log(var log):
            log.scroll = min(max(0, log.scroll + clamp(delta)), max(0, log.lines.count - 1))
            log.follow = false
            s.routes[last] = .log(log)
        case .diff(var d):
            d.scroll = min(max(0, d.scroll + clamp(delta)), max(0, d.differences.count - 1))
            s.routes[last] = .diff(d)
        case .audit(var a):
            a.list.move(by: delta)
            s.routes[last] = .audit(a)
        case .release(var r):
            let current = r.scroll ?? max(0, r.lines.count - releasePageHeight(s))
            let next = min(max(0, current + clamp(delta)), max(0, r.lines.count - 1))
            r.scroll = next >= r.lines.count - releasePageHeight(s) ? nil : next
            s.routes[last] = .release(r)
        }
        return []
    }

    static func clamp(_ delta: Int) -> Int { min(max(delta, -1_000_000), 1_000_000) }

    static func open(_ s: inout AppState) -> [AppEffect] {
        switch s.topRoute {
        case nil:
            switch s.pane {
            case .fabrics:
                guard let f = s.selectedFabric else { return [] }
                s.fabricScope = f.fabric.name
                s.pane = .jobs
                refilter(&s, .jobs)
                s.status = StatusMessage("Jobs on fabric \(f.fabric.name) (Esc shows all)")
                return selectionChanged(&s)
            case .jobs:
                guard let job = s.selectedJob else { return [] }
                s.routes.append(.jobDetail(JobDetailState(ref: job.ref)))
                return []
            case .runs:
                guard let run = s.selectedRun else { return [] }
                return [.openRun(runID: run.id)]
            case .teams, .projects:
                return []
            }
        case .jobDetail?:
            return Availability.disabledReason(.configure, s) == nil ? perform(&s, .configure) : []
        case .run?:
            return Availability.disabledReason(.logs, s) == nil ? perform(&s, .logs) : []
        default:
            return []
        }
    }

    static func back(_ s: inout AppState) -> [AppEffect] {
        if !s.routes.isEmpty {
            if case .audit(var a)? = s.topRoute, !a.list.filter.isEmpty {
                a.list.filter = ""
                a.list.refilter(a.searchTexts)
                s.routes[s.routes.count - 1] = .audit(a)
                return []
            }
            s.routes.removeLast()
            return []
        }
        if !s.list(s.pane).filter.isEmpty {
            s.lists[s.pane]?.filter = ""
            refilter(&s, s.pane)
            return s.pane == .jobs ? selectionChanged(&s) : []
        }
        if s.fabricScope != nil {
            s.fabricScope = nil
            refilter(&s, .jobs)
            s.status = StatusMessage("All jobs")
            return selectionChanged(&s)
        }
        return []
    }

    static func openDuplicate(_ s: inout AppState) -> [AppEffect] {
        guard let job = Availability.targetJob(s), let p = s.principal else { return [] }
        var targets: [String] = []
        var forbiddenNames: [String] = []
        var reasons: [String] = []
        for row in s.data.fabrics {
            if let d = PermissionPolicy.check(p, .duplicateJob, .fabric(row.fabric)) {
                forbiddenNames.append(row.fabric.name)
                reasons.append(d.description)
            } else {
                targets.append(row.fabric.name)
            }
        }
        let source = job.record.job
        var d = DuplicateState(source: job.ref, targets: targets, forbiddenNames: forbiddenNames, forbiddenReasons: reasons, name: "")
        d.selected = targets.firstIndex { $0 != source.fabric } ?? 0
        guard let target = d.target, let fabric = s.data.fabric(target) else { return [] }
        d.name = TextInput(DuplicationPlanner.proposedName(source: source, target: fabric))
        s.overlay = .duplicate(d)
        return [.planDuplicate(source: job.ref, fabric: target, name: d.name.value)]
    }

    // MARK: Filter and command line

    static func filterKey(_ s: inout AppState, _ key: Key) -> [AppEffect] {
        let pane = s.pane
        if case .audit(var a)? = s.topRoute {
            switch key {
            case .enter: s.input = .normal
            case .escape:
                a.list.filter = ""
                s.input = .normal
                a.list.refilter(a.searchTexts)
            case .up: a.list.move(by: -1)
            case .down: a.list.move(by: 1)
            case .backspace, .ctrl("h"):
                a.list.filter = String(a.list.filter.dropLast())
                a.list.refilter(a.searchTexts)
            case .character(let c):
                a.list.filter.append(c)
                a.list.refilter(a.searchTexts, narrowing: true)
            default: break
            }
            s.routes[s.routes.count - 1] = .audit(a)
            return []
        }
        switch key {
        case .enter:
            s.input = .normal
            return []
        case .escape:
            s.input = .normal
            s.lists[pane]?.filter = ""
            refilter(&s, pane)
        case .up: s.lists[pane]?.move(by: -1)
        case .down: s.lists[pane]?.move(by: 1)
        case .backspace, .ctrl("h"):
            let shorter = String(s.list(pane).filter.dropLast())
            s.lists[pane]?.filter = shorter
            refilter(&s, pane)
        case .ctrl("u"):
            s.lists[pane]?.filter = ""
            refilter(&s, pane)
        case .character(let c):
            s.lists[pane]?.filter.append(c)
            refilter(&s, pane, narrowing: true)
        default:
            return []
        }
        return pane == .jobs ? selectionChanged(&s) : []
    }

    static func logSearchKey(_ s: inout AppState, _ key: Key, _ log: inout LogState) -> [AppEffect] {
        switch key {
        case .enter:
            log.isSearching = false
            if let first = log.matches.first(where: { $0 >= log.scroll }) ?? log.matches.first {
                log.scroll = first
                log.follow = false
            }
        case .escape:
            log.isSearching = false
            log.search = ""
            log.matches = []
        default:
            var input = TextInput(log.search)
            input.handle(key)
            log.search = input.value
            let needle = log.search.lowercased()
            log.matches = needle.isEmpty ? [] : log.lines.indices.filter { log.lines[$0].lowercased().contains(needle) }
        }
        s.routes[s.routes.count - 1] = .log(log)
        return []
    }

    static func commandKey(_ s: inout AppState, _ key: Key, _ input: inout TextInput) -> [AppEffect] {
        switch key {
        case .escape:
            s.input = .normal
            return []
        case .enter:
            s.input = .normal
            return runCommand(&s, input.value)
        case .backspace where input.isEmpty:
            s.input = .normal
            return []
        default:
            input.handle(key)
            s.input = .command(input)
            return []
        }
    }

    /// Runs a `:` command.
    static func runCommand(_ s: inout AppState, _ text: String) -> [AppEffect] {
        let words = text.split(separator: " ").map(String.init)
        guard let name = words.first else { return [] }
        func focus(_ pane: Pane) -> [AppEffect] {
            s.routes.removeAll()
            if pane == .projects { s.showsProjects = true }
            if pane == .teams { s.showsProjects = false }
            s.pane = pane
            return []
        }
        switch name {
        case "teams", "team": return focus(.teams)
        case "fabrics", "fabric": return focus(.fabrics)
        case "projects", "project": return focus(.projects)
        case "jobs", "job": return focus(.jobs)
        case "runs", "run": return focus(.runs)
        case "audit": return [.loadAudit]
        case "theme":
            guard words.count == 2 else {
                s.status = StatusMessage(":theme NAME — themes: \(BuiltinThemes.names.joined(separator: ", "))", isError: true)
                return []
            }
            return [.loadTheme(words[1])]
        case "quit", "q", "q!", "exit":
            s.shouldQuit = true
            return [.quit]
        case "help":
            s.overlay = .help(scroll: 0)
            return []
        default:
            s.status = StatusMessage("unknown command :\(name) (commands: \(Keymap.commands.map(\.0).joined(separator: " ")))", isError: true)
            return []
        }
    }

    /// The typed confirmation before `r` starts a run on a production fabric: the job, the fabric, the revision it
    /// will run (the deployed release, else HEAD, not released), its tasks, and whether it is disabled.
    static func productionRunConfirmation(_ job: JobRow, fabric: String) -> ConfirmState {
        let j = job.record.job
        var body = ["Run \(j.name) (\(job.record.project)) on PRODUCTION fabric \(fabric)."]
        if let d = job.deployed {
            body.append("Revision: release \(d.version) at commit \(d.commit.prefix(10)), as deployed.")
        } else {
            body.append("Revision: HEAD of \(job.record.project), not released (nothing is deployed on \(fabric)).")
        }
        body.append("Tasks: " + j.tasks.map(\.key).joined(separator: ", ") + ", on \(fabric)'s data.")
        if !j.enabled {
            body.append("The job is DISABLED: its schedule starts nothing; this run starts it anyway.")
        }
        return ConfirmState(
            title: j.enabled ? "Run a production job" : "Run a DISABLED production job", body: body, typed: fabric,
            action: .startRun(ref: job.ref, production: fabric), isProduction: true)
    }
}
