/// Why an action was refused: names the user, the action, the object and the team that would be needed — or, when
/// the action does not concern that kind of object, says so (no team would help, and admins are refused too).
public struct PermissionDenial: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var action: Action
    public var object: String
    /// The team whose membership would allow it; nil when only a workspace admin may do it, or when the action does
    /// not apply to the object at all (`inapplicableTo`).
    public var neededTeam: String?
    /// The user's teams, for the message.
    public var userTeams: [String]
    /// Set when the action does not concern this kind of object (running a project, reading the runs of the
    /// workspace): refused for everyone, admins included.
    public var inapplicableTo: Resource.Kind?

    public init(
        user: String, action: Action, object: String, neededTeam: String?, userTeams: [String], inapplicableTo: Resource.Kind? = nil
    ) {
        self.user = user
        self.action = action
        self.object = object
        self.neededTeam = neededTeam
        self.userTeams = userTeams
        self.inapplicableTo = inapplicableTo
    }

    /// Whether the action was refused because it does not apply to the object, rather than for lack of a team or
    /// of the admin flag.
    public var isInapplicable: Bool { inapplicableTo != nil }

    public var description: String {
        let teams = userTeams.isEmpty ? "no team" : "team" + (userTeams.count > 1 ? "s " : " ") + userTeams.joined(separator: ", ")
        let need: String
        if let kind = inapplicableTo {
            let kinds = action.resourceKinds.map(\.phrase)
            let applies = kinds.count > 1 ? kinds.dropLast().joined(separator: ", ") + " or " + (kinds.last ?? "") : kinds.joined()
            need = "\(action.rawValue) does not apply to \(kind.phrase)" + (kinds.isEmpty ? "" : ", only to \(applies)")
        } else if let neededTeam {
            need = "only members of team \(neededTeam) may do this (\(user) is in \(teams)); ask an admin to add \(user) to \(neededTeam)"
        } else {
            need = "only a workspace admin may do this"
        }
        return "permission denied: \(user) may not \(action.verb) \(object): \(need)"
    }
}
