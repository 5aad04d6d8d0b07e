import Foundation

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

    /// The form in which names are compared for uniqueness: Unicode NFKC, lowercased, NFKC again (close to
    /// Unicode's NFKC_Casefold). `Production`, `production` and fullwidth `ｐｒｏｄｕｃｔｉｏｎ` are one name.
    public static func comparisonKey(_ name: String) -> String {
        name.precomposedStringWithCompatibilityMapping.lowercased().precomposedStringWithCompatibilityMapping
    }

    /// The name among `existing` that `name` would stand beside as the same name (exactly, or differing only in case
    /// or Unicode compatibility forms); nil when `name` is new.
    public static func clash(_ name: String, with existing: some Sequence<String>) -> String? {
        let key = comparisonKey(name)
        var found: String?
        for e in existing {
            if e == name { return e }
            if found == nil, comparisonKey(e) == key { found = e }
        }
        return found
    }

    /// Throws when `name` would stand beside one of `existing` (`kind` names are unique ignoring case and Unicode
    /// compatibility forms): the same name is `.alreadyExists`; a look-alike is refused naming the existing one.
    public static func checkUnique(_ name: String, kind: String, existing: some Sequence<String>, displayName: String? = nil) throws(WeftError) {
        guard let other = clash(name, with: existing) else { return }
        if other == name { throw .alreadyExists(kind: kind, name: displayName ?? name) }
        throw .invalid([
            Problem(
                "\(kind) name '\(name)' is taken: a \(kind) named '\(other)' exists already, and \(kind) names are unique ignoring case "
                    + "and Unicode compatibility forms (fullwidth letters and the like); use '\(other)' or choose another name")
        ])
    }

    /// Throws when `name` is not a valid `kind` name.
    public static func validate(_ name: String, kind: String) throws(WeftError) {
        if let p = problem(name, kind: kind) { throw .invalid([p]) }
    }
}
