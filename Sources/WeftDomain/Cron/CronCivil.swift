import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01),
/// lenient like `java.util.GregorianCalendar`: months and days outside their
/// usual ranges roll over into neighbouring months and years.
enum CronCivil {
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }

    /// Day number of `year-month-day`; `month` (1-based) and `day` may be out of range.
    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        var y = year + floorDiv(month - 1, 12)
        let m = floorMod(month - 1, 12) + 1
        if m <= 2 { y -= 1 }
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date (year, month 1-12, day 1-31) of a day number.
    static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
        let z = dayNumber + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day of week of a day number: 0 = Sunday … 6 = Saturday.
    static func weekday(_ dayNumber: Int) -> Int {
        floorMod(dayNumber + 4, 7)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Converts between instants (whole seconds since the epoch) and wall-clock
/// seconds ("local seconds since the local epoch") in one time zone.
struct CronZone {
    let timeZone: TimeZone

    /// UTC offset in seconds in effect at `instant`.
    func offset(at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// Wall-clock seconds of `instant`.
    func wall(of instant: Int) -> Int {
        instant + offset(at: instant)
    }

    /// The instant for a wall-clock reading.
    ///
    /// Rule (shared by `java.util.GregorianCalendar`, which Quartz uses, and by
    /// Airflow's `make_aware`, which sets `fold=1` before pendulum's `convert`):
    /// the reading takes the offset in force after the latest transition whose
    /// new-offset wall-clock start is at or before it. So a reading in a
    /// spring-forward gap is read with the old offset (02:30 in a 02:00→03:00
    /// gap becomes 03:30 in the new offset), and a reading repeated in a
    /// fall-back overlap resolves to its second (standard-time) occurrence.
    func instant(ofWall wall: Int) -> Int {
        let early = wall - 129_600
        let late = wall + 129_600
        let earlyOffset = offset(at: early)
        let lateOffset = offset(at: late)
        if earlyOffset == lateOffset {
            let guess = wall - earlyOffset
            let actual = offset(at: guess)
            return actual == earlyOffset ? guess : wall - actual
        }
        // Find the transition instant in (early, late] by bisection.
        var lo = early
        var hi = late
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if offset(at: mid) == earlyOffset { lo = mid } else { hi = mid }
        }
        let after = offset(at: hi)
        let before = offset(at: hi - 1)
        return wall >= hi + after ? wall - after : wall - before
    }
}
