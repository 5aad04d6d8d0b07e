import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// SIGKILL the real `weft` during `job duplicate`, `job config` and `job enable|disable`: at each fault point of the
/// write path (`WEFT_FAULT`) and at seeded random delays. After every kill the workspace opens, git is clean, and the job
/// is wholly absent or wholly present at HEAD. Three lanes (one per command, each on its own workspace) run in parallel.
///
/// The next command runs immediately after the kill (nothing waits for the killed process's git children first):
/// git children die with Weft (`PR_SET_PDEATHSIG`), and the two `stop-git-*` fault points leave a git child stopped
/// mid-command, which would stay forever if it did not — after every trial no git may be left in the project.
///
/// Trials: each lane runs every fault point twice and `randomTrialsPerLane` random delays, 6 × 2 + 22 = 34, so the
/// three lanes make 102 kill trials (each lane test checks its own count).
@Suite struct CrashSafetyTests {
    static let faultPoints = ["after-journal", "after-write", "after-add", "after-commit", "stop-git-update-index", "stop-git-update-ref"]
    static let randomTrialsPerLane = 22

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seed: UInt64 = {
        if let s = ProcessInfo.processInfo.environment["WEFT_CRASH_SEED"], let v = UInt64(s) { return v }
        return UInt64.random(in: 1...UInt64(UInt32.max))
    }()

    enum Kill: CustomStringConvertible {
        case fault(String)
        case delay(Double)
        var description: String {
            switch self {
            case .fault(let p): return "fault \(p)"
            case .delay(let d): return String(format: "kill after %.1f ms", d * 1000)
            }
        }
    }

    /// One lane: `command(i)` gives the CLI arguments of trial i, the job path, and the job expected if the command completes.
    struct Lane {
        var name: String
        var cli: CLIWorkspace
        var ws: Workspace
        var bob: Principal
        /// For trial i: arguments, path of the job file, its content at HEAD before, the intended result.
        var prepare: (Int) throws -> (args: [String], path: String, before: Job?, intended: Job)
    }

    func makeLane(_ name: String) throws -> Lane {
        let cli = try CLIWorkspace()
        let ws = try Workspace.open(at: cli.root)
        let bob = try ws.principal(for: User(name: "bob"))
        try ws.startSession(bob)
        if name != "duplicate" {
            try ws.duplicateJob(bob, "customers_daily_development", fabric: "production")
        }
        let prodPath = "jobs/customers_daily_production.yaml"
        func atHEAD(_ path: String) throws -> Job? {
            try cli.fileAtHEAD(path).map { try ProjectFiles.decodeJob($0, file: path).job }
        }
        let prepare: (Int) throws -> (args: [String], path: String, before: Job?, intended: Job)
        switch name {
        case "duplicate":
            prepare = { i in
                let n = "dup_\(i)"
                let plan = try ws.planDuplicate(bob, "customers_daily_development", fabric: "production", name: n).plan
                return (["job", "duplicate", "customers_daily_development", "--fabric", "production", "--name", n], "jobs/\(n).yaml", nil, plan.job)
            }
        case "config":
            prepare = { i in
                let text = "0." + String(format: "%03d", i + 1)
                let before = try #require(try atHEAD(prodPath))
                var intended = before
                let idx = try #require(intended.tasks.firstIndex { $0.key == "ingest" })
                guard case .pipeline(let p, let c, var o) = intended.tasks[idx].action else { throw CLIError.noBinary }
                o["sample_rate"] = .double(try #require(Double(text)))
                intended.tasks[idx].action = .pipeline(name: p, config: c, overrides: o)
                return (["job", "config", "customers_daily_production", "--task", "ingest", "--set", "sample_rate=\(text)"], prodPath, before, intended)
            }
        default:
            prepare = { _ in
                let before = try #require(try atHEAD(prodPath))
                var intended = before
                intended.enabled.toggle()
                return (["job", intended.enabled ? "enable" : "disable", "customers_daily_production"], prodPath, before, intended)
            }
        }
        return Lane(name: name, cli: cli, ws: ws, bob: bob, prepare: prepare)
    }

    /// Runs the lane's trials; returns how many ran.
    func runLane(_ laneName: String, laneSeed: UInt64) throws -> Int {
        let lane = try makeLane(laneName)
        var rng = SplitMix(state: laneSeed)
        // Calibrate: one uninterrupted run gives the time span to kill within (and shows the command works).
        let first = try lane.prepare(0)
        let t0 = Date()
        let ok = try lane.cli.weft(first.args)
        let span = Date().timeIntervalSince(t0)
        try #require(ok.status == 0 && !ok.signalled, "\(laneName): the uninterrupted command failed: \(ok)")
        try verify(lane, trial: "calibration", path: first.path, before: first.before, intended: first.intended, expect: true)

        // Fault points first; their timings give the write window (journal → commit) that most random kills aim at.
        var window = (start: Double.infinity, end: 0.0)
        var completed = 0, killed = 0, midWrite = 0, trialIndex = 0
        func trial(_ kill: Kill) throws {
            trialIndex += 1
            let trial = try lane.prepare(trialIndex)
            let label = "\(laneName) trial \(trialIndex) (\(kill), seed \(Self.seed))"
            let r: ProcResult
            let started = Date()
            switch kill {
            case .fault(let point):
                r = try lane.cli.weft(trial.args, env: ["WEFT_FAULT": point])
                #expect(r.signalled && r.status == SIGKILL, "\(label): the fault hook did not kill the process: \(r)")
                let elapsed = Date().timeIntervalSince(started)
                if point == "after-journal" { window.start = min(window.start, elapsed) }
                if point == "after-commit" { window.end = max(window.end, elapsed) }
            case .delay(let d):
                r = try lane.cli.weft(trial.args, killAfter: d)
            }
            // Did the kill leave a write half done (a journal entry)? Read in-process, with no git started, so that
            // the next command follows the kill at once.
            let pending = try lane.ws.metastore.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_ops") ?? 0 }
            if pending > 0 { midWrite += 1 }
            if r.signalled { killed += 1 } else {
                completed += 1
                #expect(r.status == 0, "\(label): \(r)")
            }
            var expectPresent: Bool? = nil
            // Killed before the commit: the change never lands; after it: it is there. A git stopped right after it
            // started may still have done its work first (it runs on the other core before SIGSTOP arrives): for
            // stop-git-update-ref, the last step, either whole result is right, and verify checks it is whole.
            if case .fault(let p) = kill { expectPresent = p == "stop-git-update-ref" ? nil : p == "after-commit" }
            if !r.signalled { expectPresent = true }
            try verify(lane, trial: label, path: trial.path, before: trial.before, intended: trial.intended, expect: expectPresent)
            // No git child of the killed process outlives it (a stopped one would stay forever).
            let left = GitProcesses.waitUntilGone(in: lane.cli.projectDir, timeout: 5)
            #expect(left.isEmpty, "\(label): git processes of the killed weft are still there: \(left)")
            for pid in left { Glibc.kill(pid, SIGKILL) }
        }
        for point in Self.faultPoints { for _ in 0..<2 { try trial(.fault(point)) } }
        if !(window.start < window.end) { window = (0.5 * span, span) }
        for i in 0..<Self.randomTrialsPerLane {
            // One in four anywhere in the command's life; the rest around the write window.
            let d = i % 4 == 0
                ? Double.random(in: 0.02...1.1, using: &rng) * span
                : Double.random(in: (0.8 * window.start)...(1.1 * window.end), using: &rng)
            try trial(.delay(d))
        }
        print("crash lane \(laneName): \(trialIndex) trials (\(killed) killed, \(midWrite) of them mid-write, \(completed) completed), span \(Int(span * 1000)) ms, write window \(Int(window.start * 1000))–\(Int(window.end * 1000)) ms, seed \(Self.seed)")
        return trialIndex
    }

    /// The workspace opens, git is clean, and the job is wholly the intended result or wholly what it was.
    func verify(_ lane: Lane, trial: String, path: String, before: Job?, intended: Job, expect present: Bool?) throws {
        let list = try lane.cli.weft(["job", "list", "-o", "json"])
        #expect(list.status == 0 && !list.signalled, "\(trial): job list failed: \(list)")
        #expect(!list.stderr.contains("warning"), "\(trial): \(list.stderr)")
        let listed = (try? decodeJSON([JobListEntry].self, list.stdout)) ?? []
        #expect(!listed.isEmpty, "\(trial): job list printed no jobs: \(list.stdout)")

        let fsck = try lane.cli.git(["fsck", "--full", "--strict"])
        let bad = (fsck.stdout + fsck.stderr).split(separator: "\n").filter { line in
            let l = line.lowercased()
            return ["error", "fatal", "missing", "broken", "corrupt", "bad ", "invalid"].contains { l.contains($0) }
        }
        #expect(fsck.status == 0 && bad.isEmpty, "\(trial): git fsck: \(fsck)")
        let status = try lane.cli.git(["status", "--porcelain", "--untracked-files=all"])
        #expect(status.status == 0 && status.stdout.isEmpty, "\(trial): git status: \(status.stdout)")
        let lock = try lane.cli.git(["rev-parse", "--git-path", "index.lock"])
        #expect(!FileManager.default.fileExists(atPath: lane.cli.projectDir + "/" + lock.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

        let text = try lane.cli.fileAtHEAD(path)
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let entry = listed.first { $0.name == name }
        let atHEAD: Job?
        do { atHEAD = try text.map { try ProjectFiles.decodeJob($0, file: path).job } } catch {
            Issue.record("\(trial): the job file at HEAD does not decode: \(error)\n\(text ?? "")")
            return
        }
        if atHEAD == intended {
            #expect(present != false, "\(trial): the change is there although the process died before committing")
            #expect(entry?.enabled == intended.enabled, "\(trial): job list disagrees with HEAD")
        } else if atHEAD == before {
            #expect(present != true, "\(trial): the change is missing")
            #expect((entry == nil) == (before == nil), "\(trial): job list disagrees with HEAD")
        } else {
            Issue.record("\(trial): the job at HEAD is neither the old nor the intended version:\n\(text ?? "(absent)")")
        }
        // The working tree equals HEAD (git status is clean), so the file on disk is the same.
        let onDisk = try? String(contentsOfFile: lane.cli.projectDir + "/" + path, encoding: .utf8)
        #expect(onDisk == text, "\(trial): working tree and HEAD differ")
    }

    @Test(arguments: ["duplicate", "config", "enable"])
    func killDuringWrites(_ lane: String) throws {
        let laneSeed = Self.seed &+ UInt64(["duplicate", "config", "enable"].firstIndex(of: lane) ?? 0) &* 7919
        print("crash-safety seed \(Self.seed) (set WEFT_CRASH_SEED to repeat)")
        let trials = try runLane(lane, laneSeed: laneSeed)
        #expect(trials == Self.faultPoints.count * 2 + Self.randomTrialsPerLane)
    }
}
