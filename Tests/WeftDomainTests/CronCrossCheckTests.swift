import Foundation
import Testing
@testable import WeftDomain

// Cross-checks CronSchedule against independent implementations over thousands of
// random expressions (fixed seed, printed; override with WEFT_CRON_SEED):
//   5 fields  → croniter as Airflow 3 uses it (scripts/cron-reference/croniter_ref.py)
//   6/7 fields → the real Quartz 2.3.2 CronExpression (scripts/cron-reference/QuartzRef.java)
// Start times cluster around daylight-saving changes in Europe/Berlin,
// America/New_York and Australia/Sydney. One reference process per batch.
// Set up the references with scripts/cron-reference/setup.sh; these tests FAIL
// (never skip) when they are missing.

/// CronSplitMix64: small, fast, reproducible.
struct CronSplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum CronCrossCheck {
    /// 2,500 per dialect by default; WEFT_CRON_CASES overrides (for longer local runs).
    static var expressionsPerDialect: Int {
        ProcessInfo.processInfo.environment["WEFT_CRON_CASES"].flatMap { Int($0) } ?? 2500
    }
    static let count = 5

    static var seed: UInt64 {
        if let text = ProcessInfo.processInfo.environment["WEFT_CRON_SEED"], let value = UInt64(text) { return value }
        return 20_261_129
    }

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static let setupHint = "run scripts/cron-reference/setup.sh (creates the croniter venv at ${WEFT_TEST_VENV:-$HOME/.cache/weft/test-venv} and installs libquartz2-java and Java), or set WEFT_CRON_PYTHON to a python with croniter 7.0.0 and pendulum"

    /// DST transitions (UTC) used as anchors for start times.
    static let transitions: [(zone: String, utc: String)] = [
        ("Europe/Berlin", "2026-03-29T01:00:00Z"), ("Europe/Berlin", "2026-10-25T01:00:00Z"),
        ("Europe/Berlin", "2027-03-28T01:00:00Z"), ("Europe/Berlin", "2025-10-26T01:00:00Z"),
        ("America/New_York", "2026-03-08T07:00:00Z"), ("America/New_York", "2026-11-01T06:00:00Z"),
        ("America/New_York", "2027-03-14T07:00:00Z"),
        ("Australia/Sydney", "2026-04-04T16:00:00Z"), ("Australia/Sydney", "2026-10-03T16:00:00Z"),
    ]
    static let otherZones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]

    static func startTime(_ rng: inout CronSplitMix64) -> (zone: String, from: Int) {
        if Int.random(in: 0..<10, using: &rng) < 8 {
            let anchor = transitions[Int.random(in: 0..<transitions.count, using: &rng)]
            let base = Int(parseISO8601(anchor.utc, defaultTimeZone: .gmt)?.timeIntervalSince1970 ?? 0)
            // Within two days before to half a day after the change; often on whole minutes.
            var from = base + Int.random(in: -172_800...43_200, using: &rng)
            if Bool.random(using: &rng) { from -= CronCivil.floorMod(from, 60) }
            if Int.random(in: 0..<4, using: &rng) == 0 { from -= CronCivil.floorMod(from, 3600) }
            return (anchor.zone, from)
        }
        let zone = otherZones[Int.random(in: 0..<otherZones.count, using: &rng)]
        var from = Int.random(in: 1_704_067_200...1_893_456_000, using: &rng) // 2024…2030
        if Bool.random(using: &rng) { from -= CronCivil.floorMod(from, 60) }
        return (zone, from)
    }

    // MARK: Expression generators

    static func pick<T>(_ items: [T], _ rng: inout CronSplitMix64) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }

    /// A generic numeric field item over lo...hi.
    static func numericItem(_ lo: Int, _ hi: Int, _ rng: inout CronSplitMix64, allowWrap: Bool, name: ((Int) -> String)? = nil) -> String {
        func v(_ x: Int) -> String {
            if let name, Int.random(in: 0..<3, using: &rng) == 0 { return name(x) }
            return String(x)
        }
        let span = hi - lo
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1, 2:
            return v(Int.random(in: lo...hi, using: &rng))
        case 3:
            return "*/\(Int.random(in: 1...max(1, span / 2), using: &rng))"
        case 4, 5:
            var a = Int.random(in: lo...hi, using: &rng)
            var b = Int.random(in: lo...hi, using: &rng)
            if a == b { b = a == hi ? hi : a + 1; if a == b { a = lo } }
            if !allowWrap && a > b { swap(&a, &b) }
            return "\(v(a))-\(v(b))"
        case 6, 7:
            var a = Int.random(in: lo...hi, using: &rng)
            var b = Int.random(in: lo...hi, using: &rng)
            if a == b { b = a == hi ? hi : a + 1; if a == b { a = lo } }
            if !allowWrap && a > b { swap(&a, &b) }
            return "\(a)-\(b)/\(Int.random(in: 1...max(1, span / 3), using: &rng))"
        default:
            return "\(Int.random(in: lo...hi, using: &rng))/\(Int.random(in: 1...max(1, span / 2), using: &rng))"
        }
    }

    static func list(_ lo: Int, _ hi: Int, _ rng: inout CronSplitMix64, allowWrap: Bool, name: ((Int) -> String)? = nil) -> String {
        if Int.random(in: 0..<4, using: &rng) == 0 {
            let n = Int.random(in: 2...3, using: &rng)
            return (0..<n).map { _ in numericItem(lo, hi, &rng, allowWrap: allowWrap, name: name) }.joined(separator: ",")
        }
        return numericItem(lo, hi, &rng, allowWrap: allowWrap, name: name)
    }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func unixExpression(_ rng: inout CronSplitMix64) -> String {
        if Int.random(in: 0..<40, using: &rng) == 0 {
            return pick(["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually"], &rng)
        }
        let minute = Int.random(in: 0..<5, using: &rng) == 0 ? "*" : list(0, 59, &rng, allowWrap: true)
        let hour: String
        switch Int.random(in: 0..<6, using: &rng) {
        case 0, 1: hour = "*"
        case 2: hour = pick(["2", "1-3", "2,3", "0-4/2", "1,2,3", "*/2", "3", "0-23"], &rng)
        default: hour = list(0, 23, &rng, allowWrap: true)
        }
        let dom: String
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1, 2, 3: dom = "*"
        case 4: dom = pick(["L", "?", "1,L", "15-L", "28-31"], &rng)
        default: dom = list(1, 31, &rng, allowWrap: true)
        }
        let month = Int.random(in: 0..<2, using: &rng) == 0 ? "*"
            : list(1, 12, &rng, allowWrap: true, name: { monthNames[$0 - 1].uppercased() })
        let dow: String
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1, 2, 3: dow = "*"
        case 4: dow = pick(["?", "mon-fri", "SAT,SUN", "7", "0", "5-7", "1-7", "0-6", "fri-mon"], &rng)
        default: dow = list(0, 7, &rng, allowWrap: true, name: { dayNames[$0 % 7] })
        }
        return [minute, hour, dom, month, dow].joined(separator: " ")
    }

    static func quartzExpression(_ rng: inout CronSplitMix64) -> String {
        let second = pick(["0", "0", "0", "30", "*/15", "0,30", "5/20", "10-40/10", "*/20"], &rng)
        let minute = Int.random(in: 0..<4, using: &rng) == 0 ? pick(["*", "0", "30", "*/15"], &rng) : list(0, 59, &rng, allowWrap: true)
        let hour: String
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: hour = "*"
        case 1, 2: hour = pick(["2", "1-3", "2,3", "0-4/2", "1,2,3", "*/2", "3", "0/3", "22-3", "1"], &rng)
        default: hour = list(0, 23, &rng, allowWrap: true)
        }
        var dom = "?"
        var dow = "?"
        if Bool.random(using: &rng) {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1, 2: dom = "*"
            case 3: dom = pick(["L", "LW", "L-1", "L-2W", "L-\(Int.random(in: 0...30, using: &rng))"], &rng)
            case 4: dom = "\(Int.random(in: 1...31, using: &rng))W"
            case 5: dom = pick(["1W", "31W", "30W", "15W", "1", "31", "30", "29"], &rng)
            default: dom = list(1, 31, &rng, allowWrap: true)
            }
        } else {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0, 1, 2: dow = "*"
            case 3: dow = "\(Int.random(in: 1...7, using: &rng))L"
            case 4: dow = "\(Int.random(in: 1...7, using: &rng))#\(Int.random(in: 1...5, using: &rng))"
            case 5: dow = pick(["MON-FRI", "SAT,SUN", "FRI#2", "SUNL", "L", "FRI-MON", "MON", "2-6"], &rng)
            default: dow = list(1, 7, &rng, allowWrap: true, name: { dayNames[$0 - 1].uppercased() })
            }
        }
        let month = Int.random(in: 0..<2, using: &rng) == 0 ? "*"
            : list(1, 12, &rng, allowWrap: true, name: { monthNames[$0 - 1].uppercased() })
        var fields = [second, minute, hour, dom, month, dow]
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: fields.append("*")
        case 1: fields.append(pick(["2026-2030", "2026/2", "2027,2029", "2026", "2028-2035/3"], &rng))
        default: break
        }
        return fields.joined(separator: " ")
    }

    // MARK: Running the references

    struct Case {
        let expression: String
        let zone: String
        let from: Int
    }

    static func run(_ executable: String, _ arguments: [String], input: String, environment: [String: String]? = nil) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = Data(input.utf8)
        let writer = Thread {
            stdin.fileHandleForWriting.write(data)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorBox = ErrorBox()
        let errorReader = Thread {
            errorBox.set(stderr.fileHandleForReading.readDataToEndOfFile())
        }
        errorReader.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.isSet { Thread.sleep(forTimeInterval: 0.01) }
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: errorBox.value, as: UTF8.self))
    }

    final class ErrorBox: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private var done = false
        func set(_ value: Data) { lock.lock(); data = value; done = true; lock.unlock() }
        var isSet: Bool { lock.lock(); defer { lock.unlock() }; return done }
        var value: Data { lock.lock(); defer { lock.unlock() }; return data }
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func describe(_ times: [Int], _ zone: String) -> String {
        let tz = TimeZone(identifier: zone) ?? .gmt
        return "[" + times.map { iso8601WithOffset(Date(timeIntervalSince1970: TimeInterval($0)), in: tz) }.joined(separator: ", ") + "]"
    }

    static func compare(_ cases: [Case], reference: [String?], label: String) -> [String] {
        var mismatches: [String] = []
        for (c, ref) in zip(cases, reference) {
            let tz = TimeZone(identifier: c.zone) ?? .gmt
            let fromText = iso8601WithOffset(Date(timeIntervalSince1970: TimeInterval(c.from)), in: tz)
            let mine: Result<[Int], CronError>
            do {
                let schedule = try CronSchedule(parsing: c.expression)
                mine = .success(schedule.nextFireTimes(after: Date(timeIntervalSince1970: TimeInterval(c.from)), in: tz, count: count)
                    .map { Int($0.timeIntervalSince1970) })
            } catch {
                mine = .failure(error)
            }
            let theirs: [Int]? = ref.map { $0.split(separator: " ").compactMap { Int($0) } }
            switch (mine, theirs) {
            case (.success(let a), .some(let b)) where a == b:
                continue
            case (.failure, .none):
                continue
            case (.success(let a), .some(let b)):
                mismatches.append("\(label) '\(c.expression)' in \(c.zone) after \(fromText): Weft \(describe(a, c.zone)) vs reference \(describe(b, c.zone))")
            case (.success, .none):
                mismatches.append("\(label) '\(c.expression)' in \(c.zone) after \(fromText): Weft accepts it, the reference rejects it")
            case (.failure(let e), .some):
                mismatches.append("\(label) '\(c.expression)' in \(c.zone) after \(fromText): Weft rejects it (\(e)), the reference accepts it")
            }
        }
        return mismatches
    }
}

@Suite("Cron cross-check against croniter and Quartz", .serialized)
struct CronCrossCheckTests {
    @Test("5-field expressions agree with croniter as Airflow uses it")
    func croniterAgreement() throws {
        let env = ProcessInfo.processInfo.environment
        let venv = env["WEFT_TEST_VENV"] ?? (NSHomeDirectory() + "/.cache/weft/test-venv")
        let python = env["WEFT_CRON_PYTHON"] ?? (venv + "/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("croniter reference unavailable: no python at \(python); \(CronCrossCheck.setupHint)")
            return
        }
        let seed = CronCrossCheck.seed
        print("cron cross-check (croniter): seed \(seed), \(CronCrossCheck.expressionsPerDialect) expressions; reproduce with WEFT_CRON_SEED=\(seed)")
        var rng = CronSplitMix64(seed: seed)
        var cases: [CronCrossCheck.Case] = []
        var input = ""
        for _ in 0..<CronCrossCheck.expressionsPerDialect {
            let expression = CronCrossCheck.unixExpression(&rng)
            let (zone, from) = CronCrossCheck.startTime(&rng)
            cases.append(.init(expression: expression, zone: zone, from: from))
            let tz = TimeZone(identifier: zone) ?? .gmt
            let request: [String: Any] = [
                "expr": expression, "tz": zone,
                "from": iso8601WithOffset(Date(timeIntervalSince1970: TimeInterval(from)), in: tz),
                "count": CronCrossCheck.count,
            ]
            let line = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
            input += String(decoding: line, as: UTF8.self) + "\n"
        }
        let script = CronCrossCheck.repoRoot.appendingPathComponent("scripts/cron-reference/croniter_ref.py").path
        let result = try CronCrossCheck.run(python, [script], input: input)
        guard result.status == 0 else {
            Issue.record("croniter reference failed (exit \(result.status)): \(result.error.suffix(2000)); \(CronCrossCheck.setupHint)")
            return
        }
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count == cases.count else {
            Issue.record("croniter reference answered \(lines.count) lines for \(cases.count) requests: \(result.error.suffix(2000))")
            return
        }
        var reference: [String?] = []
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let times = object?["times"] as? [Int] {
                reference.append(times.map(String.init).joined(separator: " "))
            } else {
                reference.append(nil)
            }
        }
        let mismatches = CronCrossCheck.compare(cases, reference: reference, label: "5-field")
        for line in mismatches.prefix(25) { print("MISMATCH " + line) }
        let agree = mismatches.isEmpty
        #expect(agree, "\(mismatches.count) of \(cases.count) 5-field expressions differ from croniter (seed \(seed)); first: \(mismatches.first ?? "")")
    }

    @Test("6/7-field expressions agree with Quartz 2.3.2")
    func quartzAgreement() throws {
        let env = ProcessInfo.processInfo.environment
        let classpath = env["WEFT_QUARTZ_CLASSPATH"] ?? "/usr/share/java/quartz2.jar"
        let java = env["JAVA_HOME"].map { $0 + "/bin/java" } ?? CronCrossCheck.findExecutable("java")
        guard let java, FileManager.default.isExecutableFile(atPath: java) else {
            Issue.record("Quartz reference unavailable: no java found; \(CronCrossCheck.setupHint)")
            return
        }
        guard classpath.split(separator: ":").allSatisfy({ FileManager.default.fileExists(atPath: String($0)) }) else {
            Issue.record("Quartz reference unavailable: \(classpath) missing (Debian package libquartz2-java); \(CronCrossCheck.setupHint)")
            return
        }
        let seed = CronCrossCheck.seed &+ 1
        print("cron cross-check (Quartz): seed \(seed), \(CronCrossCheck.expressionsPerDialect) expressions; reproduce with WEFT_CRON_SEED=\(seed &- 1)")
        var rng = CronSplitMix64(seed: seed)
        var cases: [CronCrossCheck.Case] = []
        var input = ""
        for _ in 0..<CronCrossCheck.expressionsPerDialect {
            let expression = CronCrossCheck.quartzExpression(&rng)
            let (zone, from) = CronCrossCheck.startTime(&rng)
            cases.append(.init(expression: expression, zone: zone, from: from))
            input += "\(expression)\t\(zone)\t\(Int64(from) * 1000)\t\(CronCrossCheck.count)\n"
        }
        let source = CronCrossCheck.repoRoot.appendingPathComponent("scripts/cron-reference/QuartzRef.java").path
        let result = try CronCrossCheck.run(java, ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath, source], input: input)
        guard result.status == 0 else {
            Issue.record("Quartz reference failed (exit \(result.status)): \(result.error.suffix(2000)); \(CronCrossCheck.setupHint)")
            return
        }
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard lines.count == cases.count else {
            Issue.record("Quartz reference answered \(lines.count) lines for \(cases.count) requests: \(result.error.suffix(2000))")
            return
        }
        let reference: [String?] = lines.map { line in
            line.hasPrefix("OK") ? String(line.dropFirst(2)) : nil
        }
        let mismatches = CronCrossCheck.compare(cases, reference: reference, label: "Quartz")
        for line in mismatches.prefix(25) { print("MISMATCH " + line) }
        let agree = mismatches.isEmpty
        #expect(agree, "\(mismatches.count) of \(cases.count) Quartz expressions differ from Quartz 2.3.2 (seed \(seed &- 1)); first: \(mismatches.first ?? "")")
    }
}
