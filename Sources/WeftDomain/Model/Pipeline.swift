/// The language a pipeline is written in.
public enum PipelineKind: String, Sendable, Codable, CaseIterable, Hashable {
    case python, pyspark, shell
}

/// The type of a configuration field.
public enum ConfigFieldType: String, Sendable, Codable, CaseIterable, Hashable {
    case string, int, double, bool, date, secret, array
}

/// One field of a pipeline's configuration schema.
public struct ConfigField: Sendable, Hashable, Codable {
    public var name: String
    public var type: ConfigFieldType
    public var required: Bool
    public var defaultValue: ConfigValue?
    public var min: Double?
    public var max: Double?
    public var description: String

    public init(
        name: String, type: ConfigFieldType, required: Bool = false, defaultValue: ConfigValue? = nil,
        min: Double? = nil, max: Double? = nil, description: String = ""
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.min = min
        self.max = max
        self.description = description
    }
}

/// An ETL program with a configuration schema and named configuration instances.
public struct Pipeline: Sendable, Hashable, Codable {
    public var name: String
    public var kind: PipelineKind
    /// The entry file, relative to the pipeline's folder.
    public var entry: String
    public var schema: [ConfigField]
    /// Configuration instance name → values.
    public var instances: [String: [String: ConfigValue]]
    public var description: String
    /// The command a release runs (with `/bin/sh -c`, in the pipeline's folder) as the pipeline's unit tests; nil
    /// runs `python3 -m unittest discover -s tests` when the pipeline has a `tests/` folder.
    public var test: String?
    /// How long the unit tests may take, in seconds (`test_timeout`; default `defaultTestTimeout`): a release whose
    /// tests run longer stops, its tests killed, before anything is tagged or deployed.
    public var testTimeout: Double?

    /// The unit tests' time limit when the pipeline names none: 10 minutes.
    public static let defaultTestTimeout: Double = 600

    public init(
        name: String, kind: PipelineKind, entry: String, schema: [ConfigField] = [],
        instances: [String: [String: ConfigValue]] = [:], description: String = "", test: String? = nil
    ) {
        self.test = test
        self.name = name
        self.kind = kind
        self.entry = entry
        self.schema = schema
        self.instances = instances
        self.description = description
    }

    /// The field with this name, if the schema has it.
    public func field(named name: String) -> ConfigField? { schema.first { $0.name == name } }
}
