/// A key and what it does, for status bars and help; disabled hints are drawn greyed.
public struct KeyHint: Hashable, Sendable {
    /// The key as shown, e.g. "r" or "Enter".
    public var key: String
    /// What the key does, e.g. "run".
    public var label: String
    /// False when the action is not allowed here (drawn in the disabled style).
    public var isEnabled: Bool

    /// Creates a hint.
    public init(_ key: String, _ label: String, isEnabled: Bool = true) {
        self.key = key
        self.label = label
        self.isEnabled = isEnabled
    }

    /// Creates a hint for a `Key`, named by its `displayName`.
    public init(_ key: Key, _ label: String, isEnabled: Bool = true) {
        self.init(key.displayName, label, isEnabled: isEnabled)
    }
}
