/// Checks configuration values against a pipeline's schema.
public enum ConfigValidator {
    /// Problems with one value for `field`.
    public static func problems(of value: ConfigValue, for field: ConfigField, context: String) -> [Problem] {
        var out: [Problem] = []
        func typeError(_ expected: String) {
            out.append(Problem("\(context): \(field.name) must be \(expected), got \(value.display)"))
        }
        switch (field.type, value) {
        case (.string, .string): break
        case (.int, .int(let v)):
            if let min = field.min, Double(v) < min { out.append(Problem("\(context): \(field.name) is \(v), below the minimum \(fmt(min))")) }
            if let max = field.max, Double(v) > max { out.append(Problem("\(context): \(field.name) is \(v), above the maximum \(fmt(max))")) }
        case (.double, .double), (.double, .int):
            let d: Double
            switch value {
            case .int(let i): d = Double(i)
            case .double(let x): d = x
            default: d = 0
            }
            if let min = field.min, d < min { out.append(Problem("\(context): \(field.name) is \(fmt(d)), below the minimum \(fmt(min))")) }
            if let max = field.max, d > max { out.append(Problem("\(context): \(field.name) is \(fmt(d)), above the maximum \(fmt(max))")) }
        case (.bool, .bool): break
        case (.date, .date(let d)), (.date, .string(let d)):
            if !ConfigValueParser.isDate(d) { typeError("a date YYYY-MM-DD") }
        case (.secret, .secret): break
        case (.secret, _):
            out.append(
                Problem(
                    "\(context): \(field.name) is a secret and holds a plain value; plain-text secrets are rejected — reference a fabric secret as {secret: NAME}"
                ))
        case (.array, .array): break
        case (.string, .secret):
            out.append(Problem("\(context): \(field.name) is a string, not a secret reference"))
        default:
            typeError("of type \(field.type.rawValue)")
        }
        return out
    }

    /// Problems with a set of values: unknown keys and per-field problems. With `requireAll`, missing required fields too.
    public static func problems(
        of values: [String: ConfigValue], pipeline: Pipeline, context: String, requireAll: Bool,
        inherited: [String: ConfigValue] = [:]
    ) -> [Problem] {
        var out: [Problem] = []
        for key in values.keys.sorted() {
            guard let field = pipeline.field(named: key) else {
                let known = pipeline.schema.map(\.name).joined(separator: ", ")
                out.append(Problem("\(context): unknown field '\(key)' for pipeline \(pipeline.name) (fields: \(known))"))
                continue
            }
            if let v = values[key] { out += problems(of: v, for: field, context: context) }
        }
        if requireAll {
            for field in pipeline.schema where field.required {
                if values[field.name] == nil && inherited[field.name] == nil && field.defaultValue == nil {
                    out.append(Problem("\(context): required field '\(field.name)' of pipeline \(pipeline.name) has no value"))
                }
            }
        }
        return out
    }

    /// The effective values for a task: schema defaults, then the instance, then the overrides.
    public static func resolve(pipeline: Pipeline, instance: String?, overrides: [String: ConfigValue]) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        for field in pipeline.schema { if let d = field.defaultValue { values[field.name] = d } }
        if let instance, let inst = pipeline.instances[instance] { values.merge(inst) { _, new in new } }
        values.merge(overrides) { _, new in new }
        return values
    }

    /// Reads a value as the field's type where YAML's own typing differs harmlessly (a date-looking string, an int for a double).
    public static func coerce(_ value: ConfigValue, for field: ConfigField) -> ConfigValue {
        switch (field.type, value) {
        case (.string, .date(let s)): return .string(s)
        case (.string, .int(let i)): return .string(String(i))
        case (.string, .double(let d)): return .string(String(d))
        case (.string, .bool(let b)): return .string(b ? "true" : "false")
        case (.date, .string(let s)) where ConfigValueParser.isDate(s): return .date(s)
        case (.double, .int(let i)): return .double(Double(i))
        default: return value
        }
    }

    static func fmt(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
