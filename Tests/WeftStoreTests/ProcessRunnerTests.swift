import Foundation
import Testing
import WeftDomain

@testable import WeftStore

/// The helper-process spawner (`weft_spawn_io`): children die with Weft, start with clean signals, and failures to
/// start are reported with the reason.
@Suite struct ProcessRunnerTests {
    /// The child has PR_SET_PDEATHSIG = SIGKILL (asked with prctl(PR_GET_PDEATHSIG) from inside the child).
    @Test func childDiesWithItsParent() throws {
        let script = "import ctypes; l = ctypes.CDLL(None); s = ctypes.c_int(-1); l.prctl(2, ctypes.byref(s)); print(s.value)"
        let out = try ProcessRunner.run("/usr/bin/python3", ["-c", script])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(SIGKILL))
    }

    /// A helper holds only its stdin, stdout and stderr, even when the parent has descriptors without close-on-exec.
    @Test func childInheritsNoOtherDescriptor() throws {
        var leaky: [Int32] = [-1, -1]
        #expect(pipe(&leaky) == 0)
        defer { close(leaky[0]); close(leaky[1]) }
        let out = try ProcessRunner.run("/bin/ls", ["/proc/self/fd"])
        #expect(out.status == 0, "\(out.stderr)")
        let fds = Set(out.stdout.split(separator: "\n").compactMap { Int32($0) })
        // 0-2 and the directory ls reads.
        #expect(fds.isSubset(of: [0, 1, 2, 3]), "the child holds \(fds.sorted())")
        #expect(!fds.contains(leaky[0]) && !fds.contains(leaky[1]))
    }

    /// No signal blocked, SIGPIPE not ignored in the child, whatever the parent does.
    @Test func childStartsWithCleanSignals() throws {
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let out = try ProcessRunner.run("/bin/cat", ["/proc/self/status"])
        #expect(out.status == 0)
        let fields = Dictionary(
            out.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { a, _ in a })
        #expect(fields["SigBlk"].flatMap { UInt64($0, radix: 16) } == 0, "\(fields["SigBlk"] ?? "?")")
        let ignored = try #require(fields["SigIgn"].flatMap { UInt64($0, radix: 16) })
        #expect(ignored & (1 << (UInt64(SIGPIPE) - 1)) == 0, "SIGPIPE is ignored in the child: \(String(ignored, radix: 16))")
    }

    /// stdin, stdout, stderr and the working directory reach the child; exit codes come back.
    @Test func inputOutputDirectoryAndStatus() throws {
        let dir = NSTemporaryDirectory()
        let out = try ProcessRunner.run(
            "/bin/sh", ["-c", "pwd; cat; echo err >&2; exit 7"], input: Data("fed\n".utf8), directory: dir)
        #expect(out.status == 7)
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines.last == "fed")
        #expect(URL(fileURLWithPath: lines.first ?? "").resolvingSymlinksInPath().path == URL(fileURLWithPath: dir).resolvingSymlinksInPath().path)
        #expect(out.stderr == "err\n")
    }

    /// Starting helpers leaves no descriptor open in Weft.
    @Test func noDescriptorLeak() throws {
        func openDescriptors() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }
        _ = try ProcessRunner.run("/bin/true", [])
        let before = openDescriptors()
        for _ in 0..<50 { _ = try ProcessRunner.run("/bin/cat", [], input: Data("x".utf8)) }
        for _ in 0..<20 { _ = try? ProcessRunner.run("/nonexistent/program", []) }
        #expect(openDescriptors() <= before)
    }

    /// A program that cannot start, or a directory that does not exist, is an error naming the reason.
    @Test func failuresToStartSayWhy() {
        #expect {
            _ = try ProcessRunner.run("/nonexistent/program", [])
        } throws: { error in
            "\(error)".contains("No such file or directory")
        }
        #expect {
            _ = try ProcessRunner.run("/bin/true", [], directory: "/nonexistent-dir-\(UUID().uuidString)")
        } throws: { error in
            "\(error)".contains("No such file or directory")
        }
    }
}
