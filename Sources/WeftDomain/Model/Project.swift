/// A git repository owned by a team, holding pipelines and jobs.
public struct Project: Sendable, Hashable, Codable {
    public var name: String
    public var ownerTeam: String
    public var description: String

    public init(name: String, ownerTeam: String, description: String = "") {
        self.name = name
        self.ownerTeam = ownerTeam
        self.description = description
    }
}
