import Foundation

/// Estimates the time left of a running task and run from past successful durations (pure; the TUI and CLI use it).
public struct RunEstimator: Sendable, Hashable {
    /// Typical (median) past duration per task key.
    public var typicalTask: [String: TimeInterval]
    /// Typical (median) past duration of the whole run, if known.
    public var typicalRun: TimeInterval?

    /// Builds an estimator from past durations (any order).
    public init(runDurations: [TimeInterval], taskDurations: [String: [TimeInterval]]) {
        typicalRun = Self.median(runDurations)
        var t: [String: TimeInterval] = [:]
        for (k, v) in taskDurations { if let m = Self.median(v) { t[k] = m } }
        typicalTask = t
    }

    /// Seconds left for a task: from reported progress when there is some, else from its typical duration;
    /// nil when nothing is known. 0 for finished tasks.
    public func remaining(task: TaskRunRecord, now: Date = Date()) -> TimeInterval? {
        if task.state.isFinished { return 0 }
        let typical = typicalTask[task.key]
        guard let started = task.startedAt, task.state == .running else { return typical }
        let elapsed = max(0, now.timeIntervalSince(started))
        if let p = task.progress, p >= 0.05, p < 1 {
            let fromProgress = elapsed / p - elapsed
            if let typical { return max(0, (fromProgress + max(0, typical - elapsed)) / 2) }
            return max(0, fromProgress)
        }
        guard let typical else { return nil }
        return max(0, typical - elapsed)
    }

    /// Seconds left for a run: the longest remaining path through unfinished tasks is approximated by the
    /// typical run duration minus elapsed time, bounded below by the largest remaining time of a running task.
    /// nil when nothing is known.
    public func remaining(run: RunRecord, tasks: [TaskRunRecord], now: Date = Date()) -> TimeInterval? {
        if run.state.isFinished { return 0 }
        let taskLeft = tasks.compactMap { $0.state == .running ? remaining(task: $0, now: now) : nil }.max()
        guard let typicalRun else {
            // Sum of typical durations of tasks not yet started is an upper bound; use it when all are known.
            let notStarted = tasks.filter { $0.state == .pending || $0.state == .retrying }
            let known = notStarted.compactMap { typicalTask[$0.key] }
            guard known.count == notStarted.count else { return taskLeft }
            return (taskLeft ?? 0) + known.reduce(0, +)
        }
        let elapsed = run.startedAt.map { max(0, now.timeIntervalSince($0)) } ?? 0
        return max(taskLeft ?? 0, typicalRun - elapsed)
    }

    /// The median of a list, nil when empty.
    public static func median(_ values: [TimeInterval]) -> TimeInterval? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
