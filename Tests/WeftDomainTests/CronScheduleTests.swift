import Foundation
import Testing
@testable import WeftDomain

private func zone(_ name: String) -> TimeZone {
    guard let tz = TimeZone(identifier: name) else {
        Issue.record("unknown zone \(name)")
        return .gmt
    }
    return tz
}

/// Fire times of `expression` after `from` (ISO 8601, read in `tz` when it has no offset), formatted in `tz`.
private func fires(_ expression: String, _ tzName: String, from: String, count: Int) throws -> [String] {
    let tz = zone(tzName)
    let schedule = try CronSchedule(parsing: expression)
    let start = try #require(parseISO8601(from, defaultTimeZone: tz))
    return schedule.nextFireTimes(after: start, in: tz, count: count).map { iso8601WithOffset($0, in: tz) }
}

struct CronExample: Sendable, CustomTestStringConvertible {
    let expression: String
    let zone: String
    let from: String
    let expected: [String]
    var testDescription: String { "\(expression) in \(zone) after \(from)" }
    init(_ expression: String, _ zone: String = "UTC", from: String, _ expected: [String]) {
        self.expression = expression
        self.zone = zone
        self.from = from
        self.expected = expected
    }
}

@Suite("CronSchedule")
struct CronScheduleTests {
    @Test("dialect follows the field count", arguments: [
        ("* * * * *", CronDialect.unix), ("@daily", .unix), ("@quarterly", .unix),
        ("0 * * * * ?", .quartz), ("0 0 12 ? * MON 2030", .quartz),
    ])
    func dialect(expression: String, dialect: CronDialect) throws {
        #expect(try CronSchedule(parsing: expression).dialect == dialect)
    }

    // Jan 1 2026 is a Thursday.
    static let unixExamples: [CronExample] = [
        .init("*/15 * * * *", from: "2026-01-01T00:07:00Z", ["2026-01-01T00:15:00+00:00", "2026-01-01T00:30:00+00:00", "2026-01-01T00:45:00+00:00"]),
        .init("5/20 10 * * *", from: "2026-01-01T00:00:00Z", ["2026-01-01T10:05:00+00:00", "2026-01-01T10:25:00+00:00", "2026-01-01T10:45:00+00:00"]),
        .init("0 9 * * mon-fri", from: "2026-01-02T10:00:00Z", ["2026-01-05T09:00:00+00:00", "2026-01-06T09:00:00+00:00"]),
        .init("0 9 * * SAT,SUN", from: "2026-01-01T00:00:00Z", ["2026-01-03T09:00:00+00:00", "2026-01-04T09:00:00+00:00", "2026-01-10T09:00:00+00:00"]),
        .init("0 0 * * 7", from: "2026-01-01T00:00:00Z", ["2026-01-04T00:00:00+00:00"]),
        .init("0 0 * * 0", from: "2026-01-01T00:00:00Z", ["2026-01-04T00:00:00+00:00"]),
        .init("0 0 1,15 * *", from: "2026-01-01T00:00:00Z", ["2026-01-15T00:00:00+00:00", "2026-02-01T00:00:00+00:00"]),
        // Both day fields restricted: either may match.
        .init("0 0 13 * 5", from: "2026-01-01T00:00:00Z", ["2026-01-02T00:00:00+00:00", "2026-01-09T00:00:00+00:00", "2026-01-13T00:00:00+00:00", "2026-01-16T00:00:00+00:00"]),
        // Steps start at the field's minimum: */10 in day-of-month is 1,11,21,31.
        .init("0 0 */10 * *", from: "2026-01-01T00:00:00Z", ["2026-01-11T00:00:00+00:00", "2026-01-21T00:00:00+00:00", "2026-01-31T00:00:00+00:00", "2026-02-01T00:00:00+00:00"]),
        .init("0 22-2 * * *", from: "2026-01-01T03:00:00Z", ["2026-01-01T22:00:00+00:00", "2026-01-01T23:00:00+00:00", "2026-01-02T00:00:00+00:00", "2026-01-02T01:00:00+00:00", "2026-01-02T02:00:00+00:00"]),
        .init("0 0 L * *", from: "2026-01-01T00:00:00Z", ["2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00"]),
        .init("0 0 1 jan,JUL *", from: "2026-01-01T00:00:00Z", ["2026-07-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"]),
        .init("0 0 1 nov-feb *", from: "2026-03-01T00:00:00Z", ["2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00"]),
        .init("0 12 ? * 1-5/2", from: "2026-01-01T00:00:00Z", ["2026-01-02T12:00:00+00:00", "2026-01-05T12:00:00+00:00", "2026-01-07T12:00:00+00:00"]),
        .init("@hourly", from: "2026-01-01T00:30:00Z", ["2026-01-01T01:00:00+00:00"]),
        .init("@daily", from: "2026-01-01T00:00:00Z", ["2026-01-02T00:00:00+00:00"]),
        .init("@midnight", from: "2026-01-01T00:00:00Z", ["2026-01-02T00:00:00+00:00"]),
        .init("@weekly", from: "2026-01-01T00:00:00Z", ["2026-01-04T00:00:00+00:00"]),
        .init("@monthly", from: "2026-01-01T00:00:00Z", ["2026-02-01T00:00:00+00:00"]),
        .init("@quarterly", from: "2026-01-01T00:00:00Z", ["2026-04-01T00:00:00+00:00", "2026-07-01T00:00:00+00:00"]),
        .init("@yearly", from: "2026-01-01T00:00:00Z", ["2027-01-01T00:00:00+00:00"]),
        .init("@annually", from: "2026-06-01T00:00:00Z", ["2027-01-01T00:00:00+00:00"]),
    ]

    @Test("5-field syntax", arguments: unixExamples)
    func unixSyntax(example: CronExample) throws {
        #expect(try fires(example.expression, example.zone, from: example.from, count: example.expected.count) == example.expected)
    }

    static let quartzExamples: [CronExample] = [
        .init("30 * * * * ?", from: "2026-01-01T00:00:00Z", ["2026-01-01T00:00:30+00:00", "2026-01-01T00:01:30+00:00"]),
        .init("0 0/15 9 * * ?", from: "2026-01-01T09:05:00Z", ["2026-01-01T09:15:00+00:00", "2026-01-01T09:30:00+00:00", "2026-01-01T09:45:00+00:00", "2026-01-02T09:00:00+00:00"]),
        .init("*/20 0 0 1 1 ?", from: "2026-06-01T00:00:00Z", ["2027-01-01T00:00:00+00:00", "2027-01-01T00:00:20+00:00", "2027-01-01T00:00:40+00:00"]),
        .init("0 0 0 ? * 1", from: "2026-01-01T00:00:00Z", ["2026-01-04T00:00:00+00:00"]), // 1 = Sunday
        .init("0 0 9 ? * MON-FRI", from: "2026-01-02T10:00:00Z", ["2026-01-05T09:00:00+00:00"]),
        .init("0 0 12 ? * 6#3", from: "2026-01-01T00:00:00Z", ["2026-01-16T12:00:00+00:00", "2026-02-20T12:00:00+00:00"]),
        .init("0 0 12 ? * FRI#5", from: "2026-01-01T00:00:00Z", ["2026-01-30T12:00:00+00:00", "2026-05-29T12:00:00+00:00"]),
        .init("0 0 12 ? * 6L", from: "2026-01-01T00:00:00Z", ["2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00"]),
        .init("0 0 12 L * ?", from: "2026-01-01T00:00:00Z", ["2026-01-31T12:00:00+00:00", "2026-02-28T12:00:00+00:00"]),
        .init("0 0 12 L-3 * ?", from: "2026-01-01T00:00:00Z", ["2026-01-28T12:00:00+00:00", "2026-02-25T12:00:00+00:00"]),
        // Jan 31 and Feb 28 2026 are Saturdays.
        .init("0 0 12 LW * ?", from: "2026-01-01T00:00:00Z", ["2026-01-30T12:00:00+00:00", "2026-02-27T12:00:00+00:00"]),
        // Feb 15 2026 is a Sunday.
        .init("0 0 12 15W * ?", from: "2026-02-01T00:00:00Z", ["2026-02-16T12:00:00+00:00", "2026-03-16T12:00:00+00:00"]),
        // W never leaves the month: Saturday Aug 1 2026 moves forward to Monday the 3rd.
        .init("0 0 12 1W * ?", from: "2026-07-02T00:00:00Z", ["2026-08-03T12:00:00+00:00", "2026-09-01T12:00:00+00:00"]),
        .init("0 0 22-2 * * ?", from: "2026-01-01T03:00:00Z", ["2026-01-01T22:00:00+00:00", "2026-01-01T23:00:00+00:00", "2026-01-02T00:00:00+00:00"]),
        .init("0 0 0 1 1 ? 2027", from: "2026-01-01T00:00:00Z", ["2027-01-01T00:00:00+00:00"]),
        .init("0 0 0 1 1 ? 2027,2029", from: "2026-01-01T00:00:00Z", ["2027-01-01T00:00:00+00:00", "2029-01-01T00:00:00+00:00"]),
    ]

    @Test("6/7-field syntax", arguments: quartzExamples)
    func quartzSyntax(example: CronExample) throws {
        #expect(try fires(example.expression, example.zone, from: example.from, count: example.expected.count) == example.expected)
    }

    // Daylight saving. Europe/Berlin: 2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00.
    // America/New_York: 2026-03-08 02:00→03:00, 2026-11-01 02:00→01:00.
    // Australia/Sydney: 2026-04-05 03:00→02:00, 2026-10-04 02:00→03:00.
    static let dstExamples: [CronExample] = [
        // 5 fields (Airflow): a gap time runs just after the gap; a repeated time once, in standard time.
        .init("30 2 * * *", "Europe/Berlin", from: "2026-03-28T12:00:00", ["2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"]),
        .init("30 2 * * *", "Europe/Berlin", from: "2026-10-24T12:00:00", ["2026-10-25T02:30:00+01:00", "2026-10-26T02:30:00+01:00"]),
        // Hour '*': both copies of the repeated hour fire.
        .init("30 * * * *", "Europe/Berlin", from: "2026-10-25T01:00:00+02:00", ["2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00"]),
        .init("*/30 * * * *", "Europe/Berlin", from: "2026-03-29T01:00:00", ["2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"]),
        // Airflow's quirk, kept: the naive distance spans the change, so 00:00 becomes 01:00.
        .init("0 * * * 1", "Europe/Berlin", from: "2026-03-23T23:30:00", ["2026-03-30T01:00:00+02:00", "2026-03-30T02:00:00+02:00"]),
        .init("30 2 * * *", "America/New_York", from: "2026-03-07T12:00:00", ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
        .init("30 1 * * *", "America/New_York", from: "2026-10-31T12:00:00", ["2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00"]),
        .init("30 2 * * *", "Australia/Sydney", from: "2026-04-04T12:00:00", ["2026-04-05T02:30:00+10:00", "2026-04-06T02:30:00+10:00"]),
        .init("30 2 * * *", "Australia/Sydney", from: "2026-10-03T12:00:00", ["2026-10-04T03:30:00+11:00", "2026-10-05T02:30:00+11:00"]),
        // Quartz: a gap time is skipped that day; a repeated time fires once, in standard time.
        .init("0 30 2 * * ?", "Europe/Berlin", from: "2026-03-29T00:00:00", ["2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"]),
        .init("0 30 * * * ?", "Europe/Berlin", from: "2026-03-29T00:00:00", ["2026-03-29T00:30:00+01:00", "2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"]),
        .init("0 30 2 * * ?", "Europe/Berlin", from: "2026-10-24T12:00:00", ["2026-10-25T02:30:00+01:00", "2026-10-26T02:30:00+01:00"]),
        .init("0 30 * * * ?", "Europe/Berlin", from: "2026-10-25T00:00:00+02:00", ["2026-10-25T00:30:00+02:00", "2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00"]),
        .init("0 30 1 * * ?", "America/New_York", from: "2026-10-31T12:00:00", ["2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00"]),
        .init("0 30 2 * * ?", "America/New_York", from: "2026-03-07T12:00:00", ["2026-03-09T02:30:00-04:00"]),
        .init("0 30 2 * * ?", "Australia/Sydney", from: "2026-10-03T12:00:00", ["2026-10-05T02:30:00+11:00"]),
        .init("0 30 2 * * ?", "Australia/Sydney", from: "2026-04-04T12:00:00", ["2026-04-05T02:30:00+10:00"]),
    ]

    @Test("daylight-saving transitions", arguments: dstExamples)
    func daylightSaving(example: CronExample) throws {
        #expect(try fires(example.expression, example.zone, from: example.from, count: example.expected.count) == example.expected)
    }

    @Test("strictly after the start, including fractions of a second")
    func strictlyAfter() throws {
        let schedule = try CronSchedule(parsing: "0 12 * * *")
        let noon = try #require(parseISO8601("2026-01-01T12:00:00Z", defaultTimeZone: .gmt))
        #expect(schedule.next(after: noon, in: .gmt) == noon.addingTimeInterval(86_400))
        #expect(schedule.next(after: noon.addingTimeInterval(-0.5), in: .gmt) == noon)
        let quartz = try CronSchedule(parsing: "0 0 12 * * ?")
        #expect(quartz.next(after: noon, in: .gmt) == noon.addingTimeInterval(86_400))
        #expect(quartz.next(after: noon.addingTimeInterval(-0.5), in: .gmt) == noon)
        #expect(quartz.nextFireTimes(after: noon, in: .gmt, count: 0).isEmpty)
    }

    @Test("expressions that never fire end quickly", arguments: [
        "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 0 30 2 ?", "0 0 0 31 4 ? 2030", "0 0 0 1 1 ? 2020",
    ])
    func neverFires(expression: String) throws {
        let schedule = try CronSchedule(parsing: expression)
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let start = try #require(parseISO8601("2026-01-01T00:00:00Z", defaultTimeZone: .gmt))
            #expect(schedule.nextFireTimes(after: start, in: zone("Europe/Berlin"), count: 3).isEmpty)
            #expect(schedule.next(after: start, in: .gmt) == nil)
        }
        #expect(elapsed < .seconds(2))
    }

    @Test("runs out when the years do")
    func runsOut() throws {
        #expect(try fires("0 0 0 1 1 ? 2027", "UTC", from: "2026-01-01T00:00:00Z", count: 5) == ["2027-01-01T00:00:00+00:00"])
    }

    @Test("hashable and sendable value")
    func valueSemantics() throws {
        let a = try CronSchedule(parsing: "0 0 * * *")
        let b = try CronSchedule(parsing: "0 0 * * *")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a.expression == "0 0 * * *")
    }
}

@Suite("CronError")
struct CronErrorTests {
    static let cases: [(String, Int?, String?, String)] = [
        ("0 0 25 * * ?", 3, "hours", "field 3 (hours): '25' is out of range 0-23"),
        ("0 25 * * *", 2, "hours", "field 2 (hours): '25' is out of range 0-23"),
        ("60 * * * *", 1, "minutes", "out of range 0-59"),
        ("0 0 32 * *", 3, "day-of-month", "out of range 1-31"),
        ("0 0 * 13 *", 4, "month", "out of range 1-12"),
        ("0 0 * foo *", 4, "month", "expected 1-12 or JAN-DEC"),
        ("0 0 * * funday", 5, "day-of-week", "0-7 (0 and 7 = Sunday) or SUN-SAT"),
        ("0 0 * * 8", 5, "day-of-week", "out of range 0-7"),
        ("*/0 * * * *", 1, "minutes", "step '0' must be a positive integer"),
        ("0 0 ? * *", nil, nil, ""), // '?' is '*' in croniter's day fields: valid
        ("0 ? * * *", 2, "hours", "'?' is only allowed in day-of-month or day-of-week"),
        ("0 0 * * 1#2", 5, "day-of-week", "not supported in 5-field expressions"),
        ("0 0 0 * * *", 6, "day-of-week", "exactly one of day-of-month (field 4) and day-of-week (field 6) must be '?'"),
        ("0 0 0 ? * ?", 6, "day-of-week", "both are '?'"),
        ("0 0 0 ? * 0", 6, "day-of-week", "'0' is out of range 1-7"),
        ("0 0 0 ? * 6#6", 6, "day-of-week", "'#' must be followed by a number from 1 to 5"),
        ("0 0 0 L-31 * ?", 4, "day-of-month", "at most 30"),
        ("0 0 0 L,15 * ?", 4, "day-of-month", "cannot be combined"),
        ("60 0 0 * * ?", 1, "seconds", "'60' is out of range 0-59"),
        ("0 0 0 ? * MON 1969", 7, "year", "out of range 1970-2099"),
        ("0 0 0 ? JAN-3 *", 5, "month", "two numbers or two names"),
        ("0 0 0 ? * MON/2", 6, "day-of-week", "a step cannot follow a name"),
        ("* * * *", nil, nil, "got 4"),
        ("0 0 0 0 0 0 0 0", nil, nil, "got 8"),
        ("@fortnightly", nil, nil, "unknown macro"),
    ]

    @Test("errors name the field and what is expected", arguments: cases)
    func errors(expression: String, index: Int?, name: String?, fragment: String) {
        if expression == "0 0 ? * *" {
            #expect(throws: Never.self) { try CronSchedule(parsing: expression) }
            return
        }
        do {
            _ = try CronSchedule(parsing: expression)
            Issue.record("'\(expression)' should be rejected")
        } catch {
            #expect(error.fieldIndex == index)
            #expect(error.fieldName == name)
            #expect(error.description.contains(fragment), "\(error.description)")
            #expect(error.description.contains("'\(expression)'"))
            #expect(error.expression == expression)
        }
    }
}

@Suite("ISO 8601 helpers")
struct CronISO8601Tests {
    @Test("formats with the zone's offset")
    func format() throws {
        let date = Date(timeIntervalSince1970: 1_774_746_000) // 2026-03-29T01:00:00Z
        #expect(iso8601WithOffset(date, in: zone("Europe/Berlin")) == "2026-03-29T03:00:00+02:00")
        #expect(iso8601WithOffset(date, in: zone("America/New_York")) == "2026-03-28T21:00:00-04:00")
        #expect(iso8601WithOffset(date, in: zone("Asia/Kolkata")) == "2026-03-29T06:30:00+05:30")
        #expect(iso8601WithOffset(date, in: .gmt) == "2026-03-29T01:00:00+00:00")
        #expect(iso8601WithOffset(date.addingTimeInterval(0.75), in: .gmt) == "2026-03-29T01:00:00+00:00")
    }

    @Test("parses with and without offsets and seconds", arguments: [
        ("2026-03-29T03:00:00+02:00", 1_774_746_000.0),
        ("2026-03-29T01:00:00Z", 1_774_746_000),
        ("2026-03-29T01:00Z", 1_774_746_000),
        ("2026-03-29 01:00:00z", 1_774_746_000),
        ("2026-03-29T03:00+0200", 1_774_746_000),
        ("2026-03-28T21:00-04", 1_774_746_000),
        ("2026-03-29T01:00:00.250Z", 1_774_746_000.25),
        // No offset: read in the default zone (Europe/Berlin).
        ("2026-03-29T03:00:00", 1_774_746_000),
        ("2026-03-29T03:00", 1_774_746_000),
        ("2026-03-29", 1_774_738_800),
        // In the gap: 02:30 is read with the old offset (= 03:30 CEST).
        ("2026-03-29T02:30", 1_774_747_800),
        // Repeated: 02:30 on 2026-10-25 is read as the second (CET) occurrence.
        ("2026-10-25T02:30", 1_792_891_800),
    ])
    func parse(text: String, expected: Double) throws {
        let date = try #require(parseISO8601(text, defaultTimeZone: zone("Europe/Berlin")))
        #expect(date.timeIntervalSince1970 == expected)
    }

    @Test("rejects malformed text", arguments: [
        "", "2026", "2026-13-01T00:00", "2026-02-30T00:00", "2026-01-01T24:00", "2026-01-01T10", "2026-01-01T10:00+25:00",
        "2026-01-01T10:00:00 garbage", "yesterday",
    ])
    func rejects(text: String) {
        #expect(parseISO8601(text, defaultTimeZone: .gmt) == nil)
    }
}

@Suite("Cron throughput")
struct CronThroughputTests {
    @Test("thousands of next-time computations per second")
    func throughput() throws {
        let expressions = [
            "*/5 * * * *", "0 9 * * mon-fri", "30 2 * * *", "0 0 13 * 5", "0 0 L * *",
            "0 */15 * * * ?", "0 30 2 ? * 6L", "0 0 12 15W * ?", "0 0 9 ? * 2#1", "0 0 0 L-2 * ? 2026-2040",
        ].map { try? CronSchedule(parsing: $0) }.compactMap { $0 }
        #expect(expressions.count == 10)
        let tz = zone("Europe/Berlin")
        var current = Date(timeIntervalSince1970: 1_774_000_000)
        let clock = ContinuousClock()
        var computed = 0
        let elapsed = clock.measure {
            for _ in 0..<200 {
                for schedule in expressions {
                    if let next = schedule.next(after: current, in: tz) {
                        computed += 1
                        if schedule.expression == "*/5 * * * *" { current = next.addingTimeInterval(3_600 * 7) }
                    }
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perSecond = Double(computed) / max(seconds, 1e-9)
        print("cron throughput: \(computed) next-time computations in \(String(format: "%.3f", seconds)) s = \(Int(perSecond))/s")
        #expect(perSecond > 2_000)
    }
}
