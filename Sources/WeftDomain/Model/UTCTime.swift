import Foundation

/// UTC timestamps formatted with `gmtime_r`, without `DateFormatter`/`ISO8601DateFormatter`: those load ICU and the
/// time zone database (milliseconds, and megabytes of resident pages) in every process that formats one date.
public enum UTCTime {
    /// `yyyyMMdd-HHmmss`, as in run ids.
    public static func compact(_ date: Date) -> String {
        let t = parts(date)
        return "\(t.tm_year + 1900)\(p2(t.tm_mon + 1))\(p2(t.tm_mday))-\(p2(t.tm_hour))\(p2(t.tm_min))\(p2(t.tm_sec))"
    }

    /// ISO 8601 in UTC: `2026-12-02T04:43:22Z`, or with milliseconds `2026-12-02T04:43:22.123Z`.
    public static func iso8601(_ date: Date, milliseconds: Bool = false) -> String {
        let t = parts(date)
        var out = "\(t.tm_year + 1900)-\(p2(t.tm_mon + 1))-\(p2(t.tm_mday))T\(p2(t.tm_hour)):\(p2(t.tm_min)):\(p2(t.tm_sec))"
        if milliseconds {
            let seconds = date.timeIntervalSince1970
            let ms = Int(((seconds - seconds.rounded(.down)) * 1000).rounded(.down))
            out += "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + "\(ms)"
        }
        return out + "Z"
    }

    private static func parts(_ date: Date) -> tm {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var out = tm()
        gmtime_r(&t, &out)
        return out
    }

    private static func p2(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
