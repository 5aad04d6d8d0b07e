import Foundation
import Testing
import WeftDomain

@testable import WeftEngine
@testable import WeftStore

/// Tasks of local fabrics run in a bubblewrap sandbox per run (real bwrap, real processes): they see their own
/// checkout read-only, their fabric's data root read-write, and nothing else of the workspace; a production run
/// runs exactly the committed code; nothing a task starts outlives it, sandboxed or not.
@Suite("Sandbox", .serialized, .timeLimit(.minutes(3)))
struct SandboxTests {
    /// Commits files into the probe project (as a user editing it outside Weft would).
    static func commit(_ fx: ServiceFixture, _ files: [String: String]) throws {
        let dir = fx.ws.projectDirectory("probe")
        for (path, text) in files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        let g = fx.ws.git("probe")
        let author = Git.Author(name: "alice", email: "alice@weft.local")
        try g.run(["add", "-A"], author: author)
        try g.run(["commit", "-q", "-m", "test files"], author: author)
    }

    static func job(_ fx: ServiceFixture, _ name: String, fabric: String, script: String, timeout: Int? = nil) -> String {
        // A literal block: the script's text as it is, no YAML escaping.
        fx.job(name, fabric: fabric, tasks: "  - key: main\n" + (timeout.map { "    timeout: \($0)\n" } ?? "") + "    script: |\n      \(script)\n")
    }

    /// Runs a job to its end and returns the run and its task's log.
    static func run(_ fx: ServiceFixture, _ service: RunService, _ who: Principal, _ job: String) async throws -> (RunRecord, String) {
        let (detail, stream) = try await service.startWatching(.user(who), StartRunRequest(job: job))
        _ = try await collect(stream, timeout: 60)
        let run = try #require(try fx.ws.metastore.run(id: detail.run.id))
        let log = try service.logs(who, runID: run.id, task: "main").first?.text ?? ""
        return (run, log)
    }

    static func setFabric(_ fx: ServiceFixture, _ name: String, _ settings: [String: String]) throws {
        _ = try fx.ws.updateFabric(fx.admin, name: name, set: settings, schema: LocalDriver(workspace: fx.ws).settingsSchema)
    }

    /// With either task launcher: the small `weft-launcher` or `weft` itself (a debug `weft` loads the Swift
    /// runtime from the toolchain, which the sandbox then shows read-only).
    @Test(arguments: ["weft-launcher", "weft"])
    func aDevelopmentTaskCannotSeeProductionTheMetastoreKeysProjectsOrOtherCheckouts(launcher: String) async throws {
        let fx = try ServiceFixture()
        let service = fx.service(launcher: launcher)
        let prodData = fx.ws.dataRoot(fabric: "production")
        try FileManager.default.createDirectory(atPath: prodData, withIntermediateDirectories: true)
        try "id,email\n1,carol@customer.example\n".write(toFile: prodData + "/customers.csv", atomically: true, encoding: .utf8)
        let head = try fx.ws.headCommit(project: "probe")
        let otherCheckout = try fx.ws.exportRevision(project: "probe", commit: head, fabric: "production")
        let keys = try FileManager.default.contentsOfDirectory(atPath: fx.root + "/keys").sorted()
        let targets = [
            prodData + "/customers.csv", fx.root + "/weft.sqlite", fx.root + "/keys/" + (keys.first ?? "secrets.key"),
            fx.root + "/projects/probe/project.yaml", otherCheckout + "/project.yaml", fx.root + "/checkouts/probe/\(head)/project.yaml",
        ]
        let script = targets.map { "cat '\($0)'" }.joined(separator: "; ") + "; echo own-data > \"$WEFT_DATA/own.txt\"; true"
        try Self.commit(fx, ["jobs/snoop.yaml": Self.job(fx, "snoop", fabric: "development", script: script)])
        let (run, log) = try await Self.run(fx, service, fx.alice, "probe/snoop")
        #expect(run.state == .success, "\(run)")
        for t in targets {
            let line = log.split(separator: "\n").first { $0.contains(t) }
            #expect(line.map { $0.contains("No such file or directory") || $0.contains("Permission denied") } == true, "\(t): \(log)")
        }
        #expect(!log.contains("carol@customer.example"), "\(log)")
        #expect(!log.contains("SQLite format"), "\(log)")
        // Its own data root is read-write.
        #expect((try? String(contentsOfFile: fx.ws.dataRoot(fabric: "development") + "/own.txt", encoding: .utf8)) == "own-data\n")
    }

    @Test func anOutputDirThatClimbsOutOfTheDataRootWritesNothingOutsideIt() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let prodData = fx.ws.dataRoot(fabric: "production")
        let devData = fx.ws.dataRoot(fabric: "development")
        try FileManager.default.createDirectory(atPath: prodData, withIntermediateDirectories: true)
        try "id,email\n1,carol@customer.example\n".write(toFile: prodData + "/customers.csv", atomically: true, encoding: .utf8)
        let steal = "out=\"$WEFT_DATA/../../development/data/stolen\"; mkdir -p \"$out\" && cp \"$WEFT_DATA/customers.csv\" \"$out/\"; ls -la \"$out\"; true"
        let plant = "out=\"$WEFT_DATA/../../production/data/planted\"; mkdir -p \"$out\" && echo x > \"$out/x\"; cat \"$WEFT_DATA/../../production/data/customers.csv\"; true"
        try Self.commit(fx, [
            "jobs/steal.yaml": Self.job(fx, "steal", fabric: "production", script: steal),
            "jobs/plant.yaml": Self.job(fx, "plant", fabric: "development", script: plant),
        ])
        let (prodRun, _) = try await Self.run(fx, service, fx.bob, "probe/steal")
        #expect(prodRun.state == .success)
        #expect(!FileManager.default.fileExists(atPath: devData + "/stolen"), "production's data reached development's data root")
        let (devRun, devLog) = try await Self.run(fx, service, fx.alice, "probe/plant")
        #expect(devRun.state == .success)
        #expect(!FileManager.default.fileExists(atPath: prodData + "/planted"), "development wrote into production's data root")
        #expect(!devLog.contains("carol@customer.example"), "\(devLog)")
        #expect(devLog.contains("No such file or directory"), "\(devLog)")
    }

    @Test func productionRunsTheCommittedCodeWhateverHappensToACheckout() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        try Self.commit(fx, [
            "tools/hello.sh": "echo committed-code\n",
            "jobs/hello.yaml": Self.job(fx, "hello", fabric: "production", script: "sh tools/hello.sh"),
            "jobs/tamper.yaml": Self.job(fx, "tamper", fabric: "development", script: "echo 'echo TAMPERED' >> tools/hello.sh"),
        ])
        let head = try fx.ws.headCommit(project: "probe")
        // A development task cannot edit its checkout.
        let (tamper, tamperLog) = try await Self.run(fx, service, fx.alice, "probe/tamper")
        #expect(tamper.state == .failed, "\(tamperLog)")
        #expect(tamperLog.contains("Read-only file system") || tamperLog.contains("Permission denied"), "\(tamperLog)")
        let devCheckout = fx.ws.root + "/fabrics/development/checkouts/probe/\(head)"
        #expect(try String(contentsOfFile: devCheckout + "/tools/hello.sh", encoding: .utf8) == "echo committed-code\n")
        let (first, firstLog) = try await Self.run(fx, service, fx.bob, "probe/hello")
        #expect(first.state == .success && firstLog.contains("committed-code"), "\(firstLog)")
        #expect(!firstLog.contains("exported again"), "\(firstLog)")
        // Someone edits production's checkout on disk: the next run notices, exports it again and says so.
        let prodFile = fx.ws.root + "/fabrics/production/checkouts/probe/\(head)/tools/hello.sh"
        chmod(prodFile, 0o644)
        try "echo TAMPERED\n".write(toFile: prodFile, atomically: false, encoding: .utf8)
        let (second, secondLog) = try await Self.run(fx, service, fx.bob, "probe/hello")
        #expect(second.state == .success, "\(secondLog)")
        #expect(secondLog.contains("committed-code") && !secondLog.contains("TAMPERED"), "\(secondLog)")
        #expect(secondLog.contains("did not match the commit (tools/hello.sh differs from the commit)"), "\(secondLog)")
        #expect(try String(contentsOfFile: prodFile, encoding: .utf8) == "echo committed-code\n")
        // An added file is found too.
        try "x".write(toFile: fx.ws.root + "/fabrics/production/checkouts/probe/\(head)/tools/extra.sh", atomically: false, encoding: .utf8)
        let (_, thirdLog) = try await Self.run(fx, service, fx.bob, "probe/hello")
        #expect(thirdLog.contains("tools/extra.sh is not in the commit"), "\(thirdLog)")
    }

    @Test func anExportWithoutManifestFromAnOlderWeftIsVerifiedToo() throws {
        let fx = try ServiceFixture()
        let head = try fx.ws.headCommit(project: "probe")
        let dir = try fx.ws.exportRevision(project: "probe", commit: head, fabric: "development")
        try FileManager.default.removeItem(atPath: dir + ".manifest")
        #expect(try fx.ws.verifiedExport(project: "probe", commit: head, fabric: "development").repaired == nil)
        #expect(FileManager.default.fileExists(atPath: dir + ".manifest"))
        try FileManager.default.removeItem(atPath: dir + ".manifest")
        try FileManager.default.removeItem(atPath: dir + "/project.yaml")
        #expect(try fx.ws.verifiedExport(project: "probe", commit: head, fabric: "development").repaired == "project.yaml is missing")
        #expect(FileManager.default.fileExists(atPath: dir + "/project.yaml"))
    }

    @Test func withNetworkOffATaskCannotConnectToALoopbackListener() async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        let listener = try LoopbackListener()
        defer { listener.close() }
        let script = "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", \(listener.port)), 3); print(\"CONNECTED\")'; true"
        try Self.commit(fx, ["jobs/connect.yaml": Self.job(fx, "connect", fabric: "development", script: script)])
        let (_, onLog) = try await Self.run(fx, service, fx.alice, "probe/connect")
        #expect(onLog.contains("CONNECTED"), "with network on the listener is reachable: \(onLog)")
        try Self.setFabric(fx, "development", ["network": "off"])
        let (_, offLog) = try await Self.run(fx, service, fx.alice, "probe/connect")
        #expect(!offLog.contains("CONNECTED"), "\(offLog)")
        #expect(offLog.contains("Connection refused") || offLog.contains("Network is unreachable"), "\(offLog)")
    }

    /// A task that starts a `setsid` grandchild ignoring SIGTERM (marked by a unique word in its argv).
    static func strayScript(_ marker: String, then rest: String) -> String {
        "setsid sh -c 'trap \"\" TERM; echo up > \"$WEFT_DATA/\(marker)\"; while :; do sleep 1; done' \(marker) & "
            + "while [ ! -f \"$WEFT_DATA/\(marker)\" ]; do sleep 0.01; done; \(rest)"
    }

    /// Processes on this machine whose argv contains `marker`.
    static func processes(containing marker: String) -> [String] {
        let me = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { name in
            guard let pid = Int32(name), pid != me,
                let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline")
            else { return false }
            let stat = (try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8)) ?? ""
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" Z") { return false }
            return String(decoding: data, as: UTF8.self).contains(marker)
        }
    }

    @Test(arguments: ["on", "off"])
    func nothingATaskStartsOutlivesItWhetherItEndsIsCancelledOrTimesOut(sandbox: String) async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        try Self.setFabric(fx, "development", ["sandbox": sandbox])
        let data = fx.ws.dataRoot(fabric: "development")
        let ended = "stray-ended-\(UUID().uuidString.prefix(8))"
        let cancelled = "stray-cancelled-\(UUID().uuidString.prefix(8))"
        let timedOut = "stray-timedout-\(UUID().uuidString.prefix(8))"
        try Self.commit(fx, [
            "jobs/ends.yaml": Self.job(fx, "ends", fabric: "development", script: Self.strayScript(ended, then: "echo leaving")),
            "jobs/waits.yaml": Self.job(fx, "waits", fabric: "development", script: Self.strayScript(cancelled, then: "sleep 300")),
            "jobs/times.yaml": Self.job(fx, "times", fabric: "development", script: Self.strayScript(timedOut, then: "sleep 300"), timeout: 1),
        ])
        // Ends by itself.
        let (run, log) = try await Self.run(fx, service, fx.alice, "probe/ends")
        #expect(run.state == .success, "\(log)")
        #expect(FileManager.default.fileExists(atPath: data + "/" + ended), "the stray ran")
        #expect(Self.processes(containing: ended).isEmpty, "left behind: \(Self.processes(containing: ended))")
        // Cancelled.
        let (detail, stream) = try await service.startWatching(.user(fx.alice), StartRunRequest(job: "probe/waits"))
        try await eventuallyAsync("the stray to start", timeout: 20) { FileManager.default.fileExists(atPath: data + "/" + cancelled) }
        try await service.cancel(fx.alice, runID: detail.run.id)
        _ = try await collect(stream, timeout: 30)
        #expect(try fx.ws.metastore.run(id: detail.run.id)?.state == .cancelled)
        #expect(Self.processes(containing: cancelled).isEmpty, "left behind: \(Self.processes(containing: cancelled))")
        // Timed out.
        let (timed, timedLog) = try await Self.run(fx, service, fx.alice, "probe/times")
        #expect(timed.state == .failed, "\(timedLog)")
        #expect(FileManager.default.fileExists(atPath: data + "/" + timedOut), "the stray ran")
        #expect(Self.processes(containing: timedOut).isEmpty, "left behind: \(Self.processes(containing: timedOut))")
    }

    /// A task holds only its stdin, stdout and stderr: no descriptor of the Weft process (its metastore, its sockets,
    /// a pipe someone opened without close-on-exec) reaches it, through the launcher or not.
    @Test(arguments: ["on", "off"])
    func aTaskInheritsNoDescriptorOfTheWeftProcess(sandbox: String) async throws {
        let fx = try ServiceFixture()
        let service = fx.service()
        try Self.setFabric(fx, "development", ["sandbox": sandbox])
        var leaky: [Int32] = [-1, -1]
        #expect(pipe(&leaky) == 0)
        defer { close(leaky[0]); close(leaky[1]) }
        let script = "echo \"FDS $(ls /proc/self/fd | tr '\\n' ' ')\""
        try Self.commit(fx, ["jobs/fds.yaml": Self.job(fx, "fds", fabric: "development", script: script)])
        let (run, log) = try await Self.run(fx, service, fx.alice, "probe/fds")
        #expect(run.state == .success, "\(log)")
        let line = try #require(log.split(separator: "\n").first { $0.contains("FDS ") }, "\(log)")
        let fds = Set(line.split(separator: " ").dropFirst().compactMap { Int32($0) })
        // 0-2, and the directory `ls` reads (/proc/self/fd is ls's own); nothing else.
        #expect(fds.isSubset(of: [0, 1, 2, 3]), "the task holds \(fds.sorted()): \(line)")
        #expect(!fds.contains(leaky[0]) && !fds.contains(leaky[1]))
    }

    @Test func theIsolationOfAFabricFollowsItsSettingsAndStage() throws {
        let dev = Fabric(name: "dev", ownerTeam: "developers", stage: .development, kind: .local, slots: 1)
        let prod = Fabric(name: "prod", ownerTeam: "ops", stage: .production, kind: .local, slots: 1)
        let ok = SandboxSupport.Status.available(bwrap: "/usr/bin/bwrap")
        let missing = SandboxSupport.Status.unavailable(reason: "bubblewrap (bwrap) is not installed")
        let d = try LocalDriver.isolation(dev, checkout: "/c", dataRoot: "/d", launcher: "/w", support: ok)
        #expect(d.sandbox?.network == true && d.sandbox?.readOnly == ["/c"] && d.sandbox?.readWrite == ["/d"])
        #expect(try LocalDriver.isolation(prod, checkout: "/c", dataRoot: "/d", launcher: "/w", support: ok).sandbox?.network == false)
        var prodOn = prod
        prodOn.settings["network"] = "on"
        #expect(try LocalDriver.isolation(prodOn, checkout: "/c", dataRoot: "/d", launcher: "/w", support: ok).sandbox?.network == true)
        // No bubblewrap: development runs with a warning, production is refused unless it says sandbox: off.
        let fallback = try LocalDriver.isolation(dev, checkout: "/c", dataRoot: "/d", launcher: "/w", support: missing)
        #expect(fallback.sandbox == nil && fallback.notices.first?.contains("runs WITHOUT a sandbox") == true)
        do {
            _ = try LocalDriver.isolation(prod, checkout: "/c", dataRoot: "/d", launcher: "/w", support: missing)
            Issue.record("production ran without a sandbox")
        } catch {
            #expect("\(error)".contains("refusing to run tasks of production fabric prod without a sandbox: bubblewrap (bwrap) is not installed"))
            #expect("\(error)".contains("--set sandbox=off"))
        }
        var prodOff = prod
        prodOff.settings["sandbox"] = "off"
        #expect(try LocalDriver.isolation(prodOff, checkout: "/c", dataRoot: "/d", launcher: "/w", support: missing).sandbox == nil)
        #expect(SandboxSupport.probe(environment: ["WEFT_BWRAP": "/nonexistent"]) == .unavailable(reason: "bubblewrap (/nonexistent) is not an executable file"))
    }
}

/// A TCP listener on 127.0.0.1 (an ephemeral port) that accepts nothing itself: the kernel completes connects.
final class LoopbackListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(s, 16) == 0 else { throw TimedOut(what: "a loopback listener (errno \(errno))") }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) } }
        fd = s
        port = UInt16(bigEndian: out.sin_port)
    }

    func close() { _ = Glibc.close(fd) }
}
