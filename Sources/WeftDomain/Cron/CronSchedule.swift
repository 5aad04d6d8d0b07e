import Foundation

/// Which cron language an expression is written in.
public enum CronDialect: String, Sendable, Hashable {
    /// 5 fields (minute hour day-of-month month day-of-week) with the meaning
    /// Apache Airflow gives them through croniter.
    case unix
    /// 6 or 7 fields (seconds minutes hours day-of-month month day-of-week
    /// [year]) with the meaning Databricks gives them through Quartz.
    case quartz
}

/// A parsed cron expression that computes fire times in an IANA time zone.
///
/// **5 fields (`.unix`)** follow croniter 7 as Apache Airflow 3 uses it:
/// numbers, `*`, ranges (wrapping ones like `22-2` too), steps (`*/5`, `5/15`,
/// `1-30/7`), lists, names `JAN`–`DEC` and `SUN`–`SAT` (any case), day-of-week
/// 0–7 with 0 and 7 = Sunday, `?` as `*` in the day fields, `L` (last day) in
/// day-of-month, and the macros `@hourly @daily @midnight @weekly @monthly
/// @quarterly @yearly @annually`. When both day-of-month and day-of-week are
/// restricted a day matches if *either* matches. croniter quirks are kept:
/// an equal range such as `5-5` means the whole field, and a field listing
/// every value counts as `*` (for the two day fields only when the other day
/// field's text contains `*`). Not supported: `#`, `L` in day-of-week, `W`,
/// and croniter's hashed `H` syntax.
///
/// **6/7 fields (`.quartz`)** follow Quartz 2.3.2's `CronExpression`: exactly
/// one of day-of-month and day-of-week must be `?`; day-of-week 1–7 with
/// 1 = Sunday or `SUN`–`SAT`; `L`, `L-3`, `LW`, `15W` in day-of-month; `6L`
/// (last Friday), `6#3` (third Friday) and a lone `L` (= 7, Saturday, as in
/// Quartz) in day-of-week; ranges, wrapping ranges, steps (`0/15`, `*/5`,
/// `10-40/10`), lists; years 1970–2099. Weft is stricter than Quartz where
/// Quartz silently ignores text (a step after a name, `W` inside a list,
/// increments of 0, more than 7 fields, years outside 1970–2099).
///
/// Daylight-saving behaviour follows each reference; see `nextFireTimes(after:in:count:)`.
public struct CronSchedule: Sendable, Hashable {
    enum Spec: Sendable, Hashable {
        case unix(UnixCronSpec)
        case quartz(QuartzCronSpec)
    }

    /// The expression as given.
    public let expression: String
    let spec: Spec

    /// Which cron language the expression was read as (by its field count).
    public var dialect: CronDialect {
        switch spec {
        case .unix: return .unix
        case .quartz: return .quartz
        }
    }

    /// Parses `expression`: 5 fields (or a macro such as `@daily`) are read as
    /// Airflow/croniter cron, 6 or 7 fields as Quartz cron.
    /// - Throws: `CronError` naming the bad field and what it expects.
    public init(parsing expression: String) throws(CronError) {
        self.expression = expression
        let trimmed = expression.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("@") {
            guard let fields = UnixCronParser.fields(of: trimmed), fields.count == 5 else {
                throw CronError(
                    expression: expression, fieldIndex: nil, fieldName: nil, fieldText: nil,
                    reason: "unknown macro '\(trimmed)'; expected @hourly, @daily, @midnight, @weekly, @monthly, @quarterly, @yearly or @annually")
            }
            spec = .unix(try UnixCronParser.parse(fields, expression: expression))
            return
        }
        let fields = UnixCronParser.splitFields(trimmed)
        switch fields.count {
        case 5:
            spec = .unix(try UnixCronParser.parse(fields.map { $0.lowercased() }, expression: expression))
        case 6, 7:
            spec = .quartz(try QuartzCronParser.parse(fields, expression: expression))
        default:
            throw CronError(
                expression: expression, fieldIndex: nil, fieldName: nil, fieldText: nil,
                reason: "expected 5 fields (minute hour day-of-month month day-of-week) or 6-7 Quartz fields (seconds minutes hours day-of-month month day-of-week [year]), got \(fields.count)")
        }
    }

    /// The first fire time strictly after `after`, or `nil` if there is none
    /// (an expression that never fires, such as the 30th of February, or no fire
    /// before the search limit: 50 years ahead for 5 fields, like croniter; the
    /// year 2099 for Quartz).
    public func next(after: Date, in timeZone: TimeZone) -> Date? {
        let zone = CronZone(timeZone: timeZone)
        return nextInstant(after: after.timeIntervalSince1970, zone: zone).map { Date(timeIntervalSince1970: $0) }
    }

    private func nextInstant(after: Double, zone: CronZone) -> Double? {
        switch spec {
        case .unix(let unix): return unix.next(after: after, zone: zone)
        case .quartz(let quartz): return quartz.next(after: after, zone: zone).map(Double.init)
        }
    }

    /// Up to `count` fire times, each strictly after the one before, the first
    /// strictly after `after`; fewer when the schedule runs out.
    ///
    /// Times are computed on the wall clock of `timeZone`. Daylight-saving rules,
    /// each matching its reference (checked against croniter + Airflow's code and
    /// the real Quartz 2.3.2):
    ///
    /// | | 5 fields (Airflow/croniter) | 6/7 fields (Quartz) |
    /// |---|---|---|
    /// | time in a spring-forward gap | fires at the same distance past the gap (02:30 in a 02:00→03:00 gap runs at 03:30 new time) | skipped: `0 30 2 * * ?` does not fire that day |
    /// | time repeated by fall-back | fires once, at the second (standard-time) occurrence; if the hour field is `*`, fires in both occurrences | fires once, at the second (standard-time) occurrence, even for `0 30 * * * ?` |
    ///
    /// For 5 fields each step is Airflow's `CronMixin._get_next`: croniter on the
    /// naive wall clock, localized with `fold=1`; when the hour field is `*`
    /// Airflow instead adds the naive wall-clock distance to the current instant.
    /// Weft keeps the consequence Airflow has: when that distance spans a change
    /// of offset (e.g. `0 * * * 1` from a Monday evening across a Sunday change)
    /// the next time is shifted by the change (01:00 instead of 00:00).
    public func nextFireTimes(after: Date, in timeZone: TimeZone, count: Int) -> [Date] {
        let zone = CronZone(timeZone: timeZone)
        var result: [Date] = []
        guard count > 0 else { return result }
        result.reserveCapacity(count)
        var current = after.timeIntervalSince1970
        while result.count < count, let next = nextInstant(after: current, zone: zone) {
            guard next > current else { break }
            result.append(Date(timeIntervalSince1970: next))
            current = next
        }
        return result
    }
}
