import Foundation
import GRDB
import Testing
import WeftDomain

@testable import WeftStore

/// SIGKILL the real `weft release` (issue 8): at each fault point of the release path (`WEFT_FAULT`) and at seeded
/// random delays. Each trial releases a new version of a new commit (so build, tests, tag, record and deployment all
/// happen in every trial); the commit changes the jobs' definitions so that "old or new in full" is a real question.
/// After every kill: no deployment stays `applying`, every job on every fabric is wholly at its previous release or
/// wholly at the new one, each deployment's `applied` list names exactly the jobs it put on its fabric, a tag exists
/// only once the tests passed and the artifacts were stored, and stored artifacts are whole. Then the same release
/// run again completes it, and once more finds nothing to deploy.
@Suite struct ReleaseCrashTests {
    static let project = "customer_analytics"
    static let faultPoints = [
        "release-after-build", "release-after-test", "release-after-artifact", "release-after-artifacts", "release-after-tag",
        "release-after-record", "release-after-begin", "release-after-driver", "deploy-mid-job", "release-after-job",
        "release-after-fabric",
    ]
    /// Points before the tag is made: a kill there leaves no tag and no release record.
    static let beforeTag: Set<String> = ["release-after-build", "release-after-test", "release-after-artifact", "release-after-artifacts"]
    static let randomTrials = 40

    static let seed: UInt64 = {
        if let s = ProcessInfo.processInfo.environment["WEFT_CRASH_SEED"], let v = UInt64(s) { return v }
        return UInt64.random(in: 1...UInt64(UInt32.max))
    }()

    typealias Kill = CrashSafetyTests.Kill

    /// The seed scenario's jobs (development and production) plus a second development job, so that one
    /// deployment applies two jobs one after the other.
    static func setUp() throws -> CLIWorkspace {
        let cli = try CLIWorkspace()
        try ReleaseCLITests.seedProductionJob(cli)
        let dup = try cli.weft(["job", "duplicate", "customers_daily_development", "--fabric", "development", "--name", "customers_hourly_development"])
        #expect(dup.status == 0, "\(dup)")
        return cli
    }

    /// A new commit for trial `i`: the production job's batch size and the hourly job's retries change.
    static func commitTrial(_ cli: CLIWorkspace, _ i: Int) throws {
        try ReleaseCLITests.commit(
            cli, "jobs/customers_daily_production.yaml",
            { $0.replacingOccurrences(of: #"batch_size: \d+"#, with: "batch_size: \(401 + i)", options: .regularExpression) },
            message: "trial \(i): production batch size")
        try ReleaseCLITests.commit(
            cli, "jobs/customers_hourly_development.yaml",
            { $0.replacingOccurrences(of: #"retries: \d+"#, with: "retries: \(i % 7 + 2)", options: .regularExpression) },
            message: "trial \(i): hourly retries")
    }

    static func tagCommit(_ cli: CLIWorkspace, _ version: String) throws -> String? {
        let r = try cli.git(["rev-parse", "-q", "--verify", "refs/tags/\(project)/\(version)^{commit}"])
        let c = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return r.status == 0 && !c.isEmpty ? c : nil
    }

    /// What the release of `commit` puts on each fabric: job name → definition, per fabric.
    static func expected(_ ws: Workspace, commit: String) throws -> [String: [String: Job]] {
        var out: [String: [String: Job]] = [:]
        for (name, record) in try ws.contents(project: project, commit: commit).jobs { out[record.job.fabric, default: [:]][name] = record.job }
        return out
    }

    struct Counts {
        var killed = 0, completed = 0, partial = 0, tagOnly = 0, beforeTag = 0, duringDeploy = 0, leftBuilds = 0
    }

    /// The state after a kill, before anything repairs it.
    func verifyAfterKill(
        _ cli: CLIWorkspace, _ ws: Workspace, label: String, version: String, commit: String, before: [String: [String: DeployedJob]],
        expected: [String: [String: Job]], fault: String?, counts: inout Counts
    ) throws -> [String: String] {
        // `weft deployments` reads with the dead process's deployment marked interrupted.
        let listed = try cli.weft(["deployments", "-o", "json"])
        #expect(listed.status == 0 && !listed.signalled, "\(label): weft deployments: \(listed)")
        let json = (try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]) ?? []
        #expect(!json.isEmpty || listed.stdout.contains("[]"), "\(label): weft deployments -o json: \(listed.stdout)")
        for d in json where d["state"] as? String == "applying" {
            Issue.record("\(label): deployment \(d["id"] ?? "?") still says applying although its process is dead")
        }
        let deployments = try ws.deployments(project: Self.project).filter { $0.version == version }
        #expect(!deployments.contains { $0.state == .applying }, "\(label): \(deployments.map(\.state))")

        var partial = false
        for fabric in ["development", "qa", "production"] {
            let now = try ws.deployedJobs(fabric: fabric, project: Self.project)
            let mine = deployments.filter { $0.fabric == fabric }
            #expect(mine.count <= 1, "\(label): \(mine.count) deployments of \(version) to \(fabric) after one attempt")
            let deployment = mine.first
            var atNew: Set<String> = []
            let wanted = Set(expected[fabric].map { Array($0.keys) } ?? [])
            for name in Set(now.keys).union(before[fabric].map { Array($0.keys) } ?? []).union(wanted).sorted() {
                let d = now[name]
                if d == before[fabric]?[name] { continue }
                guard let d else {
                    Issue.record("\(label): \(fabric)/\(name) was removed")
                    continue
                }
                // Not the previous release: must be the new one in full.
                #expect(d.version == version && d.commit == commit, "\(label): \(fabric)/\(name) at \(d.version) \(d.commit.prefix(10))")
                #expect(d.definition == expected[fabric]?[name], "\(label): \(fabric)/\(name)'s deployed definition is not the release's")
                #expect(d.deploymentID == deployment?.id, "\(label): \(fabric)/\(name) names deployment \(d.deploymentID), not \(deployment?.id ?? -1)")
                atNew.insert(name)
            }
            if let deployment {
                #expect(Set(deployment.applied) == atNew, "\(label): deployment \(deployment.id) to \(fabric) says applied \(deployment.applied.sorted()), the fabric has \(atNew.sorted()) at \(version)")
                #expect(deployment.applied.count == Set(deployment.applied).count, "\(label): \(deployment.applied)")
                if deployment.state == .succeeded {
                    #expect(atNew == wanted, "\(label): \(fabric) succeeded with \(atNew.sorted())")
                } else {
                    #expect(deployment.state == .interrupted, "\(label): deployment to \(fabric) is \(deployment.state)")
                }
                if !atNew.isEmpty && atNew != wanted { partial = true }
            } else {
                #expect(atNew.isEmpty, "\(label): \(fabric) has \(atNew.sorted()) at \(version) without a deployment")
            }
        }
        if partial { counts.partial += 1 }

        // Tag, record, artifacts.
        let tag = try Self.tagCommit(cli, version)
        let release = try ws.release(project: Self.project, version: version)
        let store = cli.root + "/artifacts/\(Self.project)/\(version)"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []).sorted()
        var shas: [String: String] = [:]
        for f in files { shas[f] = FileIO.sha256(file: store + "/" + f) }
        if let tag { #expect(tag == commit, "\(label): tag at \(tag.prefix(10)), release of \(commit.prefix(10))") }
        if let release {
            #expect(tag == commit, "\(label): release recorded without its tag")
            #expect(release.commit == commit)
            #expect(release.tests.count == 3 && release.tests.allSatisfy { $0.contains("tests passed") }, "\(label): \(release.tests)")
            #expect(files == release.artifacts.map { ($0.path as NSString).lastPathComponent }.sorted(), "\(label): stored \(files)")
            for a in release.artifacts {
                #expect(FileIO.sha256(file: cli.root + "/" + a.path) == a.sha256, "\(label): artifact \(a.path) does not match the release record")
            }
        } else {
            #expect(deployments.isEmpty, "\(label): a deployment of \(version) without a release record")
        }
        if tag == nil { counts.beforeTag += 1 }
        if release != nil && deployments.count < expected.count || deployments.contains(where: { $0.state != .succeeded }) { counts.duringDeploy += 1 }
        if tag != nil && release == nil {
            counts.tagOnly += 1
            // The tag comes after the tests and after every artifact was stored.
            #expect(files.count == 3, "\(label): tagged with \(files.count) artifacts stored")
        }
        if let fault {
            if Self.beforeTag.contains(fault) {
                #expect(tag == nil && release == nil, "\(label): tag \(tag ?? "-") / record \(release?.version ?? "-") before the tag step")
            } else {
                #expect(tag == commit, "\(label): no tag after the tag step")
                if fault != "release-after-tag" { #expect(release != nil, "\(label): no release record after it was made") }
            }
            if fault == "release-after-test" || fault == "release-after-build" { #expect(files.isEmpty, "\(label): \(files) stored before the tests passed") }
        }
        counts.leftBuilds = ((try? FileManager.default.contentsOfDirectory(atPath: cli.root + "/builds")) ?? []).count
        return shas
    }

    /// After the re-run: everything at the new release, the artifacts unchanged where they were already stored.
    func verifyComplete(
        _ cli: CLIWorkspace, _ ws: Workspace, label: String, version: String, commit: String, expected: [String: [String: Job]],
        storedBefore: [String: String]
    ) throws {
        for (fabric, jobs) in expected {
            let now = try ws.deployedJobs(fabric: fabric, project: Self.project)
            #expect(Set(now.keys) == Set(jobs.keys), "\(label): \(fabric) holds \(now.keys.sorted())")
            for (name, job) in jobs {
                let d = now[name]
                #expect(d?.version == version && d?.commit == commit && d?.definition == job, "\(label): \(fabric)/\(name) is not at \(version) after the re-run")
            }
            let last = try ws.deployments(fabric: fabric).first { $0.project == Self.project }
            #expect(last?.version == version && last?.state == .succeeded, "\(label): the last deployment to \(fabric) is \(last?.state.rawValue ?? "none")")
        }
        #expect(try !ws.deployments().contains { $0.state == .applying }, "\(label)")
        let release = try #require(try ws.release(project: Self.project, version: version), "\(label): no release record after the re-run")
        #expect(try Self.tagCommit(cli, version) == commit)
        for a in release.artifacts {
            let name = (a.path as NSString).lastPathComponent
            #expect(FileIO.sha256(file: cli.root + "/" + a.path) == a.sha256, "\(label): \(a.path)")
            if let before = storedBefore[name] { #expect(before == a.sha256, "\(label): \(name) was stored half-written or different before the re-run") }
        }
    }

    @Test func killDuringReleases() throws {
        print("release crash seed \(Self.seed) (set WEFT_CRASH_SEED to repeat)")
        let cli = try Self.setUp()
        let ws = try Workspace.open(at: cli.root)
        var rng = CrashSafetyTests.SplitMix(state: Self.seed)
        func args(_ v: String) -> [String] { ["release", Self.project, "--version", v, "--yes"] }

        // Calibration: one whole release gives the span to kill within.
        try Self.commitTrial(cli, 0)
        let t0 = Date()
        let first = try cli.weft(args("1.0.0"))
        let span = Date().timeIntervalSince(t0)
        try #require(first.status == 0 && !first.signalled, "the uninterrupted release failed: \(first)")
        let head0 = try cli.head()
        try verifyComplete(cli, ws, label: "calibration", version: "1.0.0", commit: head0, expected: try Self.expected(ws, commit: head0), storedBefore: [:])
        #expect(Set(try Self.expected(ws, commit: head0).keys) == ["development", "production"])

        var counts = Counts()
        var deployWindow = (start: Double.infinity, end: span)
        var trialIndex = 0
        func trial(_ kill: Kill) throws {
            trialIndex += 1
            let version = "1.0.\(trialIndex)"
            try Self.commitTrial(cli, trialIndex)
            let commit = try cli.head()
            let expected = try Self.expected(ws, commit: commit)
            var before: [String: [String: DeployedJob]] = [:]
            for f in ["development", "qa", "production"] { before[f] = try ws.deployedJobs(fabric: f, project: Self.project) }
            let label = "trial \(trialIndex) \(version) (\(kill), seed \(Self.seed))"

            let started = Date()
            let r: ProcResult
            var fault: String?
            switch kill {
            case .fault(let p):
                fault = p
                r = try cli.weft(args(version), env: ["WEFT_FAULT": p])
                #expect(r.signalled && r.status == SIGKILL, "\(label): the fault point was not reached: \(r)")
                if p == "release-after-record" { deployWindow.start = min(deployWindow.start, Date().timeIntervalSince(started)) }
            case .delay(let d):
                r = try cli.weft(args(version), killAfter: d)
            }
            if r.signalled { counts.killed += 1 } else {
                counts.completed += 1
                #expect(r.status == 0, "\(label): \(r)")
            }
            let stored = try verifyAfterKill(
                cli, ws, label: label, version: version, commit: commit, before: before, expected: expected, fault: fault, counts: &counts)

            // The same release again completes it; once more, it has nothing to do.
            let again = try cli.weft(args(version))
            #expect(again.status == 0 && !again.signalled, "\(label): the re-run failed: \(again)")
            try verifyComplete(cli, ws, label: label + " re-run", version: version, commit: commit, expected: expected, storedBefore: stored)
            let third = try cli.weft(args(version))
            #expect(third.status == 0 && third.stdout.contains("nothing to deploy"), "\(label): the third run: \(third)")
        }
        for p in Self.faultPoints { try trial(.fault(p)) }
        if !(deployWindow.start < deployWindow.end) { deployWindow = (0.7 * span, span) }
        for i in 0..<Self.randomTrials {
            // Half anywhere in the release's life; half in the deployment part (after the record), which is short.
            let d = i % 2 == 0
                ? Double.random(in: 0.02...1.2, using: &rng) * span
                : Double.random(in: (0.95 * deployWindow.start)...(1.2 * deployWindow.end), using: &rng)
            try trial(.delay(d))
        }
        print(
            "release crash: \(trialIndex) trials (\(counts.killed) killed: \(counts.beforeTag) before the tag, \(counts.tagOnly) between tag and record, \(counts.duringDeploy) during the deployments, \(counts.partial) of them with a fabric partly deployed; \(counts.completed) completed), span \(Int(span * 1000)) ms, deployment from \(Int(deployWindow.start * 1000)) ms, \(counts.leftBuilds) build folders left by killed releases, seed \(Self.seed)"
        )
        #expect(trialIndex >= 50)
    }
}
