/// Rules for names of users, teams, fabrics, projects, pipelines, jobs and task keys.
public enum Names {
    /// Problems with `name` as a `kind` name: letters, digits, `_`, `-`, `.`; starts with a letter; at most 100 characters.
    public static func problem(_ name: String, kind: String) -> Problem? {
        guard let first = name.unicodeScalars.first else { return Problem("a \(kind) name may not be empty") }
        guard name.count <= 100 else { return Problem("\(kind) name '\(name.prefix(20))…' is longer than 100 characters") }
        let ok = name.unicodeScalars.allSatisfy { s in
            (s.value < 128) && (s.properties.isAlphabetic || ("0"..."9").contains(Character(s)) || s == "_" || s == "-" || s == ".")
        }
        guard ok, first.properties.isAlphabetic, first.value < 128 else {
            return Problem(
                "'\(name)' is not a valid \(kind) name: use letters, digits, '_', '-' or '.', starting with a letter")
        }
        return nil
    }

    /// Throws when `name` is not a valid `kind` name.
    public static func validate(_ name: String, kind: String) throws(WeftError) {
        if let p = problem(name, kind: kind) { throw .invalid([p]) }
    }
}
