/// A person who logs in.
public struct User: Sendable, Hashable, Codable {
    public var name: String
    public var isAdmin: Bool

    public init(name: String, isAdmin: Bool = false) {
        self.name = name
        self.isAdmin = isAdmin
    }
}
