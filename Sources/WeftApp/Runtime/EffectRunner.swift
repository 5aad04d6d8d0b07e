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

    /// Creates a runner.
    public init(workspace: Workspace, runs: RunService, themes: ThemeCatalog) {
        self.workspace = workspace
        self.runs = runs
        self.themes = themes
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
        case .loadAudit:
            do { return [.auditLoaded(try ws.auditEvents(p, limit: 1000))] } catch { return [Self.failure("Audit", error)] }
        case .login, .loadTheme, .startRun, .openRun, .editInEditor, .startTicking, .stopTicking, .quit:
            return []
        }
    }
}
