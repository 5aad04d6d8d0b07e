/// A task's progress report: a log line `::progress 0.42 optional message` (PRODUCT.md §4).
public struct ProgressLine: Sendable, Hashable {
    /// Fraction done, clamped to 0...1.
    public var fraction: Double
    /// The text after the number, if any.
    public var message: String?

    /// A progress report.
    public init(fraction: Double, message: String?) {
        self.fraction = fraction
        self.message = message
    }

    /// Parses a line; nil when it is not a progress line (or its fraction is not a number).
    public static func parse(_ line: Substring) -> ProgressLine? {
        guard line.hasPrefix("::progress ") else { return nil }
        let rest = line.dropFirst("::progress ".count).drop(while: { $0 == " " })
        let numberEnd = rest.firstIndex(of: " ") ?? rest.endIndex
        guard let value = Double(rest[rest.startIndex..<numberEnd]), value.isFinite else { return nil }
        let tail = rest[numberEnd...].drop(while: { $0 == " " })
        let trimmed = tail.hasSuffix("\r") ? tail.dropLast() : tail
        return ProgressLine(fraction: min(1, max(0, value)), message: trimmed.isEmpty ? nil : String(trimmed))
    }

    /// Parses a line; nil when it is not a progress line.
    public static func parse(_ line: String) -> ProgressLine? { parse(line[...]) }
}
