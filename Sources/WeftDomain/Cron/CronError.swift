import Foundation

/// Why a cron expression was rejected, pointing at the offending field.
///
/// `description` reads, for example:
/// `invalid cron expression '0 0 25 * * ?': field 3 (hours): '25' is out of range 0-23`
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole expression as given.
    public let expression: String
    /// 1-based position of the bad field, or `nil` when the problem is the
    /// expression as a whole (for example the number of fields).
    public let fieldIndex: Int?
    /// Name of the bad field (`seconds`, `minutes`, `hours`, `day-of-month`,
    /// `month`, `day-of-week`, `year`), or `nil` with `fieldIndex`.
    public let fieldName: String?
    /// The text of the bad field.
    public let fieldText: String?
    /// What is wrong and what is expected.
    public let reason: String

    /// Creates an error about one field or, with `field == nil`, the whole expression.
    public init(expression: String, fieldIndex: Int?, fieldName: String?, fieldText: String?, reason: String) {
        self.expression = expression
        self.fieldIndex = fieldIndex
        self.fieldName = fieldName
        self.fieldText = fieldText
        self.reason = reason
    }

    /// A one-line message naming the expression, the field and what is expected.
    public var description: String {
        if let fieldIndex, let fieldName {
            return "invalid cron expression '\(expression)': field \(fieldIndex) (\(fieldName)): \(reason)"
        }
        return "invalid cron expression '\(expression)': \(reason)"
    }
}
