/// A logged-in user with their effective (transitive) team memberships.
public struct Principal: Sendable, Hashable {
    public var user: User
    /// Every team the user belongs to, directly or through included teams.
    public var teams: Set<String>

    public init(user: User, teams: Set<String>) {
        self.user = user
        self.teams = teams
    }

    public var name: String { user.name }
    public var isAdmin: Bool { user.isAdmin }

    /// Whether the user is a member of `team` (transitively).
    public func isMember(of team: String) -> Bool { teams.contains(team) }
}
