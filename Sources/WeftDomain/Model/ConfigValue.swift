/// A value of a pipeline configuration field.
public enum ConfigValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    /// A calendar date, `YYYY-MM-DD`.
    case date(String)
    /// A reference to a fabric secret by name; the value is resolved only into a task's configuration file.
    case secret(String)
    case array([ConfigValue])

    /// A short human rendering (secrets show only their reference).
    public var display: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .date(let d): return d
        case .secret(let name): return "secret:\(name)"
        case .array(let items): return "[" + items.map(\.display).joined(separator: ", ") + "]"
        }
    }
}

extension ConfigValue: Codable {
    private enum CodingKeys: String, CodingKey { case secret }

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: CodingKeys.self), let name = try? keyed.decode(String.self, forKey: .secret) {
            self = .secret(name)
            return
        }
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([ConfigValue].self) { self = .array(a); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported configuration value")
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .secret(let name):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .secret)
        case .string(let s), .date(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .array(let a):
            var c = encoder.singleValueContainer()
            try c.encode(a)
        }
    }
}
