/// The part of Weft that runs jobs and deploys releases for one fabric kind (PRODUCT.md §1). A driver is the only
/// code that knows its kind; the run service dispatches to it through `DriverRegistry`, and every face (CLI, TUI,
/// scheduler) reaches drivers only through the run service.
///
/// Drivers record their runs in the metastore themselves (state, tasks, owner, external id), so that any Weft
/// process can list and follow them; `.runFinished` is delivered only after the final state is committed.
public protocol FabricDriver: Sendable {
    /// The fabric kind this driver serves.
    var kind: FabricKind { get }
    /// The settings (and secrets) a fabric of this kind takes (PRODUCT.md §3).
    var settingsSchema: FabricSettingsSchema { get }
    /// Whether `weft scheduler` fires this kind's enabled jobs (false where the fabric schedules jobs itself).
    var firesSchedules: Bool { get }

    /// Tests a fabric's settings for real (paths, programs, reachability, credentials).
    func check(_ fabric: Fabric) async -> [FabricCheck]

    /// Records the run (state `queued`) and starts it; returns once it is recorded. With `watch`, the stream holds
    /// every event of the run from its `.snapshot` on.
    func start(_ plan: RunPlan, watch: Bool) async throws -> (RunRecord, AsyncThrowingStream<RunEvent, any Error>?)
    /// Cancels a run of this driver: running tasks are stopped, pending ones cancelled; it ends `cancelled`.
    func cancel(_ run: RunRecord, by user: String) async throws
    /// Live events of a run: `.snapshot` first, then changes until `.runFinished`. With `replayLogs`, log lines
    /// written before the watcher attached are sent too (as `.taskLog`).
    func events(_ run: RunRecord, replayLogs: Bool) -> AsyncThrowingStream<RunEvent, any Error>
    /// A task's whole log (secrets masked), nil when it has none yet.
    func log(_ run: RunRecord, task: String) throws -> String?
    /// Where the run's logs are kept, for people (a directory, a URL); nil when there is no such place.
    func logLocation(_ run: RunRecord) -> String?
    /// Handles an unfinished run whose owning Weft process died: a run that lived in that process is failed (and
    /// what it left behind is stopped); a run that lives on the fabric goes on, and with `adopt` this process
    /// reattaches to it by its external id and records it until it ends.
    func recover(_ run: RunRecord, adopt: Bool) throws -> RunRecoveryOutcome
    /// Applies a deployment plan of a release to a fabric; a job is left at its old or its new version.
    func deploy(_ plan: DeploymentPlan) async throws -> DeploymentResult
    /// Ids of the runs this process drives right now.
    var activeRunIDs: [String] { get }
    /// Before this process exits: runs that live in it are cancelled (waiting up to `timeout` seconds), runs that
    /// live on the fabric are left to go on (a later process reattaches).
    func shutdown(timeout: Double) async
}

/// What recovery did with an orphaned run.
public enum RunRecoveryOutcome: String, Sendable, Hashable, Codable {
    /// The run ended `failed` (orphaned); its leftovers were stopped.
    case failed
    /// The run goes on on the fabric and this process now records it.
    case reattached
    /// The run goes on on the fabric; nobody records it until a process adopts it.
    case leftRunning
    /// Someone else handled it meanwhile (it ended, or another process adopted it).
    case untouched
}

/// One result of `weft fabric check`.
public struct FabricCheck: Sendable, Hashable, Codable {
    /// What was checked, e.g. "data root writable".
    public var name: String
    /// Whether it holds.
    public var ok: Bool
    /// What was found, and what to do when it does not hold.
    public var detail: String

    /// A check result.
    public init(name: String, ok: Bool, detail: String) {
        self.name = name
        self.ok = ok
        self.detail = detail
    }
}
