import Foundation
import WeftDomain

/// Formatting of times, durations and states for the screen.
enum Format {
    /// `1h02m`, `3m05s`, `12s`.
    static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds, seconds.isFinite else { return "—" }
        let s = max(0, Int(seconds.rounded()))
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }

    /// `11-30 06:00` in the state's time zone.
    static func shortDate(_ date: Date?, _ tz: TimeZone) -> String {
        guard let date else { return "—" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let c = cal.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d %02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// `2025-11-30 06:00:00` in the state's time zone.
    static func dateTime(_ date: Date?, _ tz: TimeZone) -> String {
        guard let date else { return "—" }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = tz
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
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
