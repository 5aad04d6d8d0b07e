/// An execution environment: where jobs run.
public struct Fabric: Sendable, Hashable, Codable {
    public var name: String
    public var ownerTeam: String
    public var stage: Stage
    public var kind: FabricKind
    /// How many tasks may run at once (the "cluster size").
    public var slots: Int
    /// Connection settings (never secrets).
    public var settings: [String: String]
    /// Names of the fabric's secrets; values are write-only and never leave the store decrypted except to a task.
    public var secretNames: [String]

    public init(
        name: String, ownerTeam: String, stage: Stage, kind: FabricKind, slots: Int = 4,
        settings: [String: String] = [:], secretNames: [String] = []
    ) {
        self.name = name
        self.ownerTeam = ownerTeam
        self.stage = stage
        self.kind = kind
        self.slots = slots
        self.settings = settings
        self.secretNames = secretNames
    }

    /// True for fabrics whose changes need a typed confirmation in the TUI.
    public var isProduction: Bool { stage == .production }
}
