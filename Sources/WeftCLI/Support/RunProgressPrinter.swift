import Foundation
import WeftDomain

/// Draws a run's progress in the terminal: per-task bars with state, elapsed time and ETA (redrawn in place on a
/// TTY; one line per change otherwise), then a summary.
final class RunProgressPrinter {
    private var run: RunRecord?
    private var tasks: [String: TaskRunRecord] = [:]
    private var order: [String]
    private let estimator: RunEstimator
    private let tty: Bool
    private let color: Bool
    private var drawnLines = 0
    private var lastProgress: [String: Int] = [:]

    init(order: [String], estimator: RunEstimator) {
        self.order = order
        self.estimator = estimator
        tty = isatty(1) == 1
        color = tty && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    var finalState: RunState? { run.flatMap { $0.state.isFinished ? $0.state : nil } }

    func handle(_ event: RunEvent) {
        let now = Date()
        switch event {
        case .snapshot(let r, let ts):
            run = r
            for t in ts { tasks[t.key] = t }
            if order.isEmpty { order = ts.map(\.key) }
        case .runQueued: break
        case .runStarted(_, let at):
            run?.state = .running
            run?.startedAt = at
            if !tty { line("run \(run?.id ?? "") started") }
        case .taskStarted(_, let key, let attempt, let at):
            tasks[key, default: TaskRunRecord(runID: run?.id ?? "", key: key, state: .running)].state = .running
            tasks[key]?.startedAt = at
            tasks[key]?.attempt = attempt
            tasks[key]?.progress = nil
            if !tty { line("\(key): started" + (attempt > 1 ? " (attempt \(attempt))" : "")) }
        case .taskProgress(_, let key, let fraction, let message):
            tasks[key]?.progress = fraction
            tasks[key]?.progressMessage = message
            let pct = Int(fraction * 100)
            if !tty && lastProgress[key] != pct {
                lastProgress[key] = pct
                line("\(key): \(pct)%" + (message.map { " \($0)" } ?? ""))
            }
        case .taskLog: return
        case .taskRetrying(_, let key, let attempt, let delay, let reason):
            tasks[key]?.state = .retrying
            if !tty { line("\(key): retrying (attempt \(attempt + 1) in \(String(format: "%.1f", delay)) s): \(reason)") }
        case .taskFinished(_, let key, let state, let code, let at, let message):
            tasks[key]?.state = state
            tasks[key]?.finishedAt = at
            tasks[key]?.exitCode = code
            tasks[key]?.message = message
            if state == .success { tasks[key]?.progress = 1 }
            if !tty { line("\(key): \(state.rawValue)" + (code.map { " (exit \($0))" } ?? "") + (message.map { " — \($0)" } ?? "")) }
        case .runFinished(_, let state, let at, let message):
            run?.state = state
            run?.finishedAt = at
            run?.message = message
        }
        if tty { redraw(now: now) }
    }

    private func line(_ s: String) {
        print(s)
        fflush(nil)
    }

    private func redraw(now: Date) {
        var out = ""
        if drawnLines > 0 { out += "\u{1B}[\(drawnLines)A" }
        var lines: [String] = []
        // Names and messages came from the job and its tasks: control characters shown, never sent to the terminal.
        let width = (order.map { TerminalText.field($0).count }.max() ?? 4) + 1
        for key in order {
            guard let t = tasks[key] else { continue }
            let fraction = t.state == .success ? 1 : (t.progress ?? 0)
            let bar = Self.bar(fraction, width: 24)
            let elapsed = t.startedAt.map { Self.duration((t.finishedAt ?? now).timeIntervalSince($0)) } ?? ""
            var eta = ""
            if t.state == .running, let left = estimator.remaining(task: t, now: now) { eta = "ETA " + Self.duration(left) }
            let state = paint(t.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), Self.colorCode(t.state))
            let msg = TerminalText.field(t.state.isFinished ? (t.message ?? "") : (t.progressMessage ?? ""))
            lines.append(
                "\(TerminalText.field(key).padding(toLength: width, withPad: " ", startingAt: 0)) \(paint(bar, Self.colorCode(t.state))) \(String(format: "%3d%%", Int(fraction * 100))) \(state) \(elapsed.padding(toLength: 7, withPad: " ", startingAt: 0)) \(eta.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(msg.prefix(40)))"
            )
        }
        if let r = run {
            var s = TerminalText.field("run \(r.id) \(r.job) on \(r.fabric): \(r.state.rawValue)")
            if let d = r.duration(now: now) { s += " \(Self.duration(d))" }
            if !r.state.isFinished, let left = estimator.remaining(run: r, tasks: Array(tasks.values), now: now) { s += " · ETA \(Self.duration(left))" }
            lines.append(s)
        }
        for l in lines { out += "\u{1B}[2K" + l + "\n" }
        drawnLines = lines.count
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    private func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    static func colorCode(_ s: TaskState) -> String {
        switch s {
        case .success: return "32"
        case .failed, .orphaned: return "31"
        case .running: return "36"
        case .retrying: return "33"
        case .skipped, .cancelled: return "90"
        case .pending: return "37"
        }
    }

    static func bar(_ fraction: Double, width: Int) -> String {
        let f = max(0, min(1, fraction)) * Double(width)
        let full = Int(f)
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        let part = partials[Int((f - Double(full)) * 8) % 8]
        let used = full + (part.isEmpty ? 0 : 1)
        return String(repeating: "█", count: full) + part + String(repeating: "░", count: max(0, width - used))
    }

    static func duration(_ t: TimeInterval) -> String {
        if t < 10 {
            // One decimal without `String(format:)` (a CVarArg cast and a conformance scan on first use).
            let tenths = Int((max(0, t) * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)s"
        }
        if t < 60 { return "\(Int(t))s" }
        if t < 3600 { return "\(Int(t) / 60)m\(Int(t) % 60)s" }
        return "\(Int(t) / 3600)h\(Int(t) % 3600 / 60)m"
    }

    /// The final summary lines.
    func summary() -> String {
        guard let r = run else { return "" }
        var s = "run \(r.id) of \(r.project)/\(r.job) on \(r.fabric): \(r.state.rawValue)"
        if let d = r.duration() { s += " in \(Self.duration(d))" }
        if let m = r.message, !m.isEmpty { s += " — \(m)" }
        let failed = order.compactMap { tasks[$0] }.filter { $0.state == .failed || $0.state == .orphaned }
        for t in failed { s += "\n  task \(t.key) \(t.state.rawValue)" + (t.message.map { ": \($0)" } ?? "") }
        return s
    }
}
