import Foundation
import WeftDomain
import WeftStore

/// Follows a run owned by another process (e.g. `weft runs logs RUN --follow`, or the TUI watching a run that
/// `weft run` or `weft scheduler` owns): polls the run's rows with backoff and tails its task log files, and
/// emits only what changed, as the same `RunEvent`s a local watcher gets (`.snapshot` first). If the owner dies
/// meanwhile, the run is recovered and the stream ends with its `failed` state.
public struct RunFollower: Sendable {
    /// The metastore the owner writes the run to (this process's own connection).
    public let metastore: Metastore
    /// The run followed.
    public let runID: String
    /// The run's log directory (`<task>.log` files); nil: no log lines.
    public let logDirectory: String?
    /// Fastest polling interval (seconds), used right after a change.
    public var minInterval: TimeInterval
    /// Slowest polling interval (seconds); the interval grows towards it while nothing changes.
    public var maxInterval: TimeInterval
    /// At most this many bytes of each log's existing content are replayed when following starts.
    public var replayBytes: Int

    /// A follower of `runID`; nothing is read until `events()` is iterated.
    public init(
        metastore: Metastore, runID: String, logDirectory: String?, minInterval: TimeInterval = 0.05,
        maxInterval: TimeInterval = 1, replayBytes: Int = 16 * 1024
    ) {
        self.metastore = metastore
        self.runID = runID
        self.logDirectory = logDirectory
        self.minInterval = minInterval
        self.maxInterval = maxInterval
        self.replayBytes = replayBytes
    }

    /// The run's events until it finishes. Ends with `WeftError.notFound` for an unknown run.
    public func events() -> AsyncThrowingStream<RunEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<RunEvent, any Error>.makeStream()
        let me = self
        let task = Task {
            do {
                try await me.follow { continuation.yield($0) }
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func follow(_ emit: (RunEvent) -> Void) async throws {
        guard var (run, tasks) = try metastore.runWithTasks(id: runID) else {
            throw WeftError.notFound(kind: "run", name: runID, hint: "list runs with `weft runs list`")
        }
        emit(.snapshot(run, tasks))
        var tails: [String: LogTail] = [:]
        if let dir = logDirectory {
            for t in tasks {
                var tail = LogTail(path: (dir as NSString).appendingPathComponent("\(t.key).log"))
                tail.skipToLast(replayBytes)
                tails[t.key] = tail
            }
        }
        func drainLogs() -> Bool {
            var any = false
            for key in tasks.map(\.key) {
                guard var tail = tails[key] else { continue }
                for line in tail.readLines() {
                    emit(.taskLog(runID: runID, task: key, line: line))
                    any = true
                }
                tails[key] = tail
            }
            return any
        }
        _ = drainLogs()
        if run.state.isFinished { return }
        var interval = minInterval
        var polls = 0
        while true {
            try await Task.sleep(for: .seconds(interval))
            polls += 1
            var changed = drainLogs()
            guard let (newRun, newTasks) = try metastore.runWithTasks(id: runID) else { return }
            let oldByKey = Dictionary(tasks.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            if run.state == .queued && newRun.state != .queued, let s = newRun.startedAt {
                emit(.runStarted(runID: runID, at: s))
                changed = true
            }
            for t in newTasks {
                let old = oldByKey[t.key]
                if old == t { continue }
                changed = true
                for e in Self.diff(old: old, new: t) { emit(e) }
            }
            run = newRun
            tasks = newTasks
            if newRun.state.isFinished {
                _ = drainLogs()
                emit(.runFinished(runID: runID, state: newRun.state, at: newRun.finishedAt ?? Date(), message: newRun.message))
                return
            }
            // Every few quiet polls, make sure the owner is still alive; recover the run if not.
            if !changed && polls % 10 == 0 {
                if let u = try metastore.unfinishedRuns().first(where: { $0.id == runID }),
                    !(u.owner.map(ProcessIdentity.isAlive) ?? false)
                {
                    try RunRecovery.recover(metastore: metastore)
                    interval = minInterval
                    continue
                }
            }
            interval = changed ? minInterval : min(maxInterval, interval * 1.5)
        }
    }

    /// The events that explain a task's change from `old` to `new`.
    static func diff(old: TaskRunRecord?, new t: TaskRunRecord) -> [RunEvent] {
        var out: [RunEvent] = []
        let runID = t.runID
        if t.attempt != old?.attempt, t.attempt > 0, t.state == .running || t.state.isFinished || t.state == .retrying,
            let s = t.startedAt
        {
            out.append(.taskStarted(runID: runID, task: t.key, attempt: t.attempt, at: s))
        }
        if let p = t.progress, p != old?.progress || t.progressMessage != old?.progressMessage, !t.state.isFinished {
            out.append(.taskProgress(runID: runID, task: t.key, fraction: p, message: t.progressMessage))
        }
        if t.state == .retrying && old?.state != .retrying {
            out.append(
                .taskRetrying(runID: runID, task: t.key, attempt: t.attempt + 1, delay: 0, reason: t.message ?? "failed"))
        }
        if t.state.isFinished && old?.state != t.state {
            out.append(
                .taskFinished(
                    runID: runID, task: t.key, state: t.state, exitCode: t.exitCode, at: t.finishedAt ?? Date(),
                    message: t.message))
        }
        return out
    }
}

/// Reads complete lines appended to a file since the last read.
struct LogTail {
    let path: String
    private var offset: UInt64 = 0
    private var partial: [UInt8] = []

    init(path: String) { self.path = path }

    /// Starts at most `bytes` before the end, at a line start.
    mutating func skipToLast(_ bytes: Int) {
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attrs[.size] as? NSNumber)?.uint64Value, size > UInt64(bytes)
        else { return }
        offset = size - UInt64(bytes)
        // Drop the first (probably cut) line.
        _ = readLines()
        partial.removeAll()
    }

    mutating func readLines() -> [String] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        do {
            try h.seek(toOffset: offset)
            guard let data = try h.readToEnd(), !data.isEmpty else { return [] }
            offset += UInt64(data.count)
            partial.append(contentsOf: data)
        } catch { return [] }
        var lines: [String] = []
        var start = 0
        for i in partial.indices where partial[i] == 0x0A {
            lines.append(String(decoding: partial[start..<i], as: UTF8.self))
            start = i + 1
        }
        partial.removeFirst(start)
        return lines
    }
}
