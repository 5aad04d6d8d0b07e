/// The settings a fabric kind takes (PRODUCT.md §3), declared by its driver and checked whenever a fabric is
/// created or changed: unknown keys get a "did you mean", missing required ones are named, values are checked.
public struct FabricSettingsSchema: Sendable, Hashable {
    /// What a setting's value must be.
    public enum ValueKind: Sendable, Hashable {
        /// Any text.
        case text
        /// `on` or `off`.
        case onOff
        /// One of these words.
        case choice([String])
        /// An `http://` or `https://` URL.
        case url
        /// An absolute path.
        case absolutePath
        /// A whole number ≥ 1.
        case positiveInt
        /// Text that equals one of `exact` or starts with one of `prefixes`; `expected` says what is meant.
        case form(expected: String, exact: [String], prefixes: [String])

        /// Why `value` does not fit, nil when it does.
        public func problem(_ value: String) -> String? {
            switch self {
            case .text: return nil
            case .onOff: return value == "on" || value == "off" ? nil : "must be on or off"
            case .choice(let words): return words.contains(value) ? nil : "must be one of \(words.joined(separator: ", "))"
            case .url:
                let ok = (value.hasPrefix("http://") || value.hasPrefix("https://")) && value.count > 8 && !value.contains(" ")
                return ok ? nil : "must be an http:// or https:// URL"
            case .absolutePath: return value.hasPrefix("/") ? nil : "must be an absolute path"
            case .positiveInt: return (Int(value) ?? 0) >= 1 ? nil : "must be a whole number of at least 1"
            case .form(let expected, let exact, let prefixes):
                let ok = exact.contains(value) || prefixes.contains { value.hasPrefix($0) && value.count > $0.count }
                return ok ? nil : "must be \(expected)"
            }
        }
    }

    /// One setting: its key (a `{name}` segment stands for one word, a trailing `{key…}` for the rest), what its
    /// value must be, and whether it must be set.
    public struct Setting: Sendable, Hashable {
        public var key: String
        public var value: ValueKind
        public var required: Bool
        public var help: String

        /// A setting.
        public init(_ key: String, _ value: ValueKind = .text, required: Bool = false, help: String = "") {
            self.key = key
            self.value = value
            self.required = required
            self.help = help
        }

        /// Whether a concrete key is this setting.
        public func matches(_ concrete: String) -> Bool {
            let pattern = key.split(separator: ".", omittingEmptySubsequences: false)
            let parts = concrete.split(separator: ".", omittingEmptySubsequences: false)
            for (i, seg) in pattern.enumerated() {
                if seg.hasPrefix("{") && seg.hasSuffix("…}") {
                    return i == pattern.count - 1 && parts.count > i && parts[i...].allSatisfy { !$0.isEmpty }
                }
                guard i < parts.count else { return false }
                if seg.hasPrefix("{") && seg.hasSuffix("}") {
                    if parts[i].isEmpty { return false }
                } else if seg != parts[i] {
                    return false
                }
            }
            return parts.count == pattern.count
        }
    }

    /// The fabric kind.
    public var kind: FabricKind
    /// Every setting the kind takes (besides `description`, which every fabric may have).
    public var settings: [Setting]
    /// Secrets the kind itself uses (e.g. airflow's `password`); set with `weft fabric set-secret`.
    public var secrets: [String]

    /// A schema.
    public init(kind: FabricKind, settings: [Setting], secrets: [String] = []) {
        self.kind = kind
        self.settings = settings
        self.secrets = secrets
    }

    /// A setting every fabric may have.
    public static let common: [Setting] = [Setting("description", help: "what the fabric is for")]

    /// Whether `key` is a documented setting of this kind.
    public func isDocumented(_ key: String) -> Bool { (Self.common + settings).contains { $0.matches(key) } }

    /// Every problem of a fabric's settings: unknown keys (with the closest known one), values that do not fit,
    /// required keys missing, secrets given as settings, a `{name}` group without its required members.
    public func problems(_ values: [String: String], fabric: String) -> [Problem] {
        var out: [Problem] = []
        let all = Self.common + settings
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let wildcard = (Self.common + settings).first { $0.matches(key) }.map { $0.key.contains("…}") } ?? false
            if secrets.contains(key) || ((!isDocumented(key) || wildcard) && Self.looksSecret(key)) {
                out.append(
                    Problem(
                        "setting '\(key)' is a secret; settings are visible to the fabric's team — store it with 'weft fabric set-secret \(fabric) \(key) --value-stdin'"
                    ))
                continue
            }
            guard let setting = all.first(where: { $0.matches(key) }) else {
                let known = all.map(\.key)
                let hint = Suggestion.closest(to: key, in: known).map { "; did you mean '\($0)'?" } ?? ""
                out.append(
                    Problem("unknown setting '\(key)' for a \(kind.rawValue) fabric\(hint) (settings: \(known.joined(separator: ", ")))"))
                continue
            }
            // The value is not echoed: whatever was typed there stays off the screen and out of logs.
            if let why = setting.value.problem(value) { out.append(Problem("setting '\(key)' \(why)")) }
        }
        for s in settings where s.required && !s.key.contains("{") && values[s.key] == nil {
            out.append(Problem("a \(kind.rawValue) fabric needs setting '\(s.key)'\(s.help.isEmpty ? "" : " (\(s.help))"); add --set \(s.key)=…"))
        }
        // Groups such as size.{name}.*: every group that is named must have its required members.
        for s in settings where s.required && s.key.contains("{") {
            let pattern = s.key.split(separator: ".").map(String.init)
            guard let slot = pattern.firstIndex(where: { $0.hasPrefix("{") }) else { continue }
            let prefix = pattern[..<slot].joined(separator: ".") + "."
            let names = Set(values.keys.filter { $0.hasPrefix(prefix) }.compactMap { k -> String? in
                let parts = k.split(separator: ".").map(String.init)
                return parts.count > slot ? parts[slot] : nil
            })
            for name in names.sorted() {
                var concrete = pattern
                concrete[slot] = name
                let key = concrete.joined(separator: ".")
                if values[key] == nil { out.append(Problem("setting '\(key)' is missing (every \(prefix)\(name) needs it); add --set \(key)=…")) }
            }
        }
        return out
    }

    /// Throws every problem of a fabric's settings (each named with the fabric), and refuses a schema of another
    /// kind than the fabric's (a caller's mistake: each kind's driver supplies its own schema).
    public func validate(_ values: [String: String], of fabric: String, kind: FabricKind) throws(WeftError) {
        guard self.kind == kind else {
            throw WeftError.failure(
                "fabric \(fabric) is of kind \(kind.rawValue) but was checked against the settings of \(self.kind.rawValue) fabrics; this is a bug in Weft")
        }
        let found = problems(values, fabric: fabric)
        if !found.isEmpty { throw WeftError.invalid(found.map { Problem("fabric \(fabric): \($0.message)") }) }
    }

    /// Whether a key that is not a documented setting looks like it holds a secret.
    public static func looksSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["password", "passwd", "secret", "token", "apikey", "api_key", "private_key", "credential"].contains { k.contains($0) }
    }
}
