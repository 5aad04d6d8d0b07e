import Foundation
import Testing
import WeftDomain

@Suite("RunEstimator and ProgressLine")
struct RunEstimatorTests {
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    @Test func remainingFromHistoryAndProgress() {
        let e = RunEstimator(runDurations: [100, 120, 110], taskDurations: ["a": [10, 30, 20], "b": [60]])
        #expect(e.typicalRun == 110)
        #expect(e.typicalTask["a"] == 20)
        let running = TaskRunRecord(runID: "r", key: "a", state: .running, attempt: 1, startedAt: t0)
        #expect(e.remaining(task: running, now: t0.addingTimeInterval(5)) == 15)
        #expect(e.remaining(task: running, now: t0.addingTimeInterval(50)) == 0)
        var withProgress = running
        withProgress.progress = 0.5
        // From progress: 5 s more; from history: 15 s more; the estimate is their mean.
        #expect(e.remaining(task: withProgress, now: t0.addingTimeInterval(5)) == 10)
        let pending = TaskRunRecord(runID: "r", key: "b", state: .pending)
        #expect(e.remaining(task: pending) == 60)
        let unknown = TaskRunRecord(runID: "r", key: "zzz", state: .running, attempt: 1, startedAt: t0)
        #expect(e.remaining(task: unknown, now: t0) == nil)
        let run = RunRecord(
            id: "r", project: "p", job: "j", fabric: "f", state: .running, trigger: .manual, user: "u", commit: "c",
            queuedAt: t0, startedAt: t0)
        #expect(e.remaining(run: run, tasks: [running, pending], now: t0.addingTimeInterval(10)) == 100)
        let noHistory = RunEstimator(runDurations: [], taskDurations: ["a": [20], "b": [60]])
        #expect(noHistory.remaining(run: run, tasks: [running, pending], now: t0.addingTimeInterval(5)) == 75)
    }

    @Test(arguments: [
        ("::progress 0.42 loading rows", 0.42, "loading rows"),
        ("::progress 1", 1.0, nil),
        ("::progress 7 too much", 1.0, "too much"),
        ("::progress -1", 0.0, nil),
    ] as [(String, Double, String?)])
    func progressLines(line: String, fraction: Double, message: String?) {
        #expect(ProgressLine.parse(line) == ProgressLine(fraction: fraction, message: message))
    }

    @Test func notProgressLines() {
        for line in ["progress 0.5", "::progress", "::progress abc", "::progress nan", " ::progress 0.5"] {
            #expect(ProgressLine.parse(line) == nil, "\(line)")
        }
    }
}
