/// Text attributes a cell can carry.
public struct Attributes: OptionSet, Hashable, Sendable {
    /// The raw bit set.
    public let rawValue: UInt8

    /// Creates an attribute set from raw bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Bold (often also bright) text.
    public static let bold = Attributes(rawValue: 1 << 0)
    /// Dim (faint) text; used for greyed-out hints.
    public static let dim = Attributes(rawValue: 1 << 1)
    /// Italic text (not every terminal shows it).
    public static let italic = Attributes(rawValue: 1 << 2)
    /// Underlined text.
    public static let underline = Attributes(rawValue: 1 << 3)
    /// Foreground and background swapped.
    public static let reverse = Attributes(rawValue: 1 << 4)
}
