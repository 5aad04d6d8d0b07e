import Foundation
import Testing
import WeftDomain

@testable import WeftStore

/// HEAD read from git's files (no git process) agrees with `git rev-parse HEAD` in every layout git leaves.
@Suite struct GitHeadTests {
    func repo() throws -> (Git, String) {
        let dir = NSTemporaryDirectory() + "weft-git-head-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let g = Git(directory: dir)
        try g.initRepository()
        try "a\n".write(toFile: dir + "/a.txt", atomically: true, encoding: .utf8)
        try g.run(["add", "a.txt"])
        try g.run(["commit", "-q", "-m", "first"], author: Git.Author(name: "t", email: "t@example.com"))
        return (g, dir)
    }

    func revParse(_ g: Git) throws -> String {
        try g.run(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func looseRefPackedRefAndDetachedHead() throws {
        let (g, dir) = try repo()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try g.headFromRefs() == revParse(g))
        try g.run(["pack-refs", "--all", "--prune"])
        #expect(!FileManager.default.fileExists(atPath: dir + "/.git/refs/heads/main"), "pack-refs moved the branch into packed-refs")
        #expect(try g.headFromRefs() == revParse(g))
        try "b\n".write(toFile: dir + "/a.txt", atomically: true, encoding: .utf8)
        try g.run(["commit", "-q", "-am", "second"], author: Git.Author(name: "t", email: "t@example.com"))
        #expect(try g.headFromRefs() == revParse(g))
        try g.run(["checkout", "-q", "--detach", "HEAD~1"])
        #expect(try g.headFromRefs() == revParse(g))
        #expect(try g.head() == revParse(g))
    }

    @Test func anythingUnusualFallsBackToGit() throws {
        let (g, dir) = try repo()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let real = try revParse(g)
        // A symbolic ref outside refs/heads, then a garbled ref file: no guess, git answers.
        try "ref: refs/remotes/origin/main\n".write(toFile: dir + "/.git/HEAD", atomically: true, encoding: .utf8)
        #expect(g.headFromRefs() == nil)
        try "ref: refs/heads/main\n".write(toFile: dir + "/.git/HEAD", atomically: true, encoding: .utf8)
        let branch = dir + "/.git/refs/heads/main"
        if FileManager.default.fileExists(atPath: branch) {
            try "not-an-id\n".write(toFile: branch, atomically: true, encoding: .utf8)
            #expect(g.headFromRefs() == nil)
            try (real + "\n").write(toFile: branch, atomically: true, encoding: .utf8)
        }
        #expect(g.head() == real)
    }
}
