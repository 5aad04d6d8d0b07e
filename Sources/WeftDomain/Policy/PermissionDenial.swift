/// Why an action was refused: names the user, the action, the object and the team that would be needed.
public struct PermissionDenial: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var action: Action
    public var object: String
    /// The team whose membership would allow it; nil when only a workspace admin may do it.
    public var neededTeam: String?
    /// The user's teams, for the message.
    public var userTeams: [String]

    public init(user: String, action: Action, object: String, neededTeam: String?, userTeams: [String]) {
        self.user = user
        self.action = action
        self.object = object
        self.neededTeam = neededTeam
        self.userTeams = userTeams
    }

    public var description: String {
        let teams = userTeams.isEmpty ? "no team" : "team" + (userTeams.count > 1 ? "s " : " ") + userTeams.joined(separator: ", ")
        let need: String
        if let neededTeam {
            need = "only members of team \(neededTeam) may do this (\(user) is in \(teams)); ask an admin to add \(user) to \(neededTeam)"
        } else {
            need = "only a workspace admin may do this"
        }
        return "permission denied: \(user) may not \(action.verb) \(object): \(need)"
    }
}
