/// A named set of users; a team may include other teams (membership is transitive).
public struct Team: Sendable, Hashable, Codable {
    public var name: String
    /// Teams whose members are also members of this team.
    public var includes: [String]
    /// Direct members (user names).
    public var members: [String]

    public init(name: String, includes: [String] = [], members: [String] = []) {
        self.name = name
        self.includes = includes
        self.members = members
    }
}
