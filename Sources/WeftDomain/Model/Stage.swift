/// The stage of development an execution environment serves.
public enum Stage: String, Sendable, Codable, CaseIterable, Hashable {
    case development, qa, production
}

/// How a fabric executes jobs.
public enum FabricKind: String, Sendable, Codable, CaseIterable, Hashable {
    case local, spark, airflow, databricks
}
