import TerminalUI
import WeftDomain

/// One field of the configuration form.
public struct FormField: Sendable, Hashable {
    /// The schema field.
    public var field: ConfigField
    /// The text typed (for every type but secrets and bools).
    public var input: TextInput
    /// For secrets: the chosen fabric secret name (nil: none). Secret values are never shown.
    public var secret: String?
    /// Whether the user changed this field.
    public var edited = false
    /// The problem with the current text, if any (validated as you type).
    public var error: String?

    /// Creates a field.
    public init(field: ConfigField, input: TextInput, secret: String?) {
        self.field = field
        self.input = input
        self.secret = secret
    }
}

/// The configuration form of one pipeline task.
public struct ConfigFormState: Sendable, Hashable {
    /// `PROJECT/JOB`.
    public var ref: String
    /// The task key.
    public var task: String
    /// The job's name and fabric.
    public var jobName: String
    /// The job's fabric (its secret names are offered for secret fields).
    public var fabric: Fabric
    /// The task's pipeline.
    public var pipeline: Pipeline
    /// The job file's blob as read.
    public var blob: String
    /// The instance names, sorted.
    public var instances: [String]
    /// The chosen instance (index into `instances`, nil for none).
    public var instance: Int?
    /// The instance the task had when the form opened.
    public var originalInstance: String?
    /// The task's overrides when the form opened.
    public var originalOverrides: [String: ConfigValue]
    /// One entry per schema field.
    public var fields: [FormField]
    /// Focus: 0 the instance, 1… the fields.
    public var focus: Int = 1
    /// Errors from the last save attempt or the editor, shown on top.
    public var banner: [String] = []

    /// Builds the form from the task's current configuration.
    public init(ref: String, task: String, jobName: String, fabric: Fabric, pipeline: Pipeline, blob: String, instance: String?, overrides: [String: ConfigValue]) {
        self.ref = ref
        self.task = task
        self.jobName = jobName
        self.fabric = fabric
        self.pipeline = pipeline
        self.blob = blob
        let names = pipeline.instances.keys.sorted()
        self.instances = names
        self.instance = instance.flatMap { names.firstIndex(of: $0) }
        self.originalInstance = instance
        self.originalOverrides = overrides
        let values = ConfigValidator.resolve(pipeline: pipeline, instance: instance, overrides: overrides)
        self.fields = pipeline.schema.map { f in
            let v = values[f.name]
            if case .secret(let name)? = v { return FormField(field: f, input: TextInput(), secret: name) }
            return FormField(field: f, input: TextInput(v.map(Self.text) ?? ""), secret: nil)
        }
        for i in fields.indices { validate(i) }
    }

    /// The chosen instance's name.
    public var instanceName: String? { instance.flatMap { instances.indices.contains($0) ? instances[$0] : nil } }

    /// The editable text of a value (what `ConfigValueParser` reads back).
    public static func text(_ value: ConfigValue) -> String {
        switch value {
        case .secret(let name): return "secret:\(name)"
        case .array(let items): return items.map(\.display).joined(separator: ", ")
        default: return value.display
        }
    }

    /// The values of the instance and defaults alone (no overrides).
    public var baseValues: [String: ConfigValue] {
        ConfigValidator.resolve(pipeline: pipeline, instance: instanceName, overrides: [:])
    }

    /// Chooses another instance: fields the user did not edit take the new instance's values.
    public mutating func selectInstance(_ index: Int?) {
        instance = index
        let base = baseValues
        for i in fields.indices where !fields[i].edited {
            let v = originalOverrides[fields[i].field.name] ?? base[fields[i].field.name]
            if case .secret(let name)? = v {
                fields[i].secret = name
                fields[i].input = TextInput()
            } else {
                fields[i].secret = nil
                fields[i].input = TextInput(v.map(Self.text) ?? "")
            }
            validate(i)
        }
    }

    /// The text of field `i` as the parser reads it.
    public func text(of i: Int) -> String {
        let f = fields[i]
        if f.field.type == .secret { return f.secret.map { "secret:\($0)" } ?? "" }
        return f.input.value
    }

    /// Validates field `i` (as you type).
    public mutating func validate(_ i: Int) {
        let f = fields[i]
        let text = text(of: i)
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            fields[i].error = f.field.required && f.field.defaultValue == nil ? "required" : nil
            return
        }
        do {
            let v = try ConfigValueParser.parse(text, for: f.field)
            let problems = ConfigValidator.problems(of: v, for: f.field, context: "value")
            var message = problems.first.map { $0.message.replacingOccurrences(of: "value: ", with: "") }
            if case .secret(let name) = v, !fabric.secretNames.contains(name) {
                message = "fabric \(fabric.name) has no secret '\(name)'"
            }
            fields[i].error = message
        } catch {
            fields[i].error = error.description
        }
    }

    /// Every problem of the form, as lines.
    public var problems: [String] {
        fields.compactMap { f in f.error.map { "\(f.field.name): \($0)" } }
    }

    /// The change to write: the instance when changed, overrides that differ from the instance, removed overrides.
    public func change() -> ConfigSave {
        let base = baseValues
        var assignments: [String] = []
        var unset: [String] = []
        for i in fields.indices {
            let name = fields[i].field.name
            let text = text(of: i)
            let parsed = try? ConfigValueParser.parse(text, for: fields[i].field)
            if text.trimmingCharacters(in: .whitespaces).isEmpty || parsed.map({ ConfigValidator.coerce($0, for: fields[i].field) }) == base[name].map({ ConfigValidator.coerce($0, for: fields[i].field) }) {
                if originalOverrides[name] != nil { unset.append(name) }
                continue
            }
            if let parsed, originalOverrides[name] == parsed { continue }
            assignments.append("\(name)=\(text)")
        }
        let newInstance = instanceName != originalInstance ? instanceName : nil
        return ConfigSave(ref: ref, task: task, instance: newInstance, assignments: assignments, unset: unset, blob: blob)
    }

    /// The form's values as the YAML text `E` opens in `$EDITOR` (secrets as `secret:NAME` references only).
    public func yaml(errors: [String] = []) -> String {
        var out: [String] = []
        if !errors.isEmpty {
            out.append("# ERRORS — fix them and save, or empty the file to cancel:")
            out += errors.map { "#   \($0)" }
            out.append("#")
        }
        out.append("# Configuration of task \(task) (pipeline \(pipeline.name)) of job \(jobName) on fabric \(fabric.name).")
        out.append("# One 'key: value' per line. Secrets: secret:NAME, NAME one of: \(fabric.secretNames.joined(separator: ", ")).")
        out.append("# A value equal to the instance's is not stored as an override. Empty the file to cancel.")
        out.append("# instances: \(instances.joined(separator: ", "))")
        out.append("instance: \(instanceName ?? "")")
        for i in fields.indices {
            let f = fields[i].field
            var doc = "# \(f.name): \(f.type.rawValue)"
            if f.required { doc += ", required" }
            if let min = f.min { doc += ", min \(ConfigFormState.number(min))" }
            if let max = f.max { doc += ", max \(ConfigFormState.number(max))" }
            if !f.description.isEmpty { doc += " — \(f.description)" }
            out.append(doc)
            out.append("\(f.name): \(text(of: i))")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Reads the editor's text back into the form; returns the problems (empty when valid).
    public mutating func apply(yaml text: String) -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                problems.append("line \(n + 1): expected 'key: value', got '\(line)'")
                continue
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            if key == "instance" {
                if value.isEmpty {
                    selectInstance(nil)
                } else if let i = instances.firstIndex(of: value) {
                    selectInstance(i)
                } else {
                    problems.append("line \(n + 1): pipeline \(pipeline.name) has no instance '\(value)' (instances: \(instances.joined(separator: ", ")))")
                }
                continue
            }
            guard let i = fields.firstIndex(where: { $0.field.name == key }) else {
                problems.append("line \(n + 1): unknown field '\(key)' (fields: \(fields.map(\.field.name).joined(separator: ", ")))")
                continue
            }
            seen.insert(key)
            if fields[i].field.type == .secret {
                if value.isEmpty {
                    fields[i].secret = nil
                } else if value.hasPrefix("secret:") {
                    fields[i].secret = String(value.dropFirst(7))
                } else {
                    fields[i].secret = nil
                    problems.append("line \(n + 1): \(key) is a secret: write secret:NAME (plain-text secrets are rejected)")
                }
            } else {
                fields[i].input = TextInput(value)
            }
            fields[i].edited = true
            validate(i)
        }
        for i in fields.indices where !seen.contains(fields[i].field.name) {
            fields[i].input = TextInput()
            fields[i].secret = nil
            fields[i].edited = true
            validate(i)
        }
        return problems + self.problems
    }

    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
}
