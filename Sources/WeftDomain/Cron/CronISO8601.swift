import Foundation

/// Formats `date` as ISO 8601 with the offset in force in `timeZone`, to the
/// second, e.g. `2026-03-29T03:00:00+02:00` (`Z` is never used; UTC is `+00:00`).
/// Fractions of a second are truncated.
public func iso8601WithOffset(_ date: Date, in timeZone: TimeZone) -> String {
    let instant = Int(date.timeIntervalSince1970.rounded(.down))
    let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    let wall = instant + offset
    let dayNumber = CronCivil.floorDiv(wall, 86_400)
    let secondOfDay = wall - dayNumber * 86_400
    let c = CronCivil.civil(dayNumber)
    func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    let sign = offset < 0 ? "-" : "+"
    let magnitude = abs(offset)
    var text = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T"
    text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
    text += "\(sign)\(pad(magnitude / 3600, 2)):\(pad(magnitude / 60 % 60, 2))"
    if magnitude % 60 != 0 { text += ":\(pad(magnitude % 60, 2))" }
    return text
}

/// Parses an ISO 8601 date-time such as `2026-03-29T02:30`, `2026-03-29T02:30:15`,
/// `2026-03-29 02:30:15.250Z`, `2026-03-29T02:30+02:00`, `…+0200` or `…+02`.
/// A date alone (`2026-03-29`) means midnight.
///
/// Without an offset the text is a wall-clock time in `defaultTimeZone`: a time
/// in a spring-forward gap is read with the offset before the gap (so it lands
/// the gap's length later), and a repeated time in a fall-back overlap is read
/// as its second (standard-time) occurrence. Returns `nil` for anything else,
/// including out-of-range fields.
public func parseISO8601(_ text: String, defaultTimeZone: TimeZone) -> Date? {
    var s = Substring(text.trimmingCharacters(in: .whitespaces))
    func digits(_ count: Int) -> Int? {
        guard s.count >= count else { return nil }
        let head = s.prefix(count)
        guard head.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(head) else { return nil }
        s = s.dropFirst(count)
        return value
    }
    func expect(_ character: Character) -> Bool {
        guard s.first == character else { return false }
        s = s.dropFirst()
        return true
    }
    guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else { return nil }
    var hour = 0, minute = 0, second = 0
    var fraction = 0.0
    if let separator = s.first, separator == "T" || separator == "t" || separator == " " {
        s = s.dropFirst()
        guard let h = digits(2), expect(":"), let m = digits(2) else { return nil }
        hour = h
        minute = m
        if expect(":") {
            guard let sec = digits(2) else { return nil }
            second = sec
            if s.first == "." || s.first == "," {
                s = s.dropFirst()
                let fractionDigits = s.prefix(while: { $0.isASCII && $0.isNumber })
                guard !fractionDigits.isEmpty, let value = Double("0." + fractionDigits) else { return nil }
                fraction = value
                s = s.dropFirst(fractionDigits.count)
            }
        }
    }
    guard (1...12).contains(month), day >= 1, day <= CronCivil.daysInMonth(year: year, month: month),
          (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
    let wall = CronCivil.dayNumber(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    if s.isEmpty {
        let instant = CronZone(timeZone: defaultTimeZone).instant(ofWall: wall)
        return Date(timeIntervalSince1970: TimeInterval(instant) + fraction)
    }
    if s == "Z" || s == "z" {
        return Date(timeIntervalSince1970: TimeInterval(wall) + fraction)
    }
    guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
    s = s.dropFirst()
    guard let offsetHours = digits(2) else { return nil }
    var offsetMinutes = 0
    if !s.isEmpty {
        _ = expect(":")
        guard let m = digits(2), s.isEmpty else { return nil }
        offsetMinutes = m
    }
    guard offsetHours <= 18, offsetMinutes <= 59 else { return nil }
    let offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == "-" ? -1 : 1)
    return Date(timeIntervalSince1970: TimeInterval(wall - offset) + fraction)
}
