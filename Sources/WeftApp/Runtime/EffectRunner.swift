import Foundation
import WeftDomain
import WeftEngine
import WeftStore

/// Executes one-shot effects against the workspace and the run service, off the main thread.
public struct EffectRunner: Sendable {
    /// The workspace.
    public let workspace: Workspace
    /// The run service: the only way the TUI starts, watches and cancels runs and reads their logs.
    public let runs: RunService
    /// Where themes come from.
    public let themes: ThemeCatalog
    /// Releases (over the run service's drivers).
    public let releases: ReleaseService

    /// Creates a runner.
    public init(workspace: Workspace, runs: RunService, themes: ThemeCatalog) {
        self.workspace = workspace
        self.runs = runs
        self.themes = themes
        self.releases = ReleaseService(workspace: workspace, drivers: runs.drivers)
    }

    /// A failure message for an error: the domain's typed message, its problems listed.
    public static func failure(_ operation: String, _ error: any Error) -> AppMessage {
        if let e = error as? WeftError {
            if case .invalid(let problems) = e, problems.count > 1 {
                return .failed(operation: operation, message: e.description, problems: problems.map(\.description))
            }
            return .failed(operation: operation, message: e.description, problems: [])
        }
        return .failed(operation: operation, message: "\(error)", problems: [])
    }

    /// An error as one message: the domain's text, its problems one per line.
    static func message(_ error: any Error) -> String {
        guard let e = error as? WeftError else { return "\(error)" }
        if case .invalid(let problems) = e, problems.count > 1 { return problems.map(\.description).joined(separator: "\n") }
        return e.description
    }

    /// The release dialog's view of a dry run.
    static func preview(_ o: ReleaseOutcome) -> ReleasePreview {
        var lines = o.skipped
        for plan in o.plans {
            lines += plan.rendered
            if !o.toApply.contains(plan.fabric.name) { lines.append("  fabric \(plan.fabric.name) holds release \(o.version) already: nothing to do") }
        }
        let applying = o.plans.filter { o.toApply.contains($0.fabric.name) }
        return ReleasePreview(
            version: o.version, commit: o.commit, existing: o.existing, lines: lines, toApply: o.toApply,
            production: applying.filter { $0.fabric.isProduction }.map(\.fabric.name), confirmed: applying)
    }

    /// Releases, posting each step's lines, then the end.
    public func release(_ p: Principal, project: String, version: String, confirmed: [DeploymentPlan], post: @escaping @Sendable (AppMessage) -> Void) async {
        do {
            let outcome = try await releases.release(p, ReleaseRequest(project: project, version: version, confirmed: confirmed)) { event in
                guard event.step != .plan && event.step != .validate else { return }
                post(.releaseProgress(project: project, version: version, ReleaseLogLine(step: event.step.rawValue, fabric: event.fabric, text: event.line)))
            }
            let deployed = outcome.deployments.map(\.fabric)
            post(
                .releaseFinished(
                    project: project, version: version, error: nil,
                    summary: "Released \(project)/\(version) at \(outcome.commit.prefix(10)): "
                        + (deployed.isEmpty ? "every fabric holds it already" : "deployed to \(deployed.joined(separator: ", "))")))
        } catch {
            post(.releaseFinished(project: project, version: version, error: Self.message(error), summary: "Release \(project)/\(version) stopped"))
        }
    }

    /// Runs a one-shot effect and returns the messages to post. Streaming effects go through `RunStreams`.
    public func run(_ effect: AppEffect, principal: Principal?) async -> [AppMessage] {
        let ws = workspace
        switch effect {
        case .login(let user, let password):
            do {
                return [.loggedIn(try ws.login(user: user, password: password))]
            } catch let e as WeftError {
                return [.loginFailed(e.description)]
            } catch {
                return [.loginFailed("\(error)")]
            }
        case .loadTheme(let name):
            let (theme, warning) = themes.load(name)
            return [.themeLoaded(theme, warning: warning)]
        default:
            break
        }
        guard let p = principal else { return [.failed(operation: "Weft", message: "not logged in", problems: [])] }
        switch effect {
        case .loadMain:
            do { return [.mainLoaded(try MainDataLoader.load(ws, p))] } catch { return [Self.failure("Loading", error)] }
        case .loadRuns(let ref):
            do {
                return [.runsLoaded(ref: ref, runs: try runs.list(p, RunQuery(job: ref, limit: 100)), hidden: nil)]
            } catch let e as WeftError {
                if case .permissionDenied = e { return [.runsLoaded(ref: ref, runs: [], hidden: e.description)] }
                return [Self.failure("Runs of \(ref)", e)]
            } catch {
                return [Self.failure("Runs of \(ref)", error)]
            }
        case .planDuplicate(let source, let fabric, let name):
            do {
                let (src, plan) = try ws.planDuplicate(p, source, fabric: fabric, name: name)
                let target = try ws.fabric(fabric)
                let mapped = plan.mapped.keys.sorted().map { k in "\(k): \(plan.mapped[k]?.from ?? "none") → \(plan.mapped[k]?.to ?? "?")" }
                _ = src
                return [
                    .duplicatePlanned(
                        DuplicatePreview(
                            fabric: fabric, isProduction: target.isProduction, name: plan.job.name, mapped: mapped, unmapped: plan.unmapped,
                            tasks: plan.job.tasks.map(\.key)))
                ]
            } catch {
                return [.duplicatePlanFailed((error as? WeftError)?.description ?? "\(error)")]
            }
        case .duplicate(let source, let fabric, let name):
            do { return [.duplicated(try ws.duplicateJob(p, source, fabric: fabric, name: name).record)] } catch { return [Self.failure("Duplicate", error)] }
        case .loadConfigForm(let ref, let task):
            do {
                let record = try ws.job(p, ref)
                guard let t = record.job.task(task), case .pipeline(let name, let config, let overrides) = t.action else {
                    throw WeftError.invalid("task '\(task)' has no pipeline configuration")
                }
                guard let pipeline = try ws.pipelines(project: record.project)[name] else {
                    throw WeftError.notFound(kind: "pipeline", name: name, hint: "the task names a pipeline the project does not have")
                }
                let fabric = try ws.fabric(record.job.fabric)
                return [
                    .configFormLoaded(
                        ConfigFormState(
                            ref: ref, task: task, jobName: record.job.name, fabric: fabric, pipeline: pipeline, blob: record.blob, instance: config,
                            overrides: overrides))
                ]
            } catch {
                return [Self.failure("Configure \(task)", error)]
            }
        case .saveConfig(let c):
            do {
                let record = try ws.configureTask(
                    p, c.ref, task: c.task, instance: c.instance, assignments: c.assignments, unset: c.unset, expectedBlob: c.blob)
                return [.configSaved(record)]
            } catch {
                return [Self.failure("Save configuration of \(c.task)", error)]
            }
        case .setEnabled(let ref, let enabled, let blob):
            do {
                return [.enabledChanged(try ws.setEnabled(p, ref, enabled: enabled, expectedBlob: blob))]
            } catch {
                return [Self.failure("\(enabled ? "Enable" : "Disable") \(ref)", error)]
            }
        case .cancelRun(let id):
            do {
                try await runs.cancel(p, runID: id)
                return []
            } catch {
                return [Self.failure("Cancel \(id)", error)]
            }
        case .loadLog(let id, let task):
            do { return [.logLoaded(runID: id, task: task, lines: try runs.logTail(p, runID: id, task: task, limit: 20_000))] } catch { return [Self.failure("Log of \(task)", error)] }
        case .loadDiff(let ref):
            do {
                let (left, right, differences) = try ws.diff(p, ref)
                return [.diffLoaded(DiffState(left: left, right: right, differences: differences))]
            } catch {
                return [Self.failure("Diff", error)]
            }
        case .loadReleaseInfo(let project):
            do {
                return [.releaseInfoLoaded(project: project, last: try releases.releases(p, project: project).first?.version)]
            } catch {
                return [.releasePlanFailed(project: project, version: "", message: (error as? WeftError)?.description ?? "\(error)")]
            }
        case .planRelease(let project, let version):
            do {
                let outcome = try await releases.release(p, ReleaseRequest(project: project, version: version, dryRun: true))
                return [.releasePlanned(project: project, preview: Self.preview(outcome))]
            } catch {
                return [.releasePlanFailed(project: project, version: version, message: Self.message(error))]
            }
        case .planPromote(let ref):
            do {
                let (target, plan) = try ws.planPromotion(p, ref)
                let fabric = try ws.fabric(target.job.fabric)
                return [
                    .promotePlanned(
                        ref: ref, lines: plan.lines, isEmpty: plan.isEmpty, fabric: fabric.name, isProduction: fabric.isProduction,
                        blocked: !plan.unresolved.isEmpty || !plan.problems.isEmpty)
                ]
            } catch {
                return [Self.failure("Promote into \(ref)", error)]
            }
        case .promote(let ref, let lines):
            do {
                let (target, plan) = try ws.planPromotion(p, ref)
                guard plan.lines == lines else {
                    throw WeftError.conflict("the promotion plan of \(ref) changed since you confirmed it; nothing was changed — press p again to see the new plan")
                }
                let record = try ws.promote(p, target: target, plan: plan)
                return [.promoted(record, summary: "Promoted \(plan.source) into \(record.job.name): \(plan.summary); based_on is now \(plan.basedOn.commit.prefix(10))")]
            } catch {
                return [Self.failure("Promote into \(ref)", error)]
            }
        case .loadAudit:
            do { return [.auditLoaded(try ws.auditEvents(p, limit: 1000))] } catch { return [Self.failure("Audit", error)] }
        case .login, .loadTheme, .startRun, .openRun, .editInEditor, .startTicking, .stopTicking, .quit, .release:
            return []
        }
    }
}
