/// Transitive team membership: a team includes its members and every member of the teams it includes.
public struct TeamGraph: Sendable {
    public let teams: [String: Team]

    public init(_ teams: [Team]) {
        self.teams = Dictionary(teams.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Every team `user` belongs to, directly or through inclusion.
    public func effectiveTeams(of user: String) -> Set<String> {
        var result = Set<String>()
        for team in teams.values where members(of: team.name).contains(user) {
            result.insert(team.name)
        }
        return result
    }

    /// All users of `team`, following included teams (cycles are harmless).
    public func members(of team: String) -> Set<String> {
        var seen = Set<String>()
        var users = Set<String>()
        var stack = [team]
        while let name = stack.popLast() {
            guard seen.insert(name).inserted, let t = teams[name] else { continue }
            users.formUnion(t.members)
            stack.append(contentsOf: t.includes)
        }
        return users
    }

    /// Whether including `included` into `team` would make a team include itself.
    public func wouldCycle(team: String, including included: String) -> Bool {
        if team == included { return true }
        var seen = Set<String>()
        var stack = [included]
        while let name = stack.popLast() {
            if name == team { return true }
            guard seen.insert(name).inserted, let t = teams[name] else { continue }
            stack.append(contentsOf: t.includes)
        }
        return false
    }
}
