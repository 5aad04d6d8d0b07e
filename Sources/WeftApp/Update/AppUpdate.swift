import Foundation
import TerminalUI
import WeftDomain

/// The pure update function: `update(&state, message) → effects`. No I/O, no clock.
public enum AppUpdate {
    /// Applies a message to the state and returns the effects to run.
    public static func update(_ s: inout AppState, _ msg: AppMessage) -> [AppEffect] {
        switch msg {
        case .key(let key):
            return handleKey(&s, key)
        case .resized(let size):
            s.size = size
            return []
        case .quitSignalled:
            s.shouldQuit = true
            return [.quit]
        case .ticked(let date):
            s.now = date
            if !s.hasLiveRun && s.isTicking {
                s.isTicking = false
                return [.stopTicking]
            }
            return []
        case .loggedIn(let principal):
            s.principal = principal
            s.login = LoginState()
            s.status = StatusMessage("Logged in as \(principal.name)")
            return [.loadMain]
        case .loginFailed(let message):
            s.login.isBusy = false
            s.login.error = message
            s.login.password.clear()
            return []
        case .mainLoaded(let data):
            return mainLoaded(&s, data)
        case .runsLoaded(let ref, let runs, let hidden):
            guard s.selectedJob?.ref == ref else { return [] }
            s.runs = runs
            s.runsFor = ref
            s.runsHidden = hidden
            refilter(&s, .runs)
            return []
        case .duplicatePlanned(let preview):
            guard case .duplicate(var d)? = s.overlay, d.target == preview.fabric, d.name.value == preview.name else { return [] }
            d.preview = preview
            d.error = nil
            s.overlay = .duplicate(d)
            return []
        case .duplicatePlanFailed(let message):
            guard case .duplicate(var d)? = s.overlay else { return [] }
            d.preview = nil
            d.error = message
            s.overlay = .duplicate(d)
            return []
        case .duplicated(let record):
            s.overlay = nil
            s.status = StatusMessage("Duplicated as \(record.job.name) on fabric \(record.job.fabric) (disabled, based on \(record.job.basedOn?.job ?? "?"))")
            s.openAfterLoad = record.qualifiedName
            return [.loadMain]
        case .configFormLoaded(let form):
            if s.opensEditorNext {
                s.opensEditorNext = false
                return [.editInEditor(form, errors: [])]
            }
            s.overlay = .configForm(form)
            return []
        case .configSaved(let record):
            s.overlay = nil
            s.status = StatusMessage("Saved the configuration of \(record.job.name)")
            return [.loadMain]
        case .editorReturned(var form, let text):
            guard let text, text.split(separator: "\n").contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }) else {
                s.status = StatusMessage("Editing cancelled; nothing was changed")
                return []
            }
            let problems = form.apply(yaml: text)
            if !problems.isEmpty { return [.editInEditor(form, errors: problems)] }
            return requestSave(&s, form)
        case .enabledChanged(let record):
            s.overlay = nil
            s.status = StatusMessage("\(record.job.name) is now \(record.job.enabled ? "enabled" : "disabled")")
            return [.loadMain]
        case .runStarted(let run, let tasks, let estimator), .runOpened(let run, let tasks, let estimator):
            var view = s.runViews[run.id] ?? RunViewState(run: run, tasks: tasks)
            if s.runViews[run.id] == nil {
                view.isLive = !run.state.isFinished
            }
            view.estimator = estimator
            s.runViews[run.id] = view
            if case .run(let id)? = s.topRoute, id == run.id {} else { s.routes.append(.run(run.id)) }
            if case .runStarted = msg { s.status = StatusMessage("Started run \(run.id) of \(run.job)") }
            return startTickingIfNeeded(&s)
        case .runEvent(let event):
            return runEvent(&s, event)
        case .runStreamEnded(let runID, let error):
            if var v = s.runViews[runID] {
                v.isLive = false
                s.runViews[runID] = v
            }
            if let error { s.status = StatusMessage("Run \(runID): \(error)", isError: true) }
            return []
        case .logLoaded(let runID, let task, let lines):
            var log = LogState(runID: runID, task: task, lines: lines)
            log.scroll = max(0, lines.count - logPageHeight(s))
            if case .log? = s.topRoute { s.routes.removeLast() }
            s.routes.append(.log(log))
            return []
        case .diffLoaded(let diff):
            s.routes.append(.diff(diff))
            return []
        case .releaseInfoLoaded(let project, let last):
            guard case .release(var d)? = s.overlay, d.project == project else { return [] }
            d.lastRelease = last
            if !d.versionEdited { d.version = TextInput(ReleaseDialogState.nextVersion(after: last)) }
            s.overlay = .release(d)
            return []
        case .releasePlanned(let project, let preview):
            guard case .release(var d)? = s.overlay, d.project == project else { return [] }
            d.isPlanning = false
            guard d.version.value.trimmingCharacters(in: .whitespaces) == preview.version else {
                s.overlay = .release(d)
                return []
            }
            d.preview = preview
            d.error = nil
            d.scroll = 0
            s.overlay = .release(d)
            return []
        case .releasePlanFailed(let project, _, let message):
            guard case .release(var d)? = s.overlay, d.project == project else {
                s.status = StatusMessage("Release \(project): \(message)", isError: true)
                return []
            }
            d.isPlanning = false
            d.preview = nil
            d.error = message
            s.overlay = .release(d)
            return []
        case .releaseProgress(let project, let version, let line):
            updateRelease(&s, project, version) { $0.lines.append(line) }
            return []
        case .releaseFinished(let project, let version, let error, let summary):
            updateRelease(&s, project, version) {
                $0.isFinished = true
                $0.error = error
                $0.summary = summary
            }
            s.status = StatusMessage(error.map { "Release \(project)/\(version) stopped: \($0.split(separator: "\n").first ?? "")" } ?? summary, isError: error != nil)
            return [.loadMain]
        case .promotePlanned(let ref, let lines, let isEmpty, let fabric, let isProduction, let blocked):
            if isEmpty || blocked {
                s.overlay = .problems(title: blocked ? "Promotion into \(ref) cannot be applied" : "Nothing to promote", lines: lines)
                s.status = nil
                return []
            }
            s.status = nil
            s.overlay = .confirm(
                ConfirmState(
                    title: isProduction ? "Promote into a production job" : "Promote into \(ref)", body: lines,
                    typed: isProduction ? fabric : nil, action: .promote(ref: ref, lines: lines), isProduction: isProduction))
            return []
        case .promoted(let record, let summary):
            s.status = StatusMessage(summary)
            if case .diff? = s.topRoute { s.routes.removeLast() }
            return [.loadMain, .loadDiff(ref: record.qualifiedName)]
        case .auditLoaded(let events):
            var audit = AuditState(events: events)
            audit.list.refilter(audit.searchTexts)
            if case .audit? = s.topRoute { s.routes.removeLast() }
            s.routes.append(.audit(audit))
            return []
        case .themeLoaded(let theme, let warning):
            s.theme = theme
            s.status = warning.map { StatusMessage($0, isError: true) } ?? StatusMessage("Theme \(theme.name)")
            return []
        case .failed(let operation, let message, let problems):
            s.login.isBusy = false
            if case .configForm(var form)? = s.overlay {
                form.banner = problems.isEmpty ? [message] : problems
                s.overlay = .configForm(form)
                return []
            }
            if problems.count > 1 {
                s.overlay = .problems(title: operation, lines: problems)
            } else {
                if case .confirm? = s.overlay { s.overlay = nil }
                s.status = StatusMessage("\(operation): \(message)", isError: true)
            }
            return []
        }
    }

    // MARK: Data

    static func mainLoaded(_ s: inout AppState, _ data: MainData) -> [AppEffect] {
        let before = s.selectedJob?.ref
        s.data = data
        s.isLoaded = true
        for pane in [Pane.teams, .fabrics, .projects, .jobs] { refilter(&s, pane) }
        if let ref = s.openAfterLoad {
            s.openAfterLoad = nil
            if let i = s.data.jobs.firstIndex(where: { $0.ref == ref }) {
                var l = s.list(.jobs)
                l.filter = ""
                s.fabricScope = nil
                s.lists[.jobs] = l
                refilter(&s, .jobs)
                if let at = s.list(.jobs).visible.firstIndex(of: i) { s.lists[.jobs]?.selected = at }
                s.pane = .jobs
                s.routes = [.jobDetail(JobDetailState(ref: ref))]
            }
        }
        if s.selectedJob?.ref != before || s.runsFor == nil { return selectionChanged(&s) }
        if let ref = s.selectedJob?.ref { return [.loadRuns(ref: ref)] }
        return []
    }

    /// Recomputes a pane's visible rows after its data or filter changed.
    static func refilter(_ s: inout AppState, _ pane: Pane, narrowing: Bool = false) {
        var l = s.list(pane)
        let texts = s.searchTexts(pane)
        if pane == .jobs, let scope = s.fabricScope {
            let jobs = s.data.jobs
            l.refilter(texts, narrowing: narrowing) { jobs[$0].record.job.fabric == scope }
        } else {
            l.refilter(texts, narrowing: narrowing)
        }
        s.lists[pane] = l
    }

    /// After the jobs selection moved: load the new job's runs (or say why they are hidden).
    static func selectionChanged(_ s: inout AppState) -> [AppEffect] {
        guard let job = s.selectedJob else {
            s.runs = []
            s.runsFor = nil
            s.runsHidden = nil
            refilter(&s, .runs)
            return []
        }
        if s.runsFor == job.ref { return [] }
        if let reason = Availability.denial(s, .readRuns, job) {
            s.runs = []
            s.runsFor = job.ref
            s.runsHidden = reason
            refilter(&s, .runs)
            return []
        }
        s.runsHidden = nil
        return [.loadRuns(ref: job.ref)]
    }

    static func runEvent(_ s: inout AppState, _ event: RunEvent) -> [AppEffect] {
        let id = event.runID
        guard var view = s.runViews[id] else { return [] }
        view.apply(event)
        s.runViews[id] = view
        switch event {
        case .taskLog(_, let task, let line):
            if let last = s.routes.indices.last, case .log(var log) = s.routes[last], log.runID == id, log.task == task {
                log.lines.append(line)
                if log.follow { log.scroll = max(0, log.lines.count - logPageHeight(s)) }
                if !log.search.isEmpty, line.lowercased().contains(log.search.lowercased()) { log.matches.append(log.lines.count - 1) }
                s.routes[last] = .log(log)
            }
        case .runFinished(_, let state, let at, _):
            s.now = max(s.now, at)
            s.status = StatusMessage("Run \(id) of \(view.run.job) finished: \(state.rawValue)", isError: state != .success)
            var effects: [AppEffect] = [.loadMain]
            if !s.hasLiveRun && s.isTicking {
                s.isTicking = false
                effects.append(.stopTicking)
            }
            s.runsFor = nil
            return effects
        case .taskStarted(_, _, _, let at), .runStarted(_, let at), .taskFinished(_, _, _, _, let at, _):
            s.now = max(s.now, at)
        default: break
        }
        return []
    }

    static func startTickingIfNeeded(_ s: inout AppState) -> [AppEffect] {
        guard s.hasLiveRun, !s.isTicking else { return [] }
        s.isTicking = true
        return [.startTicking]
    }

    /// Applies a change to the release screen of `project`/`version`, wherever it is on the stack.
    static func updateRelease(_ s: inout AppState, _ project: String, _ version: String, _ body: (inout ReleaseProgressState) -> Void) {
        for i in s.routes.indices.reversed() {
            if case .release(var r) = s.routes[i], r.project == project, r.version == version {
                body(&r)
                s.routes[i] = .release(r)
                return
            }
        }
    }

    /// Rows of the release screen's log.
    static func releasePageHeight(_ s: AppState) -> Int { max(1, s.size.height - 13) }

    /// Rows of the log screen's text area.
    static func logPageHeight(_ s: AppState) -> Int { max(1, s.size.height - 4) }

    /// Rows of the main screen's jobs pane (for PgUp/PgDn).
    static func pageHeight(_ s: AppState) -> Int { max(1, s.size.height / 3) }

    // MARK: Saving

    /// Saves a configuration form (asking for the fabric's name first on production).
    static func requestSave(_ s: inout AppState, _ form: ConfigFormState) -> [AppEffect] {
        if !form.problems.isEmpty {
            var f = form
            f.banner = form.problems
            s.overlay = .configForm(f)
            return []
        }
        let change = form.change()
        if change.assignments.isEmpty && change.unset.isEmpty && change.instance == nil {
            s.overlay = nil
            s.status = StatusMessage("Nothing changed in task \(form.task)")
            return []
        }
        var lines = ["Task \(form.task) of \(form.jobName) on fabric \(form.fabric.name):"]
        if let i = change.instance { lines.append("  instance → \(i)") }
        lines += change.assignments.map { "  set \($0)" }
        lines += change.unset.map { "  unset \($0)" }
        if form.fabric.isProduction {
            s.overlay = .confirm(
                ConfirmState(
                    title: "Change a production job", body: lines, typed: form.fabric.name, action: .saveConfig(change), isProduction: true))
            return []
        }
        return [.saveConfig(change)]
    }
}
