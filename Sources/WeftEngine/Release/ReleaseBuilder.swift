import Foundation
import WeftDomain
import WeftStore

/// Builds a release's pipelines into artifacts and runs their unit tests, in a private copy of the release commit
/// (never the working tree, never the read-only exports runs use).
///
/// One `python3` process builds every pipeline: python and pyspark files are byte-compiled (`py_compile`, what
/// `python3 -m compileall` uses; a syntax error is reported as file:line), shell files are checked with `sh -n`,
/// and each pipeline folder is packed into a deterministic zip (sorted entries, fixed times) with a `MANIFEST.json`
/// of its files and their sha256 — the same commit always gives the same bytes, so a re-run of a release finds the
/// artifacts it stored before.
enum ReleaseBuilder {
    struct Built: Sendable {
        var pipeline: String
        var kind: PipelineKind
        /// The zip in the build folder.
        var zip: String
        var sha256: String
        var files: [String: String]
    }

    struct BuildProblem: Decodable {
        var file: String
        var line: Int?
        var message: String
    }

    struct BuildResult: Decodable {
        var name: String
        var zip: String?
        var sha256: String?
        var files: [String: String]?
        var errors: [BuildProblem]?
    }

    /// Builds every pipeline of the checkout at `directory` into `output`.
    /// - Throws: `WeftError.invalid` with every syntax error as `pipelines/P/FILE:LINE`.
    static func build(directory: String, pipelines: [Pipeline], output: String, python: String = "python3") throws -> [Built] {
        try FileManager.default.createDirectory(atPath: output + "/pyc", withIntermediateDirectories: true)
        let request: [String: Any] = [
            "out": output, "pyc": output + "/pyc",
            "pipelines": pipelines.sorted { $0.name < $1.name }.map {
                ["name": $0.name, "kind": $0.kind.rawValue, "entry": $0.entry, "dir": directory + "/pipelines/" + $0.name]
            },
        ]
        let input = try JSONSerialization.data(withJSONObject: request)
        let out = try ProcessRunner.run(
            "/usr/bin/env", [python, "-I", "-c", script], environment: helperEnvironment(), input: input)
        guard out.status == 0, let results = try? JSONDecoder().decode([BuildResult].self, from: Data(out.stdout.utf8)) else {
            throw WeftError.failure(
                "building the pipelines failed (\(python) exited \(out.status)): \(out.stderr.suffix(2000)); is python3 installed? ('weft fabric check' says)")
        }
        var problems: [Problem] = []
        var built: [Built] = []
        let kinds = Dictionary(uniqueKeysWithValues: pipelines.map { ($0.name, $0.kind) })
        for r in results {
            if let errors = r.errors, !errors.isEmpty {
                problems += errors.map { Problem(file: "pipelines/\(r.name)/\($0.file)", line: $0.line, $0.message) }
                continue
            }
            guard let zip = r.zip, let sha = r.sha256, let files = r.files else { continue }
            built.append(Built(pipeline: r.name, kind: kinds[r.name] ?? .python, zip: zip, sha256: sha, files: files))
        }
        if !problems.isEmpty { throw WeftError.invalid(problems) }
        return built
    }

    /// One pipeline's unit tests: what ran, and whether they passed.
    struct TestResult: Sendable {
        var pipeline: String
        var command: String
        var passed: Bool
        var seconds: Double
        var output: String
        var summary: String
    }

    /// The test command of a pipeline: its `test`, else unittest discovery when its `tests/` folder holds python
    /// test files (`test*.py`).
    static func testCommand(_ p: Pipeline, directory: String) -> String? {
        if let t = p.test { return t }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/pipelines/\(p.name)/tests")) ?? []
        guard files.contains(where: { $0.hasPrefix("test") && $0.hasSuffix(".py") }) else { return nil }
        return "python3 -m unittest discover -s tests"
    }

    /// Runs each pipeline's tests (two at a time), in its folder of the build copy.
    static func test(directory: String, pipelines: [Pipeline]) async -> [TestResult] {
        let jobs = pipelines.sorted { $0.name < $1.name }.compactMap { p in testCommand(p, directory: directory).map { (p, $0) } }
        return await withTaskGroup(of: (Int, TestResult).self) { group in
            var results: [(Int, TestResult)] = []
            var next = 0
            func add(_ i: Int) {
                let (p, command) = jobs[i]
                group.addTask {
                    let started = Date()
                    // GNU timeout runs the tests in a process group of their own and kills the whole group at the
                    // limit (TERM, then KILL 5 s later): a hanging test cannot keep a release waiting.
                    let limit = p.testTimeout ?? Pipeline.defaultTestTimeout
                    let out = try? ProcessRunner.run(
                        "/usr/bin/env", ["timeout", "-k", "5", TestSeconds.seconds(limit), "/bin/sh", "-c", command + " 2>&1"],
                        environment: helperEnvironment(), directory: directory + "/pipelines/\(p.name)")
                    let seconds = Date().timeIntervalSince(started)
                    var text = (out?.stdout ?? "") + (out?.stderr ?? "")
                    let timedOut = out?.status == 124 || out?.status == 137
                    if timedOut { text += "\n(the tests ran longer than \(TestSeconds.seconds(limit)) s — the pipeline's test_timeout — and were killed)" }
                    let passed = out?.status == 0
                    let ran = text.split(separator: "\n").last { $0.hasPrefix("Ran ") }.map(String.init)
                    let summary =
                        "\(p.name): " + (passed ? "tests passed" : timedOut ? "tests TIMED OUT after \(TestSeconds.seconds(limit)) s" : "tests FAILED (exit \(out?.status ?? -1))")
                        + (ran.map { " — \($0.dropFirst(4))" } ?? "") + String(format: " (%.1f s)", seconds)
                    return (i, TestResult(pipeline: p.name, command: command, passed: passed, seconds: seconds, output: text, summary: summary))
                }
            }
            while next < min(2, jobs.count) { add(next); next += 1 }
            for await r in group {
                results.append(r)
                if next < jobs.count { add(next); next += 1 }
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Seconds as `timeout` takes them: `600`, `0.5`.
    enum TestSeconds {
        static func seconds(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
    }

    /// What helper processes of a release get: a plain PATH and locale, no Weft or git variables, no bytecode files.
    static func helperEnvironment() -> [String: String] {
        let env = ProcessInfo.processInfo.environment
        var out: [String: String] = ["PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"]
        out["PATH"] = env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if let home = env["HOME"] { out["HOME"] = home }
        return out
    }

    static let script = #"""
import hashlib, io, json, os, py_compile, re, subprocess, sys, zipfile
req = json.load(sys.stdin)
results = []
def sha(data): return hashlib.sha256(data).hexdigest()
for p in req["pipelines"]:
    d, name, kind = p["dir"], p["name"], p["kind"]
    files = []
    for root, dirs, fs in os.walk(d):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(fs):
            if f.endswith(".pyc"): continue
            files.append(os.path.relpath(os.path.join(root, f), d))
    files.sort()
    errors = []
    if p["entry"] not in files:
        errors.append({"file": p["entry"], "line": None, "message": "the pipeline's entry file is missing"})
    for rel in files:
        full = os.path.join(d, rel)
        if kind in ("python", "pyspark") and rel.endswith(".py"):
            try:
                py_compile.compile(full, cfile=os.path.join(req["pyc"], name, rel + "c"), doraise=True)
            except py_compile.PyCompileError as e:
                v = e.exc_value
                errors.append({"file": rel, "line": getattr(v, "lineno", None),
                               "message": "%s: %s" % (type(v).__name__, getattr(v, "msg", str(v)))})
        elif kind == "shell" and (rel.endswith(".sh") or rel == p["entry"]):
            r = subprocess.run(["sh", "-n", full], capture_output=True, text=True)
            if r.returncode != 0:
                m = re.search(r":\s*(?:line\s*)?(\d+):\s*(.*)", r.stderr)
                errors.append({"file": rel, "line": int(m.group(1)) if m else None,
                               "message": (m.group(2) if m else r.stderr).strip() or "sh -n failed"})
    if errors:
        results.append({"name": name, "errors": errors})
        continue
    manifest = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for rel in files:
            with open(os.path.join(d, rel), "rb") as fh: data = fh.read()
            manifest[rel] = sha(data)
            zi = zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
        zi = zipfile.ZipInfo("MANIFEST.json", date_time=(1980, 1, 1, 0, 0, 0))
        zi.external_attr = 0o644 << 16
        z.writestr(zi, json.dumps({"pipeline": name, "kind": kind, "files": manifest}, sort_keys=True, indent=1) + "\n")
    data = buf.getvalue()
    digest = sha(data)
    path = os.path.join(req["out"], "%s-%s.zip" % (name, digest[:16]))
    with open(path, "wb") as fh: fh.write(data)
    results.append({"name": name, "zip": path, "sha256": digest, "files": manifest})
json.dump(results, sys.stdout)
"""#
}
