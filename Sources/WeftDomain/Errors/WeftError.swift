/// Every failure the domain reports. Messages say what went wrong and what to do next.
public enum WeftError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The user may not do this; names the team that would be needed.
    case permissionDenied(PermissionDenial)
    /// No such object.
    case notFound(kind: String, name: String, hint: String)
    /// An object with this name exists already.
    case alreadyExists(kind: String, name: String)
    /// Someone else changed the object since it was read.
    case conflict(String)
    /// The input is invalid; every problem is listed.
    case invalid([Problem])
    /// Login failed or no identity is known.
    case authentication(String)
    /// The workspace is missing or unusable.
    case workspace(String)
    /// An operation failed underneath (git, the file system, a process).
    case failure(String)

    /// The CLI's exit code for this error: 1 failure, 3 permission denied, 4 conflict.
    public var exitCode: Int32 {
        switch self {
        case .permissionDenied: return 3
        case .conflict: return 4
        default: return 1
        }
    }

    public var description: String {
        switch self {
        case .permissionDenied(let d): return d.description
        case .notFound(let kind, let name, let hint):
            return "no \(kind) named '\(name)'" + (hint.isEmpty ? "" : "; \(hint)")
        case .alreadyExists(let kind, let name):
            return "a \(kind) named '\(name)' exists already; choose another name"
        case .conflict(let message): return message
        case .invalid(let problems):
            if problems.count == 1 { return problems[0].description }
            return "\(problems.count) problems:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .authentication(let message): return message
        case .workspace(let message): return message
        case .failure(let message): return message
        }
    }

    /// Shorthand for a single invalid-input problem.
    public static func invalid(_ message: String, file: String? = nil, line: Int? = nil) -> WeftError {
        .invalid([Problem(file: file, line: line, message)])
    }
}
