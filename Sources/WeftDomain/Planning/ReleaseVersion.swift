/// Rules for release versions and release tags (`PROJECT/VERSION`, an annotated git tag of the project).
///
/// A version is one component of a git tag name: 1–64 characters of ASCII letters, digits, `.`, `-`, `_` and `+`,
/// starting with a letter or a digit, with no `..`, not ending in `.` or `.lock`. So `1.0.0`, `v2`, `2024.06.01`,
/// `1.0.0-rc.1` and `1.0.0+build.7` are versions; `1..0`, `.1`, `-1`, `1.0.`, `1.0.lock`, `1.0 final` and `1/0` are not.
public enum ReleaseVersion {
    /// The longest version accepted.
    public static let maximumLength = 64

    /// What is wrong with `version` as a release version, nil when it is a valid one.
    public static func problem(_ version: String) -> Problem? {
        componentProblem(version, what: "release version", example: "1.0.0", fix: "give one with --version, e.g. --version 1.0.0")
    }

    /// Throws `WeftError.invalid` when `version` is not a valid release version; the message says what to use instead.
    public static func validate(_ version: String) throws(WeftError) {
        if let p = problem(version) { throw .invalid([p]) }
    }

    /// The release tag of `project` at `version`: `PROJECT/VERSION`. Throws `WeftError.invalid` when either part
    /// cannot be a component of a git tag name.
    public static func tag(project: String, version: String) throws(WeftError) -> String {
        try validate(version)
        if let p = componentProblem(
            project, what: "project name", example: "customer_analytics",
            fix: "a release tag is PROJECT/VERSION; rename the project")
        {
            throw .invalid([p])
        }
        return "\(project)/\(version)"
    }

    /// The project and version of a release tag `PROJECT/VERSION`, nil when `tag` is not one.
    public static func parse(tag: String) -> (project: String, version: String)? {
        let parts = tag.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let project = String(parts[0]), version = String(parts[1])
        guard problem(version) == nil, !project.isEmpty else { return nil }
        return (project, version)
    }

    static func componentProblem(_ s: String, what: String, example: String, fix: String) -> Problem? {
        let allowed = "use ASCII letters, digits, '.', '-', '_' or '+', starting with a letter or a digit (e.g. \(example))"
        guard let first = s.unicodeScalars.first else { return Problem("the \(what) is empty; \(fix)") }
        let shown = s.count > 20 ? "\(s.prefix(20))…" : s
        if s.unicodeScalars.count > maximumLength {
            return Problem("the \(what) '\(shown)' is longer than \(maximumLength) characters; use a shorter one (e.g. \(example))")
        }
        func isAlnum(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
        }
        if let bad = s.unicodeScalars.first(where: { !(isAlnum($0) || $0 == "." || $0 == "-" || $0 == "_" || $0 == "+") }) {
            let name: String
            switch bad {
            case " ": name = "a space"
            case "/": name = "'/' (the tag is PROJECT/VERSION, so the version has no '/')"
            default: name = bad.properties.generalCategory == .control ? "a control character" : "'\(bad)'"
            }
            return Problem("the \(what) '\(shown)' contains \(name), which a release tag may not; \(allowed)")
        }
        if !isAlnum(first) {
            return Problem("the \(what) '\(shown)' starts with '\(first)'; \(allowed)")
        }
        if s.contains("..") {
            return Problem("the \(what) '\(shown)' contains '..', which git does not allow in a tag; use single dots (e.g. \(example))")
        }
        if s.hasSuffix(".lock") {
            return Problem("the \(what) '\(shown)' ends in '.lock', which git reserves; choose another (e.g. \(example))")
        }
        if s.hasSuffix(".") {
            return Problem("the \(what) '\(shown)' ends in '.', which git does not allow in a tag; drop the trailing dot")
        }
        return nil
    }
}
