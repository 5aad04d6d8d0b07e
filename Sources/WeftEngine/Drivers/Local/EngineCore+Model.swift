import Foundation
import WeftDomain

/// A run the engine owns (loop-thread confined).
final class ActiveRun {
    let request: RunRequest
    var record: RunRecord
    let nodes: [String: TaskNode]
    /// Task keys in the request's order.
    let order: [String]
    var unfinished: Int
    var started = false
    var cancelling = false
    var cancelReason: String?
    /// The run's task launcher (inside its sandbox, or outside with `sandbox: off`), started with its first task.
    var launcher: LaunchChannel?
    /// Why the launcher could not start (every task of the run then fails with it).
    var launcherProblem: String?

    var id: String { record.id }
    /// `project/job`: the unit `max_concurrent_runs` applies to.
    var jobKey: String { "\(request.project)/\(request.job)" }

    init(request: RunRequest, record: RunRecord) {
        self.request = request
        self.record = record
        var nodes: [String: TaskNode] = [:]
        for t in request.tasks {
            nodes[t.key] = TaskNode(task: t, record: TaskRunRecord(runID: record.id, key: t.key, state: .pending))
        }
        for t in request.tasks {
            for d in t.dependsOn { nodes[d]?.dependents.append(t.key) }
        }
        self.nodes = nodes
        order = request.tasks.map(\.key)
        unfinished = request.tasks.count
    }
}

/// Where a task is in its life.
enum TaskPhase {
    /// Upstream tasks have not all finished.
    case waiting
    /// In its fabric's queue for a slot.
    case ready
    case running
    /// Waiting for its retry delay.
    case backoff
    case done
}

/// One task of an active run.
final class TaskNode {
    let task: ResolvedTask
    var record: TaskRunRecord
    var waitingOn: Int
    var dependents: [String] = []
    var phase: TaskPhase = .waiting
    var process: TaskProcess?
    /// When progress was last handed to the writer (uptime ns), and whether newer progress waits for a flush.
    var lastProgressWrite: UInt64 = 0
    var progressPending = false

    var key: String { task.key }

    init(task: ResolvedTask, record: TaskRunRecord) {
        self.task = task
        self.record = record
        waitingOn = Set(task.dependsOn).count
    }
}

/// Why the engine signalled a task.
enum TerminationReason {
    case cancel, timeout
}

/// A running attempt of a task.
final class TaskProcess {
    unowned let run: ActiveRun
    unowned let node: TaskNode
    /// 0 and -1 until the spawner has started the process.
    var pid: Int32
    var pidfd: Int32
    var startedAt = Date()
    var pipeFD: Int32?
    /// The attempt's log, opened when there is something to write (-1 until then): a task that prints nothing and
    /// succeeds leaves no file (creating 20 files cost ~8 ms of a 30 ms run of 20 `true` tasks).
    var logFD: Int32 = -1
    let logPath: String
    /// The attempt's first line, written when the log is opened.
    let logHeader: String
    let attempt: Int
    var lines: LogLineProcessor
    var terminationReason: TerminationReason?
    /// The cross-process slot (lock file index) this attempt holds, if the fabric has slot locks.
    let slotLock: Int?
    /// The launcher's id of this attempt, when it runs through the run's launcher (else it was spawned directly).
    var launchID: UInt32?

    init(
        run: ActiveRun, node: TaskNode, pid: Int32, pidfd: Int32, pipeFD: Int32, logPath: String, logHeader: String,
        attempt: Int, lines: LogLineProcessor, slotLock: Int?
    ) {
        self.logPath = logPath
        self.logHeader = logHeader
        self.run = run
        self.node = node
        self.pid = pid
        self.pidfd = pidfd
        self.pipeFD = pipeFD
        self.attempt = attempt
        self.lines = lines
        self.slotLock = slotLock
    }
}

/// A fabric's task slots, shared by all runs on it, and its FIFO of ready tasks.
final class FabricSlots {
    var limit: Int
    /// Task processes of this engine on the fabric (the in-process limit: the fast path).
    var inUse = 0
    var queue: [(ActiveRun, TaskNode)] = []
    private var head = 0
    /// The slots shared with other processes, when the runs name a slot lock directory.
    var locks: SlotLocks?
    /// Whether a `.slotWait` timer is pending (all slots held by other processes).
    var waiting = false
    /// The current wait before looking for a free slot again (0 after a slot was taken).
    var waitDelay: TimeInterval = 0

    init(limit: Int) { self.limit = limit }

    /// The next ready task, left in the queue.
    func peekFirst() -> (ActiveRun, TaskNode)? { head < queue.count ? queue[head] : nil }

    func popFirst() -> (ActiveRun, TaskNode)? {
        guard head < queue.count else { return nil }
        let item = queue[head]
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return item
    }
}

/// A job's running runs and the runs queued behind `max_concurrent_runs`.
final class JobSlots {
    var running = 0
    var queue: [String] = []
}

enum TimerAction {
    case timeout(runID: String, key: String, attempt: Int)
    case kill(runID: String, key: String, attempt: Int)
    case retry(runID: String, key: String, attempt: Int)
    case flushProgress(runID: String, key: String)
    /// Look again for a slot of the fabric that other processes held.
    case slotWait(fabric: String)
}

struct EngineTimer {
    var deadline: UInt64
    var action: TimerAction
}
