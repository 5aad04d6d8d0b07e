import Foundation
import Testing
import WeftStore

/// The demo project's pipelines are real programs with real unit tests: run them.
@Suite struct DemoPipelineUnitTests {
    @Test(arguments: ["ingest", "clean", "aggregate"])
    func pipelineUnitTestsPass(_ pipeline: String) throws {
        let dir = DemoWorkspace.projectSource + "/pipelines/\(pipeline)"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-m", "unittest", "discover", "-s", "tests", "-q"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "unit tests of \(pipeline) failed:\n\(text)")
        #expect(text.contains("OK"), "no test result from \(pipeline):\n\(text)")
    }
}
