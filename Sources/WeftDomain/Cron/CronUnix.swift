import Foundation

/// A parsed 5-field (minute hour day-of-month month day-of-week) expression with
/// the meaning croniter gives it, as Apache Airflow uses it.
struct UnixCronSpec: Sendable, Hashable {
    var minutes: UInt64 = 0
    var hours: UInt64 = 0
    /// Bits 1...31 (croniter also lets a range start at 0; bit 0 then never matches).
    var days: UInt64 = 0
    /// The day-of-month field contains `L` (last day of the month).
    var lastDayOfMonth = false
    /// Bits 1...12 (bit 0 as for `days`).
    var months: UInt64 = 0
    /// Bits 0...6, 0 = Sunday.
    var weekdays: UInt64 = 0
    /// croniter's "expanded to `*`" flags, which decide the day-of-month /
    /// day-of-week OR rule and Airflow's every-hour fold rule.
    var dayOfMonthIsStar = false
    var dayOfWeekIsStar = false
    var hourIsStar = false
}

enum UnixCronParser {
    static let fieldNames = ["minutes", "hours", "day-of-month", "month", "day-of-week"]
    static let ranges: [(Int, Int)] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)]
    static let lenMeansAll = [60, 24, 31, 12, 7]

    /// Airflow's presets (`airflow.utils.dates.cron_presets`, matched exactly),
    /// then croniter's aliases (matched case-insensitively).
    static let airflowPresets: [String: String] = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@quarterly": "0 0 1 */3 *", "@yearly": "0 0 1 1 *",
    ]
    static let croniterAliases: [String: String] = [
        "@midnight": "0 0 * * *", "@hourly": "0 * * * *", "@daily": "0 0 * * *",
        "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Expands macros; returns the lower-cased fields.
    static func fields(of expression: String) -> [String]? {
        var text = airflowPresets[expression] ?? expression
        text = text.lowercased()
        if let alias = croniterAliases[text] { text = alias }
        return splitFields(text)
    }

    static func splitFields(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" })
            .map(String.init)
    }

    static func parse(_ fields: [String], expression: String) throws(CronError) -> UnixCronSpec {
        var spec = UnixCronSpec()
        var sets: [Set<Int>] = []
        var hasStar: [Bool] = []
        for (index, raw) in fields.enumerated() {
            let (values, star, last) = try expandField(raw, index: index, expression: expression)
            sets.append(values)
            hasStar.append(star)
            if index == 2 { spec.lastDayOfMonth = last }
        }
        // croniter replaces a field listing every value by '*', except that a full
        // day-of-month (day-of-week) list stays a list unless the other day field's
        // text contains '*'.
        var isStar = [Bool](repeating: false, count: 5)
        for index in 0..<5 {
            let count = sets[index].count + (index == 2 && spec.lastDayOfMonth ? 1 : 0)
            if hasStar[index] {
                isStar[index] = true
            } else if count == lenMeansAll[index] {
                if (index == 2 && !fields[4].contains("*")) || (index == 4 && !fields[2].contains("*")) {
                    isStar[index] = false
                } else {
                    isStar[index] = true
                }
            }
        }
        func mask(_ index: Int) -> UInt64 {
            if isStar[index] {
                var m: UInt64 = 0
                for v in ranges[index].0...ranges[index].1 { m |= 1 << UInt64(v) }
                return m
            }
            return sets[index].reduce(0) { $0 | (1 << UInt64($1)) }
        }
        spec.minutes = mask(0)
        spec.hours = mask(1)
        spec.days = mask(2)
        if isStar[2] { spec.lastDayOfMonth = false }
        spec.months = mask(3)
        spec.weekdays = mask(4)
        spec.dayOfMonthIsStar = isStar[2]
        spec.dayOfWeekIsStar = isStar[4]
        spec.hourIsStar = isStar[1]
        return spec
    }

    private static func isDigits(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Expands one field the way croniter 7 does for plain values, names,
    /// ranges (including wrapping ranges), steps and lists.
    static func expandField(_ raw: String, index: Int, expression: String) throws(CronError) -> (Set<Int>, Bool, Bool) {
        func fail(_ reason: String) -> CronError {
            CronError(expression: expression, fieldIndex: index + 1, fieldName: fieldNames[index], fieldText: raw, reason: reason)
        }
        let (low0, high0) = ranges[index]
        var expr = raw
        if expr.contains("?") {
            guard expr == "?" else { throw fail("'?' cannot be combined with other characters") }
            guard index == 2 || index == 4 else {
                throw fail("'?' is only allowed in day-of-month or day-of-week")
            }
            expr = "*"
        }
        var values = Set<Int>()
        var star = false
        var last = false
        let items = expr.split(separator: ",", omittingEmptySubsequences: false)
        for item in items {
            if item.isEmpty { throw fail("empty list item; expected values separated by ','") }
            if item.contains("#") || (index == 4 && item.hasPrefix("l")) {
                throw fail("'\(item)': nth-weekday ('#') and last-weekday ('L') syntax is not supported in 5-field expressions")
            }
            if index == 2 && (item.contains("w")) {
                throw fail("'\(item)': nearest-weekday ('W') syntax is not supported in 5-field expressions")
            }
            // "*/n" → "min-max/n"
            var text = String(item)
            if text.hasPrefix("*/") { text = "\(low0)-\(high0)" + text.dropFirst(1) }
            var parts = splitRange(text)
            var startWithStep = false
            if parts == nil, let slash = text.firstIndex(of: "/"), slash != text.startIndex,
               text.index(after: slash) != text.endIndex {
                // "a/n" → "a-max/n"
                let normalized = text[..<slash] + "-\(high0)" + text[slash...]
                parts = splitRange(String(normalized))
                startWithStep = parts != nil
            }
            if let (lowText, highTextRaw, stepText) = parts {
                var highText = highTextRaw
                if index == 2 && highText == "l" { highText = "31" }
                let step: Int
                if let stepText {
                    guard isDigits(stepText), let s = Int(stepText), s > 0 else {
                        throw fail("step '\(stepText)' must be a positive integer")
                    }
                    step = s
                } else {
                    step = 1
                }
                var low = try number(lowText, index: index, fail: fail)
                var high = try number(highText, index: index, fail: fail)
                if index == 4 {
                    if low == 7 { low = 0 }
                    if high == 7 { high = 0 }
                }
                if max(low, high) > high0 {
                    throw fail("'\(item)' is out of range \(low0)-\(index == 4 ? 7 : high0)")
                }
                let startAtFieldMax = startWithStep && low == high
                if low == high && !startWithStep {
                    // croniter reads an equal range such as "5-5" as the whole field.
                    low = low0
                    high = high0
                }
                var range: [Int]
                if startAtFieldMax {
                    range = [low]
                } else if low > high {
                    range = Array(stride(from: low, through: high0, by: step))
                    var toSkip = 0
                    if let lastValue = range.last {
                        let alreadySkipped = high0 - lastValue
                        let position = lastValue - low0
                        if position + step > high0 - low0 + 1 && alreadySkipped < step {
                            toSkip = step - alreadySkipped
                        }
                    }
                    if low0 + toSkip <= high {
                        range += Array(stride(from: low0 + toSkip, through: high, by: step))
                    }
                } else {
                    range = Array(stride(from: low, through: high, by: step))
                }
                values.formUnion(range)
            } else {
                if text.hasPrefix("-") { throw fail("negative numbers are not allowed") }
                if text == "*" {
                    star = true
                    continue
                }
                if index == 2 && text == "l" {
                    last = true
                    continue
                }
                var value = try number(Substring(text), index: index, fail: fail)
                if index == 4 && value == 7 { value = 0 }
                guard value >= low0 && value <= high0 else {
                    throw fail("'\(item)' is out of range \(low0)-\(index == 4 ? 7 : high0)")
                }
                values.insert(value)
            }
        }
        return (values, star, last)
    }

    /// Matches croniter's `^([^-]+)-([^-/]+)(/(\d+))?$`.
    private static func splitRange(_ text: String) -> (Substring, Substring, Substring?)? {
        guard let dash = text.firstIndex(of: "-"), dash != text.startIndex else { return nil }
        let low = text[..<dash]
        let rest = text[text.index(after: dash)...]
        if low.contains("-") || rest.isEmpty { return nil }
        if let slash = rest.firstIndex(of: "/") {
            let high = rest[..<slash]
            let step = rest[rest.index(after: slash)...]
            guard !high.isEmpty, !high.contains("-"), isDigits(step) else { return nil }
            return (low, high, step)
        }
        if rest.contains("-") { return nil }
        return (low, rest, nil)
    }

    private static func number(_ text: Substring, index: Int, fail: (String) -> CronError) throws(CronError) -> Int {
        if isDigits(text), let value = Int(text) { return value }
        if index == 3, let i = monthNames.firstIndex(of: String(text)) { return i + 1 }
        if index == 4, let i = dayNames.firstIndex(of: String(text)) { return i }
        switch index {
        case 3: throw fail("'\(text)' is not a month; expected 1-12 or JAN-DEC")
        case 4: throw fail("'\(text)' is not a day of week; expected 0-7 (0 and 7 = Sunday) or SUN-SAT")
        default: throw fail("'\(text)' is not a number")
        }
    }
}

extension UnixCronSpec {
    private static func nextBit(_ mask: UInt64, from: Int) -> Int? {
        guard from < 64 else { return nil }
        let shifted = mask >> UInt64(from)
        return shifted == 0 ? nil : from + shifted.trailingZeroBitCount
    }

    private func dayMatches(_ dayNumber: Int, year: Int, month: Int, day: Int) -> Bool {
        let dom = (days & (1 << UInt64(day))) != 0
            || (lastDayOfMonth && day == CronCivil.daysInMonth(year: year, month: month))
        let dow = (weekdays & (1 << UInt64(CronCivil.weekday(dayNumber)))) != 0
        if !dayOfMonthIsStar && !dayOfWeekIsStar { return dom || dow }
        return dom && dow
    }

    /// The first matching wall-clock minute (in local seconds) at or after
    /// `startMinute` (local minutes), searching at most 50 years like croniter.
    func nextWallMinute(atOrAfter startMinute: Int) -> Int? {
        var dayNumber = CronCivil.floorDiv(startMinute, 1440)
        var minuteOfDay = startMinute - dayNumber * 1440
        let limit = dayNumber + 50 * 366
        while dayNumber <= limit {
            let (y, m, d) = CronCivil.civil(dayNumber)
            if months & (1 << UInt64(m)) == 0 {
                dayNumber = CronCivil.dayNumber(year: y, month: m + 1, day: 1)
                minuteOfDay = 0
                continue
            }
            if dayMatches(dayNumber, year: y, month: m, day: d) {
                let hour = minuteOfDay / 60
                if let h = Self.nextBit(hours, from: hour) {
                    let fromMinute = h == hour ? minuteOfDay % 60 : 0
                    if let minute = Self.nextBit(minutes, from: fromMinute) {
                        return (dayNumber * 1440 + h * 60 + minute) * 60
                    }
                    if let h2 = Self.nextBit(hours, from: h + 1), let minute = Self.nextBit(minutes, from: 0) {
                        return (dayNumber * 1440 + h2 * 60 + minute) * 60
                    }
                }
            }
            dayNumber += 1
            minuteOfDay = 0
        }
        return nil
    }

    /// Airflow's `CronMixin._get_next`: croniter runs on the naive wall-clock
    /// time; the result is localized with `fold=1` (see `CronZone.instant(ofWall:)`),
    /// except when the hour field is `*`, where Airflow adds the naive difference
    /// to the current instant so that both copies of a repeated hour fire.
    func next(after instant: Double, zone: CronZone) -> Double? {
        let whole = Int(instant.rounded(.down))
        let fraction = instant - Double(whole)
        let wall = zone.wall(of: whole)
        let startMinute = CronCivil.floorDiv(wall, 60) + 1
        guard let nextWall = nextWallMinute(atOrAfter: startMinute) else { return nil }
        if hourIsStar {
            return instant + (Double(nextWall - wall) - fraction)
        }
        return Double(zone.instant(ofWall: nextWall))
    }
}
