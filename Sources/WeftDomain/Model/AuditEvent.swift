import Foundation

/// Who did what, when, on which fabric, with which result.
public struct AuditEvent: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Codable, Hashable {
        case allowed, denied, failed
    }

    public var id: Int64?
    public var at: Date
    public var user: String
    public var action: String
    public var object: String
    public var fabric: String?
    public var project: String?
    public var result: Result
    public var detail: String

    public init(
        id: Int64? = nil, at: Date, user: String, action: String, object: String, fabric: String?, project: String?,
        result: Result, detail: String
    ) {
        self.id = id
        self.at = at
        self.user = user
        self.action = action
        self.object = object
        self.fabric = fabric
        self.project = project
        self.result = result
        self.detail = detail
    }
}
