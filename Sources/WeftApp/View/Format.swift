import Foundation
import WeftDomain

/// Formatting of times, durations and states for the screen.
enum Format {
    /// Two digits, zero-padded. (Not `String(format:)`: it pulls in ICU-backed formatting, megabytes of resident
    /// pages for a long-lived process.)
    static func pad2(_ n: Int) -> String { n < 10 && n >= 0 ? "0\(n)" : "\(n)" }

    /// `1h02m`, `3m05s`, `12s`.
    static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let s = max(0, Int(seconds.rounded()))
        if s >= 3600 { return "\(s / 3600)h\(pad2((s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(pad2(s % 60))s" }
        return "\(s)s"
    }

    /// `11-30 06:00` in the state's time zone.
    static func shortDate(_ date: Date?, _ tz: TimeZone) -> String {
        guard let date else { return "—" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let c = cal.dateComponents([.month, .day, .hour, .minute], from: date)
        return "\(pad2(c.month ?? 0))-\(pad2(c.day ?? 0)) \(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0))"
    }

    /// `2025-11-30 06:00:00` in the state's time zone.
    static func dateTime(_ date: Date?, _ tz: TimeZone) -> String {
        guard let date else { return "—" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(c.year ?? 0)-\(pad2(c.month ?? 0))-\(pad2(c.day ?? 0)) \(pad2(c.hour ?? 0)):\(pad2(c.minute ?? 0)):\(pad2(c.second ?? 0))"
    }

    /// A state word with a symbol that survives monochrome: `✓ success`, `✗ failed`, `▶ running`.
    static func symbol(_ state: RunState) -> String {
        switch state {
        case .queued: return "… queued"
        case .running: return "▶ running"
        case .success: return "✓ success"
        case .failed: return "✗ failed"
        case .cancelled: return "⊘ cancelled"
        }
    }

    /// A task state word with a symbol.
    static func symbol(_ state: TaskState) -> String {
        switch state {
        case .pending: return "· pending"
        case .running: return "▶ running"
        case .retrying: return "↻ retrying"
        case .success: return "✓ success"
        case .failed: return "✗ failed"
        case .skipped: return "- skipped"
        case .cancelled: return "⊘ cancelled"
        case .orphaned: return "✗ orphaned"
        }
    }
}
