/// The engine API every fabric kind implements (local processes now; Spark, Airflow, Databricks later).
public protocol ExecutionEngine: Sendable {
    /// Starts (or queues, within the job's `max_concurrent_runs`) a run. Returns once the run is recorded.
    func start(_ request: RunRequest) async throws -> RunRecord
    /// Cancels a run: running tasks are stopped, pending ones cancelled; the run ends `cancelled`.
    func cancel(runID: String) async throws
    /// Live events of a run. A watcher attaching mid-run first gets `.snapshot`; the stream ends after `.runFinished`.
    func events(runID: String) -> AsyncThrowingStream<RunEvent, any Error>
}
