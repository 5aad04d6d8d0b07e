import Foundation
import TerminalUI
import WeftDomain

/// The detail pane of the main screen: the selection of the focused pane.
enum DetailView {
    static func render(_ s: AppState, _ area: Rect, _ frame: inout Frame) {
        let t = s.theme
        var production = false
        var lines: [Line] = []
        func kv(_ k: String, _ v: String, _ style: Style = .plain) {
            lines.append(Line([Span(k.padding(toLength: 10, withPad: " ", startingAt: 0), style: t[.muted]), Span(v, style: style)]))
        }
        switch s.pane {
        case .teams:
            if let team = s.selectedTeam {
                lines.append(Line(team.name, style: t[.title]))
                kv("members", team.members.isEmpty ? "—" : team.members.joined(separator: ", "))
                kv("includes", team.includes.isEmpty ? "—" : team.includes.joined(separator: ", "))
                let owned = s.data.fabrics.filter { $0.fabric.ownerTeam == team.name }.map(\.fabric.name)
                kv("fabrics", owned.isEmpty ? "—" : owned.joined(separator: ", "))
                let projects = s.data.allProjects.filter { $0.ownerTeam == team.name }.map(\.name)
                kv("projects", projects.isEmpty ? "—" : projects.joined(separator: ", "))
            }
        case .fabrics:
            if let row = s.selectedFabric {
                let f = row.fabric
                production = f.isProduction
                lines.append(Line(f.name + (f.isProduction ? "  PRODUCTION" : ""), style: f.isProduction ? t[.production] : t[.title]))
                kv("stage", f.stage.rawValue, f.isProduction ? t[.production] : .plain)
                kv("kind", f.kind.rawValue)
                kv("owner", "team \(f.ownerTeam)")
                kv("slots", "\(f.slots)")
                kv("jobs", "\(row.jobCount)")
                if let p = s.principal, let denial = PermissionPolicy.check(p, .viewFabricSettings, .fabric(f)) {
                    lines.append(Line(""))
                    lines.append(Line("settings hidden: \(denial.description)", style: t[.muted]))
                } else {
                    for (k, v) in f.settings.sorted(by: { $0.key < $1.key }) { kv(k, v) }
                    kv("secrets", f.secretNames.isEmpty ? "—" : f.secretNames.joined(separator: ", ") + " (values never shown)")
                }
                lines.append(Line(""))
                lines.append(Line("Enter: show only its jobs", style: t[.muted]))
            }
        case .projects:
            if let p = s.selectedProject {
                lines.append(Line(p.name, style: t[.title]))
                kv("owner", "team \(p.ownerTeam)")
                if !p.description.isEmpty { lines.append(Line(p.description)) }
                kv("jobs", "\(s.data.jobs.filter { $0.record.project == p.name }.count)")
            }
        case .jobs, .runs:
            if s.pane == .runs, let run = s.selectedRun {
                lines.append(Line("run \(run.id)", style: t[.title]))
                kv("job", run.job)
                kv("fabric", run.fabric)
                kv("state", Format.symbol(run.state), t.style(for: run.state))
                kv("trigger", run.trigger.rawValue)
                kv("who", run.user)
                kv("queued", Format.dateTime(run.queuedAt, s.timeZone))
                kv("started", Format.dateTime(run.startedAt, s.timeZone))
                kv("finished", Format.dateTime(run.finishedAt, s.timeZone))
                kv("took", Format.duration(run.duration(now: s.now)))
                kv("commit", String(run.commit.prefix(12)))
                if let m = run.message { lines.append(Line(m, style: t[.muted])) }
            } else if let job = s.selectedJob {
                production = s.data.fabric(job.record.job.fabric)?.isProduction ?? false
                lines += jobSummary(s, job)
            }
        }
        let block = AppView.block("Detail", t, focused: false, production: production)
        frame.render(block, in: area)
        frame.render(Paragraph(Text(lines), style: t[.text], wrap: .word), in: block.inner(area))
    }

    /// A job's summary: where it runs, schedule, based_on, tasks, and what the user may do with it.
    static func jobSummary(_ s: AppState, _ job: JobRow) -> [Line] {
        let t = s.theme
        let j = job.record.job
        let isProd = s.data.fabric(j.fabric)?.isProduction ?? false
        var lines: [Line] = [Line(j.name, style: t[.title])]
        func kv(_ k: String, _ v: String, _ style: Style = .plain) {
            lines.append(Line([Span(k.padding(toLength: 10, withPad: " ", startingAt: 0), style: t[.muted]), Span(v, style: style)]))
        }
        kv("project", job.record.project)
        kv("fabric", j.fabric + (isProd ? " (production)" : ""), isProd ? t[.production] : .plain)
        kv("enabled", j.enabled ? "yes" : "no", j.enabled ? t[.success] : t[.muted])
        kv("schedule", j.schedule.map { "\($0.cron) (\($0.timezone))" } ?? "—")
        kv("next fire", Format.dateTime(job.nextFire, s.timeZone))
        if let b = j.basedOn { kv("based on", "\(b.job) @ \(b.commit.prefix(8))") }
        if let d = job.deployed {
            kv("release", "\(d.version) @ \(d.commit.prefix(8))" + (d.jobChanged ? " · job changed at HEAD" : d.headLater ? " · HEAD is later" : ""), d.jobChanged || d.headLater ? t[.changed] : .plain)
        } else {
            kv("release", j.enabled && j.schedule != nil ? "none — the schedule waits for a release (R)" : "none deployed", j.enabled && j.schedule != nil ? t[.warning] : t[.muted])
        }
        kv("tasks", TaskGraph.topologicalOrder(j.tasks).joined(separator: " → "))
        lines.append(Line(""))
        let checks: [(String, Action)] = [("run", .runJob), ("edit", .editJob), (j.enabled ? "disable" : "enable", j.enabled ? .disableJob : .enableJob)]
        for (label, action) in checks {
            if let reason = Availability.denial(s, action, job) {
                lines.append(Line("✗ \(label): \(reason)", style: t[.muted]))
            } else {
                lines.append(Line("✓ \(label)", style: t[.success]))
            }
        }
        return lines
    }
}
