import Foundation

/// A parsed 6/7-field Quartz expression (seconds minutes hours day-of-month
/// month day-of-week [year]) with the meaning Quartz 2.3.2's `CronExpression`
/// gives it, as Databricks uses it.
struct QuartzCronSpec: Sendable, Hashable {
    var seconds: UInt64 = 0
    var minutes: UInt64 = 0
    var hours: UInt64 = 0
    /// Bits 1...31; empty when the field is `?` or `L…`.
    var daysOfMonth: UInt64 = 0
    var dayOfMonthUnspecified = false
    /// Bits 1...12.
    var months: UInt64 = 0
    /// Bits 1...7, 1 = Sunday; empty when the field is `?`.
    var daysOfWeek: UInt64 = 0
    var dayOfWeekUnspecified = false
    /// Sorted years.
    var years: [Int] = []
    var lastDayOfMonth = false
    var lastDayOffset = 0
    var nearestWeekday = false
    var lastDayOfWeek = false
    var nthDayOfWeek = 0
}

enum QuartzCronParser {
    static let fieldNames = ["seconds", "minutes", "hours", "day-of-month", "month", "day-of-week", "year"]
    static let ranges: [(Int, Int)] = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2099)]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
    static let expected = [
        "0-59", "0-59", "0-23", "1-31, L, L-n, LW, nW or ?", "1-12 or JAN-DEC",
        "1-7 (1 = Sunday), SUN-SAT, nL, n#k or ?", "1970-2099",
    ]

    static func parse(_ fields: [String], expression: String) throws(CronError) -> QuartzCronSpec {
        var spec = QuartzCronSpec()
        for (index, text) in fields.enumerated() {
            try parseField(text.uppercased(), raw: text, index: index, spec: &spec, expression: expression)
        }
        if fields.count == 6 {
            spec.years = Array(ranges[6].0...ranges[6].1)
        }
        if spec.dayOfMonthUnspecified == spec.dayOfWeekUnspecified {
            let which = spec.dayOfMonthUnspecified ? "both are '?'" : "neither is '?'"
            throw CronError(
                expression: expression, fieldIndex: 6, fieldName: fieldNames[5], fieldText: fields[5],
                reason: "exactly one of day-of-month (field 4) and day-of-week (field 6) must be '?', but \(which)")
        }
        return spec
    }

    private static func parseField(_ text: String, raw: String, index: Int, spec: inout QuartzCronSpec, expression: String) throws(CronError) {
        func fail(_ reason: String) -> CronError {
            CronError(expression: expression, fieldIndex: index + 1, fieldName: fieldNames[index], fieldText: raw, reason: reason)
        }
        let (low0, high0) = ranges[index]
        if text == "?" {
            guard index == 3 || index == 5 else { throw fail("'?' is only allowed in day-of-month or day-of-week") }
            if index == 3 { spec.dayOfMonthUnspecified = true } else { spec.dayOfWeekUnspecified = true }
            return
        }
        if text.contains("?") { throw fail("'?' must stand alone in its field") }
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        func isSpecial(_ item: Substring) -> Bool {
            switch index {
            case 3: return item.hasPrefix("L") || item.hasSuffix("W")
            case 5: return item.hasSuffix("L") || item.contains("#")
            default: return false
            }
        }
        if items.count > 1 && items.contains(where: isSpecial) {
            throw fail("'L', 'W' and '#' cannot be combined with other values in a list")
        }
        var mask: UInt64 = 0
        var years = Set<Int>()
        func add(_ value: Int) {
            if index == 6 { years.insert(value) } else { mask |= 1 << UInt64(value) }
        }
        for item in items {
            if item.isEmpty { throw fail("empty list item; expected values separated by ','") }
            // Day-of-month specials.
            if index == 3 && item.hasPrefix("L") {
                var rest = item.dropFirst()
                spec.lastDayOfMonth = true
                if rest.hasSuffix("W") {
                    spec.nearestWeekday = true
                    rest = rest.dropLast()
                }
                if rest.hasPrefix("-") {
                    guard let offset = Int(rest.dropFirst()), rest.count > 1, rest.dropFirst().allSatisfy(\.isNumber) else {
                        throw fail("'\(item)': expected L-n with n a number of days")
                    }
                    guard offset <= 30 else { throw fail("'\(item)': the offset from the last day must be at most 30") }
                    spec.lastDayOffset = offset
                } else if !rest.isEmpty {
                    throw fail("'\(item)': expected L, L-n, LW or L-nW")
                }
                continue
            }
            if index == 3 && item.hasSuffix("W") {
                let day = item.dropLast()
                guard let value = Int(day), day.allSatisfy(\.isNumber) else {
                    throw fail("'\(item)': expected nW with n a day of month")
                }
                guard value >= 1 && value <= 31 else { throw fail("'\(item)': the day is out of range 1-31") }
                spec.nearestWeekday = true
                add(value)
                continue
            }
            // Day-of-week specials.
            if index == 5 && item == "L" {
                add(7) // Quartz reads a lone 'L' in day-of-week as 7 (Saturday).
                continue
            }
            if index == 5 && item.count > 1 && item.hasSuffix("L") {
                let day = try value(item.dropLast(), index: index, fail: fail)
                guard day >= 1 && day <= 7 else { throw fail("'\(item)': day of week out of range 1-7") }
                spec.lastDayOfWeek = true
                add(day)
                continue
            }
            if index == 5, let hash = item.firstIndex(of: "#") {
                let day = try value(item[..<hash], index: index, fail: fail)
                let nthText = item[item.index(after: hash)...]
                guard day >= 1 && day <= 7 else { throw fail("'\(item)': day of week out of range 1-7") }
                guard let nth = Int(nthText), nthText.allSatisfy(\.isNumber), nth >= 1 && nth <= 5 else {
                    throw fail("'\(item)': '#' must be followed by a number from 1 to 5")
                }
                spec.nthDayOfWeek = nth
                add(day)
                continue
            }
            // Plain values, ranges and steps.
            var base = item
            var step: Int?
            if let slash = item.firstIndex(of: "/") {
                base = item[..<slash]
                let stepText = item[item.index(after: slash)...]
                guard let s = Int(stepText), stepText.allSatisfy(\.isNumber), s > 0 else {
                    throw fail("'\(item)': '/' must be followed by a positive integer")
                }
                let maxStep = [59, 59, 23, 31, 12, 7, Int.max][index]
                guard s <= maxStep else { throw fail("'\(item)': the increment \(s) is larger than \(maxStep)") }
                step = s
            }
            var start: Int
            var stop: Int
            if base == "*" || base.isEmpty {
                start = low0
                stop = high0
            } else if let dash = base.firstIndex(of: "-"), dash != base.startIndex {
                let startText = base[..<dash]
                let stopText = base[base.index(after: dash)...]
                if (startText.first?.isLetter ?? false) != (stopText.first?.isLetter ?? false) {
                    throw fail("'\(item)': a range must use two numbers or two names")
                }
                start = try value(startText, index: index, fail: fail)
                stop = try value(stopText, index: index, fail: fail)
            } else {
                start = try value(base, index: index, fail: fail)
                stop = step == nil ? start : high0
            }
            for v in [start, stop] where v < low0 || v > high0 {
                throw fail("'\(v)' is out of range \(low0)-\(high0)")
            }
            if step != nil && base.first?.isLetter == true {
                throw fail("'\(item)': a step cannot follow a name")
            }
            let increment = step ?? 1
            if stop < start {
                guard index != 6 else { throw fail("'\(item)': the start year must not be after the end year") }
                // Quartz wraps ranges like 22-2 (hours) or FRI-MON through the field's end.
                let modulus = [60, 60, 24, 31, 12, 7, 0][index]
                for v in stride(from: start, through: stop + modulus, by: increment) {
                    var wrapped = v % modulus
                    if wrapped == 0 && low0 == 1 { wrapped = modulus }
                    add(wrapped)
                }
            } else {
                for v in stride(from: start, through: stop, by: increment) { add(v) }
            }
        }
        switch index {
        case 0: spec.seconds = mask
        case 1: spec.minutes = mask
        case 2: spec.hours = mask
        case 3: spec.daysOfMonth = mask
        case 4: spec.months = mask
        case 5: spec.daysOfWeek = mask
        default: spec.years = years.sorted()
        }
    }

    private static func value(_ text: Substring, index: Int, fail: (String) -> CronError) throws(CronError) -> Int {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(text) { return v }
        if index == 4, let i = monthNames.firstIndex(of: String(text)) { return i + 1 }
        if index == 5, let i = dayNames.firstIndex(of: String(text)) { return i + 1 }
        throw fail("'\(text)' is not valid here; expected \(expected[index])")
    }
}

/// Emulates the parts of a lenient `java.util.GregorianCalendar` that Quartz's
/// `CronExpression.getTimeAfter` relies on: fields may be set out of range and
/// are normalized (through `CronZone.instant(ofWall:)`) on the next read.
struct CronLenientCalendar {
    let zone: CronZone
    private(set) var time: Int
    private var year = 1970, month0 = 0, day = 1, hour = 0, minute = 0, second = 0
    private var dirty = false

    init(zone: CronZone, time: Int) {
        self.zone = zone
        self.time = time
        computeFields()
    }

    enum Field { case year, month, dayOfMonth, hourOfDay, minute, second }

    private mutating func computeFields() {
        let wall = zone.wall(of: time)
        let dayNumber = CronCivil.floorDiv(wall, 86_400)
        let secondOfDay = wall - dayNumber * 86_400
        let c = CronCivil.civil(dayNumber)
        year = c.year
        month0 = c.month - 1
        day = c.day
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    static func wall(year: Int, month0: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int {
        CronCivil.dayNumber(year: year, month: month0 + 1, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    private mutating func complete() {
        guard dirty else { return }
        time = zone.instant(ofWall: Self.wall(year: year, month0: month0, day: day, hour: hour, minute: minute, second: second))
        computeFields()
        dirty = false
    }

    mutating func get(_ field: Field) -> Int {
        complete()
        switch field {
        case .year: return year
        case .month: return month0
        case .dayOfMonth: return day
        case .hourOfDay: return hour
        case .minute: return minute
        case .second: return second
        }
    }

    /// 1 = Sunday … 7 = Saturday, like `Calendar.DAY_OF_WEEK`.
    mutating func dayOfWeek() -> Int {
        complete()
        return CronCivil.weekday(CronCivil.dayNumber(year: year, month: month0 + 1, day: day)) + 1
    }

    mutating func set(_ field: Field, _ value: Int) {
        switch field {
        case .year: year = value
        case .month: month0 = value
        case .dayOfMonth: day = value
        case .hourOfDay: hour = value
        case .minute: minute = value
        case .second: second = value
        }
        dirty = true
    }

    /// `Calendar.add(YEAR, n)`: keeps the other fields, pinning the day to the month's length.
    mutating func addYears(_ n: Int) {
        complete()
        year += n
        let normalized = CronCivil.civil(CronCivil.dayNumber(year: year, month: month0 + 1, day: 1))
        let length = CronCivil.daysInMonth(year: normalized.year, month: normalized.month)
        if day > length { day = length }
        dirty = true
    }

    mutating func getTime() -> Int {
        complete()
        return time
    }
}

extension QuartzCronSpec {
    private static func first(_ mask: UInt64) -> Int { mask.trailingZeroBitCount }

    /// Smallest member `>= from`, like `TreeSet.tailSet(from).first()`.
    private static func ceiling(_ mask: UInt64, _ from: Int) -> Int? {
        if from < 0 { return mask == 0 ? nil : first(mask) }
        guard from < 64 else { return nil }
        let shifted = mask >> UInt64(from)
        return shifted == 0 ? nil : from + shifted.trailingZeroBitCount
    }

    /// The last year `*` expands to, and the year past which the search gives up.
    static let maxYear = 2099

    /// A faithful re-expression of Quartz 2.3.2's `CronExpression.getTimeAfter`
    /// over `CronLenientCalendar`, so that its daylight-saving and month-boundary
    /// behaviour is reproduced exactly. Returns whole seconds since the epoch.
    func next(after instant: Double, zone: CronZone) -> Int? {
        // Quartz adds one second, then drops the milliseconds.
        let afterTime = Int(instant.rounded(.down)) + 1
        var cl = CronLenientCalendar(zone: zone, time: afterTime)
        var iterations = 0
        while true {
            iterations += 1
            if iterations > 100_000 { return nil }
            if cl.get(.year) > 2999 { return nil }

            var sec = cl.get(.second)
            var min = cl.get(.minute)
            // Seconds.
            if let s = Self.ceiling(seconds, sec) {
                sec = s
            } else {
                sec = Self.first(seconds)
                min += 1
                cl.set(.minute, min)
            }
            cl.set(.second, sec)

            min = cl.get(.minute)
            var hr = cl.get(.hourOfDay)
            var t = -1
            // Minutes.
            if let m = Self.ceiling(minutes, min) {
                t = min
                min = m
            } else {
                min = Self.first(minutes)
                hr += 1
            }
            if min != t {
                cl.set(.second, 0)
                cl.set(.minute, min)
                setHour(&cl, hr)
                continue
            }
            cl.set(.minute, min)

            hr = cl.get(.hourOfDay)
            var day = cl.get(.dayOfMonth)
            t = -1
            // Hours.
            if let h = Self.ceiling(hours, hr) {
                t = hr
                hr = h
            } else {
                hr = Self.first(hours)
                day += 1
            }
            if hr != t {
                cl.set(.second, 0)
                cl.set(.minute, 0)
                cl.set(.dayOfMonth, day)
                setHour(&cl, hr)
                continue
            }
            cl.set(.hourOfDay, hr)

            day = cl.get(.dayOfMonth)
            var mon = cl.get(.month) + 1
            t = -1
            var tmon = mon

            // Days.
            if !dayOfMonthUnspecified {
                if lastDayOfMonth {
                    if !nearestWeekday {
                        t = day
                        day = CronCivil.daysInMonth(year: cl.get(.year), month: mon) - lastDayOffset
                        if t > day {
                            mon += 1
                            if mon > 12 {
                                mon = 1
                                tmon = 3333
                                cl.addYears(1)
                            }
                            day = 1
                        }
                    } else {
                        t = day
                        let y = cl.get(.year)
                        day = CronCivil.daysInMonth(year: y, month: mon) - lastDayOffset
                        day = Self.nearestWeekdayDay(day, year: y, month: mon)
                        let nTime = zone.instant(ofWall: CronLenientCalendar.wall(year: y, month0: mon - 1, day: day, hour: hr, minute: min, second: sec))
                        if nTime < afterTime {
                            day = 1
                            mon += 1
                        }
                    }
                } else if nearestWeekday {
                    t = day
                    day = Self.first(daysOfMonth)
                    let y = cl.get(.year)
                    day = Self.nearestWeekdayDay(day, year: y, month: mon)
                    let nTime = zone.instant(ofWall: CronLenientCalendar.wall(year: y, month0: mon - 1, day: day, hour: hr, minute: min, second: sec))
                    if nTime < afterTime {
                        day = Self.first(daysOfMonth)
                        mon += 1
                    }
                } else if let d = Self.ceiling(daysOfMonth, day) {
                    t = day
                    day = d
                    if day > CronCivil.daysInMonth(year: cl.get(.year), month: mon) {
                        day = Self.first(daysOfMonth)
                        mon += 1
                    }
                } else {
                    day = Self.first(daysOfMonth)
                    mon += 1
                }
                if day != t || mon != tmon {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, day)
                    cl.set(.month, mon - 1)
                    continue
                }
            } else if lastDayOfWeek {
                let dow = Self.first(daysOfWeek)
                let cDow = cl.dayOfWeek()
                var daysToAdd = 0
                if cDow < dow { daysToAdd = dow - cDow }
                if cDow > dow { daysToAdd = dow + (7 - cDow) }
                let lDay = CronCivil.daysInMonth(year: cl.get(.year), month: mon)
                if day + daysToAdd > lDay {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, 1)
                    cl.set(.month, mon)
                    continue
                }
                while day + daysToAdd + 7 <= lDay { daysToAdd += 7 }
                day += daysToAdd
                if daysToAdd > 0 {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, day)
                    cl.set(.month, mon - 1)
                    continue
                }
            } else if nthDayOfWeek != 0 {
                let dow = Self.first(daysOfWeek)
                let cDow = cl.dayOfWeek()
                var daysToAdd = 0
                if cDow < dow {
                    daysToAdd = dow - cDow
                } else if cDow > dow {
                    daysToAdd = dow + (7 - cDow)
                }
                let dayShifted = daysToAdd > 0
                day += daysToAdd
                var weekOfMonth = day / 7
                if day % 7 > 0 { weekOfMonth += 1 }
                daysToAdd = (nthDayOfWeek - weekOfMonth) * 7
                day += daysToAdd
                if daysToAdd < 0 || day > CronCivil.daysInMonth(year: cl.get(.year), month: mon) {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, 1)
                    cl.set(.month, mon)
                    continue
                } else if daysToAdd > 0 || dayShifted {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, day)
                    cl.set(.month, mon - 1)
                    continue
                }
            } else {
                let cDow = cl.dayOfWeek()
                var dow = Self.first(daysOfWeek)
                if let d = Self.ceiling(daysOfWeek, cDow) { dow = d }
                var daysToAdd = 0
                if cDow < dow { daysToAdd = dow - cDow }
                if cDow > dow { daysToAdd = dow + (7 - cDow) }
                let lDay = CronCivil.daysInMonth(year: cl.get(.year), month: mon)
                if day + daysToAdd > lDay {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, 1)
                    cl.set(.month, mon)
                    continue
                } else if daysToAdd > 0 {
                    cl.set(.second, 0)
                    cl.set(.minute, 0)
                    cl.set(.hourOfDay, 0)
                    cl.set(.dayOfMonth, day + daysToAdd)
                    cl.set(.month, mon - 1)
                    continue
                }
            }
            cl.set(.dayOfMonth, day)

            mon = cl.get(.month) + 1
            var year = cl.get(.year)
            t = -1
            if year > Self.maxYear { return nil }

            // Months.
            if let m = Self.ceiling(months, mon) {
                t = mon
                mon = m
            } else {
                mon = Self.first(months)
                year += 1
            }
            if mon != t {
                cl.set(.second, 0)
                cl.set(.minute, 0)
                cl.set(.hourOfDay, 0)
                cl.set(.dayOfMonth, 1)
                cl.set(.month, mon - 1)
                cl.set(.year, year)
                continue
            }
            cl.set(.month, mon - 1)

            year = cl.get(.year)
            t = -1
            // Years.
            guard let y = years.first(where: { $0 >= year }) else { return nil }
            t = year
            year = y
            if year != t {
                cl.set(.second, 0)
                cl.set(.minute, 0)
                cl.set(.hourOfDay, 0)
                cl.set(.dayOfMonth, 1)
                cl.set(.month, 0)
                cl.set(.year, year)
                continue
            }
            cl.set(.year, year)
            return cl.getTime()
        }
    }

    /// Quartz's `setCalendarHour`: if setting the hour lands elsewhere (a
    /// daylight-saving gap), it sets the next hour instead.
    private func setHour(_ cl: inout CronLenientCalendar, _ hour: Int) {
        cl.set(.hourOfDay, hour)
        if cl.get(.hourOfDay) != hour && hour != 24 {
            cl.set(.hourOfDay, hour + 1)
        }
    }

    /// Quartz's nearest-weekday shift for `W`, including its treatment of the
    /// month's first and last days (a Saturday 1st moves to Monday the 3rd, a
    /// Sunday last day moves back to Friday); `day` may exceed the month's
    /// length, in which case its weekday is that of the rolled-over date.
    private static func nearestWeekdayDay(_ day: Int, year: Int, month: Int) -> Int {
        let dow = CronCivil.weekday(CronCivil.dayNumber(year: year, month: month, day: day)) + 1
        let ldom = CronCivil.daysInMonth(year: year, month: month)
        if dow == 7 && day == 1 { return day + 2 }
        if dow == 7 { return day - 1 }
        if dow == 1 && day == ldom { return day - 2 }
        if dow == 1 { return day + 1 }
        return day
    }
}
