import CPosix
import Foundation
import WeftDomain
import WeftStore

/// The local engine's reactor: one thread owns every run's state, spawns task processes, reads their output
/// (poll(2) over pipes), learns of their exit (pidfd, no polling), and drives timers (timeouts, kill grace,
/// retry back-off) from poll's timeout. Other threads talk to it only through `submit`.
final class EngineCore: @unchecked Sendable {
    enum Command {
        case start(RunRequest, RunRecord)
        case cancel(runID: String, reason: String)
        case checkCancelRequests
        case spawned(Spawner.Result)
    }

    let metastore: Metastore
    let options: LocalEngineOptions
    let hub: RunHub
    let writer: RunWriter
    let owner: RunOwner

    private let inbox = Locked<[Command]>([])
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let baseEnvironment: [String]

    // MARK: loop-confined state

    private var runs: [String: ActiveRun] = [:]
    private var fabrics: [String: FabricSlots] = [:]
    private var jobs: [String: JobSlots] = [:]
    /// Running processes by pidfd.
    private var processes: [Int32: TaskProcess] = [:]
    /// pipe fd → its process.
    private var pipes: [Int32: TaskProcess] = [:]
    /// Launcher socket → its run.
    private var launcherSockets: [Int32: ActiveRun] = [:]
    /// Launchers of finished runs, by pidfd, until they have exited and are reaped.
    private var closingLaunchers: [Int32: LaunchChannel] = [:]
    private var timers: [EngineTimer] = []
    private var readBuffer = [UInt8](repeating: 0, count: 65536)
    private var spawner: Spawner?
    /// Fabrics whose slots launcher-run tasks gave back in this turn of the loop.
    private var launcherFreed = Set<String>()

    init(metastore: Metastore, options: LocalEngineOptions, hub: RunHub, writer: RunWriter) throws {
        self.metastore = metastore
        self.options = options
        self.hub = hub
        self.writer = writer
        self.owner = ProcessIdentity.current
        var fds: [Int32] = [0, 0]
        let rc = weft_pipe(&fds)
        guard rc == 0 else { throw WeftError.failure("cannot create the engine's wake pipe: \(Self.errorText(rc))") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        // A full wake pipe already wakes the loop: never block a submitter on it.
        _ = weft_set_nonblocking(wakeWrite)
        let env = ProcessInfo.processInfo.environment
        baseEnvironment = env.compactMap { k, v in
            !Credentials.names.contains(k) && (options.inheritedEnvironment.contains(k) || k.hasPrefix("LC_")) ? "\(k)=\(v)" : nil
        }
        spawner = Spawner { [self] result in self.submit(.spawned(result)) }
        let thread = Thread { [self] in self.loop() }
        thread.name = "weft-engine"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// Hands a command to the loop thread and wakes it.
    func submit(_ command: Command) {
        inbox.withLock { $0.append(command) }
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    // MARK: the loop

    private func loop() {
        var fds: [Int32] = []
        var events: [Int16] = []
        var revents: [Int16] = []
        while true {
            for c in inbox.withLock({ q -> [Command] in defer { q.removeAll() }; return q }) { handle(c) }
            fireDueTimers()

            fds.removeAll(keepingCapacity: true)
            events.removeAll(keepingCapacity: true)
            fds.append(wakeRead)
            events.append(WEFT_POLLIN)
            for pidfd in processes.keys {
                fds.append(pidfd)
                events.append(WEFT_POLLIN)
            }
            for pipe in pipes.keys {
                fds.append(pipe)
                events.append(WEFT_POLLIN)
            }
            for socket in launcherSockets.keys {
                fds.append(socket)
                events.append(WEFT_POLLIN)
            }
            for pidfd in closingLaunchers.keys {
                fds.append(pidfd)
                events.append(WEFT_POLLIN)
            }
            revents = [Int16](repeating: 0, count: fds.count)
            let timeout = pollTimeout()
            let n = weft_poll(fds, events, &revents, Int32(fds.count), timeout)
            if n <= 0 { continue }
            if revents[0] != 0 { drainWake() }
            // Output first, then exits, so a process's last lines precede its finish event.
            var exited: [Int32] = []
            var launcherReady: [Int32] = []
            for i in 1..<fds.count where revents[i] != 0 {
                let fd = fds[i]
                if let p = pipes[fd] {
                    readOutput(p)
                } else if processes[fd] != nil {
                    exited.append(fd)
                } else if launcherSockets[fd] != nil {
                    launcherReady.append(fd)
                } else if let ch = closingLaunchers[fd], ch.reap(blocking: false) {
                    closingLaunchers.removeValue(forKey: fd)
                }
            }
            for socket in launcherReady {
                if let run = launcherSockets[socket] { launcherMessages(run) }
            }
            // Finish every exited task (publishing its events) before starting the tasks that take their slots.
            var freed = Set<String>()
            for pidfd in exited {
                if let p = processes[pidfd] {
                    freed.insert(p.run.request.fabric.name)
                    processExited(p)
                }
            }
            for f in freed { pump(f) }
            for f in launcherFreed { pump(f) }
            launcherFreed.removeAll()
        }
    }

    private func drainWake() {
        var buf = [UInt8](repeating: 0, count: 256)
        while weft_read(wakeRead, &buf, 256) > 0 {}
    }

    private func handle(_ command: Command) {
        switch command {
        case .start(let request, let record): admit(request, record)
        case .cancel(let runID, let reason): cancelRun(runID, reason: reason)
        case .spawned(let result): spawned(result)
        case .checkCancelRequests:
            let requests = (try? metastore.cancelRequests(ownerPID: owner.pid)) ?? []
            for (id, request) in requests where runs[id] != nil {
                // "cancel requested by alice" → "cancelled by alice"
                let who = request.hasPrefix(Metastore.cancelRequestPrefix + " by ")
                    ? String(request.dropFirst(Metastore.cancelRequestPrefix.count + 4)) : "another Weft process"
                cancelRun(id, reason: "cancelled by \(who)")
            }
        }
    }

    // MARK: runs

    private func admit(_ request: RunRequest, _ record: RunRecord) {
        let run = ActiveRun(request: request, record: record)
        runs[run.id] = run
        let slots = fabrics[request.fabric.name] ?? FabricSlots(limit: max(1, request.fabric.slots))
        slots.limit = max(1, request.fabric.slots)
        if let dir = request.slotLockDirectory, slots.locks?.directory != dir, slots.locks?.heldCount ?? 0 == 0 {
            slots.locks = SlotLocks(directory: dir)
        }
        fabrics[request.fabric.name] = slots
        let job = jobs[run.jobKey] ?? JobSlots()
        jobs[run.jobKey] = job
        if job.running < max(1, request.maxConcurrentRuns) {
            hub.publish(.runQueued(runID: run.id, at: record.queuedAt))
            begin(run)
        } else {
            job.queue.append(run.id)
            run.record.message =
                "queued: \(job.running) run(s) of \(request.project)/\(request.job) already running "
                + "(max_concurrent_runs = \(request.maxConcurrentRuns)); starts when one ends"
            persist(run)
            hub.updateRun(run.record, event: .runQueued(runID: run.id, at: record.queuedAt))
            if let snap = hub.snapshot(run.id) { hub.publish(.snapshot(snap.0, snap.1)) }
        }
    }

    private func begin(_ run: ActiveRun) {
        guard let job = jobs[run.jobKey] else { return }
        job.running += 1
        run.started = true
        let now = Date()
        run.record.state = .running
        run.record.startedAt = now
        run.record.message = nil
        persist(run)
        hub.updateRun(run.record, event: .runStarted(runID: run.id, at: now))
        if !FileManager.default.fileExists(atPath: run.request.logDirectory) {
            try? FileManager.default.createDirectory(
                atPath: run.request.logDirectory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        for key in run.order where run.nodes[key]?.waitingOn == 0 {
            if let node = run.nodes[key] { dependenciesDone(node, run) }
        }
        pump(run.request.fabric.name)
    }

    private func cancelRun(_ runID: String, reason: String) {
        guard let run = runs[runID], !run.cancelling else { return }
        run.cancelling = true
        run.cancelReason = reason
        if !run.started {
            jobs[run.jobKey]?.queue.removeAll { $0 == runID }
        }
        for key in run.order {
            guard let node = run.nodes[key] else { continue }
            switch node.phase {
            case .waiting, .ready, .backoff:
                finish(node, run, state: .cancelled, exitCode: nil, message: "cancelled before it ran")
            case .running:
                if let p = node.process { terminate(p, message: "cancelled") }
            case .done:
                break
            }
        }
        if run.unfinished == 0 { finishRun(run) }
    }

    private func finishRun(_ run: ActiveRun) {
        guard runs.removeValue(forKey: run.id) != nil else { return }
        if let ch = run.launcher {
            // Every task has ended (and so has whatever it started): the launcher exits on EOF; reaped when it has.
            launcherSockets.removeValue(forKey: ch.socket)
            ch.shut()
            if !ch.reap(blocking: false) { closingLaunchers[ch.pidfd] = ch }
            run.launcher = nil
        }
        let now = Date()
        let failed = run.order.filter { run.nodes[$0]?.record.state == .failed }
        if run.cancelling {
            run.record.state = .cancelled
            run.record.message = run.cancelReason
        } else if !failed.isEmpty {
            run.record.state = .failed
            run.record.message = "task(s) failed: \(failed.joined(separator: ", "))"
        } else {
            run.record.state = .success
            run.record.message = nil
        }
        run.record.finishedAt = now
        persist(run)
        let record = run.record
        let hub = self.hub
        writer.afterCommit {
            hub.close(
                record, event: .runFinished(runID: record.id, state: record.state, at: now, message: record.message))
        }
        if let job = jobs[run.jobKey] {
            if run.started { job.running -= 1 }
            while job.running < max(1, run.request.maxConcurrentRuns), !job.queue.isEmpty {
                let next = job.queue.removeFirst()
                if let r = runs[next] { begin(r) }
            }
            if job.running == 0 && job.queue.isEmpty { jobs.removeValue(forKey: run.jobKey) }
        }
    }

    // MARK: tasks

    /// Called once every upstream task of `node` has finished.
    private func dependenciesDone(_ node: TaskNode, _ run: ActiveRun) {
        if run.cancelling {
            finish(node, run, state: .cancelled, exitCode: nil, message: "cancelled before it ran")
            return
        }
        if node.task.runIf == .allSuccess {
            let notOK = node.task.dependsOn.filter { run.nodes[$0]?.record.state != .success }
            if !notOK.isEmpty {
                finish(
                    node, run, state: .skipped, exitCode: nil,
                    message: "skipped: upstream \(notOK.joined(separator: ", ")) did not succeed (run_if all_success)")
                return
            }
        }
        enqueue(node, run)
    }

    private func enqueue(_ node: TaskNode, _ run: ActiveRun) {
        node.phase = .ready
        fabrics[run.request.fabric.name]?.queue.append((run, node))
    }

    /// Starts ready tasks while the fabric has free slots: first this engine's own count (no system call), then,
    /// with slot locks, a lock file no other process holds. When other processes hold every slot, looks again
    /// after a short backoff (5 ms doubling to 100 ms) — timers only while waiting, never a busy loop.
    private func pump(_ fabric: String) {
        guard let slots = fabrics[fabric] else { return }
        while slots.inUse < slots.limit, let (run, node) = slots.peekFirst() {
            guard node.phase == .ready, !run.cancelling else {
                _ = slots.popFirst()
                continue
            }
            var lock: Int?
            if let locks = slots.locks {
                switch locks.acquire(limit: slots.limit) {
                case .acquired(let i):
                    lock = i
                    slots.waitDelay = 0
                case .busy:
                    if !slots.waiting {
                        slots.waiting = true
                        slots.waitDelay = slots.waitDelay == 0 ? 0.005 : min(0.1, slots.waitDelay * 2)
                        addTimer(after: slots.waitDelay, .slotWait(fabric: fabric))
                    }
                    return
                case .failed(let why):
                    _ = slots.popFirst()
                    node.record.startedAt = Date()
                    finish(node, run, state: .failed, exitCode: nil, message: why)
                    continue
                }
            }
            _ = slots.popFirst()
            slots.inUse += 1
            spawn(node, run, slotLock: lock)
        }
    }

    /// Gives back the slot an attempt held (this engine's count and its lock file, if any).
    private func releaseSlot(_ fabric: String, lock: Int?) {
        guard let slots = fabrics[fabric] else { return }
        slots.inUse -= 1
        if let lock { slots.locks?.release(lock) }
    }

    private func finish(_ node: TaskNode, _ run: ActiveRun, state: TaskState, exitCode: Int32?, message: String?) {
        guard node.phase != .done else { return }
        node.phase = .done
        let now = Date()
        node.record.state = state
        node.record.exitCode = exitCode
        node.record.finishedAt = now
        node.record.message = message
        if state == .success { node.record.progress = 1 }
        writer.write(task: node.record, pid: nil)
        hub.updateTask(
            node.record,
            event: .taskFinished(
                runID: run.id, task: node.key, state: state, exitCode: exitCode, at: now, message: message))
        run.unfinished -= 1
        for d in node.dependents {
            guard let dn = run.nodes[d] else { continue }
            dn.waitingOn -= 1
            if dn.waitingOn == 0 && dn.phase == .waiting { dependenciesDone(dn, run) }
        }
        if run.unfinished == 0 { finishRun(run) }
    }

    /// Spawns one attempt in a slot already taken; when the process cannot start, gives the slot back and
    /// finishes the task failed.
    private func spawn(_ node: TaskNode, _ run: ActiveRun, slotLock: Int?) {
        node.record.attempt += 1
        let attempt = node.record.attempt
        let task = node.task
        let logPath = (run.request.logDirectory as NSString).appendingPathComponent("\(task.key).log")
        let started = Date()
        let header = "=== \(run.id) \(task.key) attempt \(attempt) started \(UTCTime.iso8601(started, milliseconds: true)) ===\n"
        /// Opens the log for a message written before the process exists.
        func openLogNow() -> Int32 {
            let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            if fd >= 0 { writeAll(fd, header) }
            return fd
        }
        // The configuration (with decrypted secrets) is a sealed memfd the task inherits as /dev/fd/N: no file
        // exists that could outlive the task, be redirected by a planted symlink or be changed once written.
        var configFD: Int32 = -1
        var configPath: String?
        if let json = task.configJSON {
            configFD = json.withUnsafeBytes { buf in
                weft_sealed_memfd("weft-config", buf.baseAddress, buf.count)
            }
            guard configFD >= 0 else {
                let why = "cannot hand the task its configuration (memfd_create: \(Self.errorText(-configFD))); the kernel must be Linux 3.17 or later"
                configFD = -1
                let logFD = openLogNow()
                if logFD >= 0 {
                    writeAll(logFD, "weft: \(why)\n")
                    close(logFD)
                }
                node.record.startedAt = started
                releaseSlot(run.request.fabric.name, lock: slotLock)
                finish(node, run, state: .failed, exitCode: nil, message: why)
                return
            }
            configPath = "/dev/fd/\(configFD)"
        }
        // The contract variables win over the task's own, which win over the inherited ones (first match counts).
        var env: [String] = []
        if let configPath { env.append("WEFT_CONFIG=\(configPath)") }
        env.append("WEFT_FABRIC=\(run.request.fabric.name)")
        env.append("WEFT_DATA=\(run.request.dataRoot)")
        env.append("WEFT_RUN_ID=\(run.id)")
        env.append("WEFT_TASK=\(task.key)")
        env.append("WEFT_ATTEMPT=\(attempt)")
        // Inside a sandbox the only temporary folder is its private /tmp.
        if run.request.sandbox != nil { env.append("TMPDIR=/tmp") }
        for (k, v) in task.environment where !k.hasPrefix("WEFT_") { env.append("\(k)=\(v)") }
        if task.environment.isEmpty {
            env.append(contentsOf: baseEnvironment)
        } else {
            env.append(contentsOf: baseEnvironment.filter { entry in
                guard let eq = entry.firstIndex(of: "=") else { return true }
                return task.environment[String(entry[..<eq])] == nil
            })
        }
        // A task that fails before its process exists: say why in its log, undo what was prepared, end it failed.
        func failBeforeSpawn(_ why: String) {
            let logFD = openLogNow()
            if logFD >= 0 {
                writeAll(logFD, "weft: \(why)\n")
                close(logFD)
            }
            if configFD >= 0 { close(configFD) }
            node.record.startedAt = started
            releaseSlot(run.request.fabric.name, lock: slotLock)
            finish(node, run, state: .failed, exitCode: nil, message: why)
        }
        if !task.workingDirectory.isEmpty {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: task.workingDirectory, isDirectory: &isDir) || !isDir.boolValue {
                failBeforeSpawn("working directory \(task.workingDirectory) does not exist; check the project checkout")
                return
            }
        }

        let launcher: LaunchChannel?
        do { launcher = try runLauncher(run) } catch {
            failBeforeSpawn("\(error)")
            return
        }
        var pipeFDs: [Int32] = [-1, -1]
        let rc = weft_pipe(&pipeFDs)
        guard rc == 0, let spawner else {
            failBeforeSpawn("cannot create a pipe for the task's output: \(Self.errorText(rc)); too many open files?")
            return
        }
        let logHeader = header + run.request.notices.map { "weft: \($0)\n" }.joined()
        let p = TaskProcess(
            run: run, node: node, pid: 0, pidfd: -1, pipeFD: pipeFDs[0], logPath: logPath, logHeader: logHeader,
            attempt: attempt, lines: LogLineProcessor(secrets: run.request.secretValues), slotLock: slotLock)
        p.startedAt = started
        if let launcher {
            let id: UInt32
            do {
                // The configuration's memfd rides along and lands at the same number in the task.
                id = try launcher.spawn(
                    argv: task.command, env: env, cwd: task.workingDirectory, outFD: pipeFDs[1],
                    extraFDs: configFD >= 0 ? [configFD] : [],
                    graceMilliseconds: UInt32(max(0, min(3_600_000, options.killGracePeriod * 1000))))
            } catch {
                close(pipeFDs[0])
                close(pipeFDs[1])
                if p.logFD >= 0 { close(p.logFD) }
                failBeforeSpawn("\(error)")
                return
            }
            close(pipeFDs[1])
            if configFD >= 0 { close(configFD) }
            p.launchID = id
            launcher.tasks[id] = p
            // Its output is read once the launcher says it started (see `launcherMessages`), so the start comes
            // before its first line and resets nothing that line set (its progress).
            node.process = p
            node.phase = .running
            if !run.request.notices.isEmpty { openLog(p) }
            return
        }
        node.process = p
        node.phase = .running
        if !run.request.notices.isEmpty { openLog(p) }
        spawner.submit(
            Spawner.Job(
                token: SpawnToken(runID: run.id, key: task.key, attempt: attempt), argv: task.command, env: env,
                cwd: task.workingDirectory, outFD: pipeFDs[1], configFD: configFD))
    }

    /// The spawner's answer: the task runs (or could not start).
    private func spawned(_ result: Spawner.Result) {
        let t = result.token
        guard let run = runs[t.runID], let node = run.nodes[t.key], let p = node.process, p.attempt == t.attempt,
            p.pidfd < 0
        else {
            // Nobody waits for it any more (cannot happen while the run has this task running): stop it.
            if result.error == 0 {
                _ = weft_kill_group(result.pid, WEFT_SIGKILL)
                var c: Int32 = 0
                var s: Int32 = 0
                _ = weft_reap(result.pid, 1, &c, &s)
                close(result.pidfd)
            }
            return
        }
        let task = node.task
        guard result.error == 0 else {
            let why =
                !result.unwatchable
                ? "cannot start \(task.command.first ?? "(empty command)"): \(Self.errorText(result.error)); "
                    + "check the command and PATH"
                : "cannot watch the task process: \(Self.errorText(result.error))"
            if let fd = p.pipeFD { close(fd) }
            p.pipeFD = nil
            openLog(p)
            if p.logFD >= 0 {
                writeAll(p.logFD, "weft: \(why)\n")
                close(p.logFD)
            }
            node.process = nil
            node.record.startedAt = p.startedAt
            releaseSlot(run.request.fabric.name, lock: p.slotLock)
            finish(node, run, state: .failed, exitCode: nil, message: why)
            pump(run.request.fabric.name)
            return
        }
        p.pid = result.pid
        p.pidfd = result.pidfd
        processes[result.pidfd] = p
        if let fd = p.pipeFD { pipes[fd] = p }
        markStarted(p)
    }

    /// The task's process runs: recorded (with the pid that stops its group), its timeout armed.
    private func markStarted(_ p: TaskProcess) {
        let run = p.run
        let node = p.node
        let task = node.task
        let started = p.startedAt
        node.record.state = .running
        node.record.startedAt = started
        node.record.finishedAt = nil
        node.record.exitCode = nil
        node.record.message = nil
        node.record.progress = nil
        node.record.progressMessage = nil
        writer.write(task: node.record, pid: p.pid)
        hub.updateTask(node.record, event: .taskStarted(runID: run.id, task: task.key, attempt: p.attempt, at: started))
        if p.terminationReason != nil {
            // Cancelled while starting.
            signalTask(p, WEFT_SIGTERM)
        } else if let timeout = task.timeout, timeout > 0 {
            addTimer(after: timeout, .timeout(runID: run.id, key: task.key, attempt: p.attempt))
        }
    }

    private func readOutput(_ p: TaskProcess) {
        guard let fd = p.pipeFD else { return }
        var lines: [String] = []
        var eof = false
        while true {
            let n = readBuffer.withUnsafeMutableBytes { weft_read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                let chunk = readBuffer.withUnsafeBytes { buf in
                    p.lines.feed(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                }
                lines.append(contentsOf: chunk)
                if n < readBuffer.count { break }
            } else {
                eof = n == 0 || n != -Int(EAGAIN)
                break
            }
        }
        if eof {
            if let last = p.lines.finish() { lines.append(last) }
            close(fd)
            pipes.removeValue(forKey: fd)
            p.pipeFD = nil
        }
        emit(lines, p)
    }

    /// Opens an attempt's log (once) and writes its header.
    private func openLog(_ p: TaskProcess) {
        guard p.logFD < 0 else { return }
        p.logFD = open(p.logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if p.logFD >= 0 { writeAll(p.logFD, p.logHeader) }
    }

    private func emit(_ lines: [String], _ p: TaskProcess) {
        guard !lines.isEmpty else { return }
        openLog(p)
        if p.logFD >= 0 {
            var text = lines.joined(separator: "\n")
            text.append("\n")
            writeAll(p.logFD, text)
        }
        let runID = p.run.id
        let key = p.node.key
        var progressed = false
        for line in lines {
            hub.publish(.taskLog(runID: runID, task: key, line: line))
            if let pr = ProgressLine.parse(line) {
                p.node.record.progress = pr.fraction
                p.node.record.progressMessage = pr.message
                hub.updateTask(
                    p.node.record,
                    event: .taskProgress(runID: runID, task: key, fraction: pr.fraction, message: pr.message))
                progressed = true
            }
        }
        if progressed { persistProgress(p) }
    }

    /// Progress reaches the metastore at most every `progressWriteInterval` per task (events are not throttled);
    /// the latest value is written when the interval ends, and every state change writes the full record anyway.
    private func persistProgress(_ p: TaskProcess) {
        let node = p.node
        let now = DispatchTime.now().uptimeNanoseconds
        let interval = Self.progressWriteInterval
        if now &- node.lastProgressWrite >= interval {
            node.lastProgressWrite = now
            writer.write(task: node.record, pid: p.pid)
        } else if !node.progressPending {
            node.progressPending = true
            let wait = Double(interval - (now &- node.lastProgressWrite)) / 1e9
            addTimer(after: wait, .flushProgress(runID: p.run.id, key: node.key))
        }
    }

    static let progressWriteInterval: UInt64 = 100_000_000

    private func processExited(_ p: TaskProcess) {
        // Everything the task wrote before exiting is in the pipe now.
        if let fd = p.pipeFD {
            readOutput(p)
            if p.pipeFD == fd {
                // A descendant still holds the pipe: take what is there and stop listening.
                if let last = p.lines.finish() { emit([last], p) }
                close(fd)
                pipes.removeValue(forKey: fd)
                p.pipeFD = nil
            }
        }
        var code: Int32 = 0
        var signaled: Int32 = 0
        // Strays left in the task's process group do not outlive it. Signalled before reaping, while the zombie
        // leader still holds its pid, so the group id cannot have been reused.
        _ = weft_kill_group(p.pid, WEFT_SIGTERM)
        let reaped = weft_reap(p.pid, 1, &code, &signaled)
        close(p.pidfd)
        processes.removeValue(forKey: p.pidfd)
        attemptEnded(p, known: reaped > 0, code: code, signaled: signaled != 0, execError: 0)
    }

    /// An attempt's process is gone (`known`: with this exit status): the task finishes, retries or fails.
    private func attemptEnded(_ p: TaskProcess, known: Bool, code: Int32, signaled: Bool, execError: Int32) {
        // This attempt's timeout and kill timers are moot now.
        if !timers.isEmpty {
            let (runID, key, attempt) = (p.run.id, p.node.key, p.attempt)
            timers.removeAll { t in
                switch t.action {
                case .timeout(let r, let k, let a), .kill(let r, let k, let a):
                    return r == runID && k == key && a == attempt
                case .retry, .flushProgress, .slotWait:
                    return false
                }
            }
        }
        let node = p.node
        let run = p.run
        node.process = nil
        releaseSlot(run.request.fabric.name, lock: p.slotLock)

        let exitCode: Int32? = known && !signaled ? code : nil
        var how: String = !known ? "exit status unknown" : signaled ? "killed by signal \(code)" : "exit code \(code)"
        if execError != 0 {
            how = "cannot start \(node.task.command.first ?? "(empty command)"): \(Self.errorText(execError)); check the command and PATH"
        }
        // A silent first attempt that succeeded leaves no log; any other end (a failure, a retry) is written down.
        if p.logFD < 0 && (exitCode != 0 || p.attempt > 1) { openLog(p) }
        if p.logFD >= 0 {
            writeAll(p.logFD, "=== attempt \(p.attempt) ended: \(how) ===\n")
            close(p.logFD)
            p.logFD = -1
        }
        if exitCode == 0 {
            finish(node, run, state: .success, exitCode: 0, message: nil)
        } else if p.terminationReason == .cancel || run.cancelling {
            finish(node, run, state: .cancelled, exitCode: exitCode, message: "cancelled (\(how))")
        } else {
            var reason = how
            if p.terminationReason == .timeout {
                reason = "timed out after \(Self.seconds(node.task.timeout ?? 0)) (\(how))"
            }
            if node.record.attempt <= node.task.retries {
                let delay = options.backoff(afterAttempt: node.record.attempt)
                node.phase = .backoff
                node.record.state = .retrying
                node.record.exitCode = exitCode
                node.record.message = reason
                node.record.finishedAt = Date()
                writer.write(task: node.record, pid: nil)
                hub.updateTask(
                    node.record,
                    event: .taskRetrying(
                        runID: run.id, task: node.key, attempt: node.record.attempt + 1, delay: delay, reason: reason))
                addTimer(after: delay, .retry(runID: run.id, key: node.key, attempt: node.record.attempt))
            } else {
                let attempts = node.record.attempt > 1 ? " after \(node.record.attempt) attempts" : ""
                finish(node, run, state: .failed, exitCode: exitCode, message: reason + attempts)
            }
        }
    }

    /// SIGTERM to the task's process group now, SIGKILL after the grace period.
    private func terminate(_ p: TaskProcess, message: String) {
        guard p.terminationReason == nil else { return }
        p.terminationReason = message == "cancelled" ? .cancel : .timeout
        if p.pid > 0 || p.launchID != nil { signalTask(p, WEFT_SIGTERM) }
        addTimer(after: options.killGracePeriod, .kill(runID: p.run.id, key: p.node.key, attempt: p.attempt))
    }

    /// Sends a signal to a running attempt: through its launcher (SIGTERM: the task's group and children;
    /// SIGKILL: everything it started), or to its process group.
    private func signalTask(_ p: TaskProcess, _ sig: Int32) {
        if let id = p.launchID {
            p.run.launcher?.signal(id, sig)
        } else if p.pid > 0 {
            _ = weft_kill_group(p.pid, sig)
        }
    }

    // MARK: launchers

    /// The run's launcher, started on first use: inside the run's sandbox when it has one; outside it otherwise
    /// (when the launcher binary is there; else nil: tasks are spawned directly). Throws why a sandboxed run
    /// cannot start its tasks.
    private func runLauncher(_ run: ActiveRun) throws -> LaunchChannel? {
        if let ch = run.launcher { return ch }
        if let problem = run.launcherProblem { throw LaunchError(problem) }
        let sandbox = run.request.sandbox
        guard let path = options.launcherPath else {
            guard sandbox == nil else {
                let why = "cannot sandbox the task: the task launcher (weft-launcher, or weft itself) was not found next to this program (install both with scripts/install, or set WEFT_LAUNCHER)"
                run.launcherProblem = why
                throw LaunchError(why)
            }
            return nil
        }
        let extra = [run.request.logDirectory]
        let env = ["PATH=/usr/local/bin:/usr/bin:/bin", "WEFT_RUN_ID=\(run.id)"]
        do {
            let ch = try LaunchChannel.start(launcher: path, sandbox: sandbox, extraReadOnly: extra, environment: env)
            run.launcher = ch
            launcherSockets[ch.socket] = run
            return ch
        } catch {
            run.launcherProblem = "\(error)"
            throw error
        }
    }

    /// Replies from a run's launcher: tasks started, tasks ended; or the launcher is gone (its tasks fail).
    private func launcherMessages(_ run: ActiveRun) {
        guard let ch = run.launcher else { return }
        for message in ch.receive() {
            switch message {
            case .reply(let r):
                guard let p = ch.tasks[r.id] else { continue }
                if r.type == UInt32(WEFT_LAUNCH_STARTED) {
                    if r.error != 0 {
                        ch.tasks.removeValue(forKey: r.id)
                        launchedFailed(p, why: "cannot start \(p.node.task.command.first ?? "(empty command)"): \(Self.errorText(r.error))")
                        continue
                    }
                    // Outside a sandbox the task's own process group; inside, the sandbox's (its pid namespace).
                    p.pid = ch.sandboxed ? ch.pid : r.pid
                    markStarted(p)
                    if let fd = p.pipeFD { pipes[fd] = p }
                } else if r.type == UInt32(WEFT_LAUNCH_EXITED) {
                    ch.tasks.removeValue(forKey: r.id)
                    launchedExited(p, known: true, code: r.code, signaled: r.signaled != 0, execError: r.error)
                }
            case .closed:
                let detail = ch.errorOutput()
                let why =
                    "the task \(ch.sandboxed ? "sandbox" : "launcher") stopped"
                    + (detail.isEmpty ? "" : ": \(detail)")
                    + (ch.sandboxed ? "; check that bubblewrap works here (bwrap --ro-bind / / true), or set the fabric's sandbox to off" : "")
                launcherSockets.removeValue(forKey: ch.socket)
                ch.shut()
                if !ch.reap(blocking: false) { closingLaunchers[ch.pidfd] = ch }
                run.launcher = nil
                run.launcherProblem = why
                let left = ch.tasks.values.sorted { $0.node.key < $1.node.key }
                ch.tasks.removeAll()
                for p in left {
                    if p.node.record.state == .running {
                        openLog(p)
                        if p.logFD >= 0 { writeAll(p.logFD, "weft: \(why)\n") }
                        launchedExited(p, known: false, code: 0, signaled: false, execError: 0)
                    } else {
                        launchedFailed(p, why: why)
                    }
                }
                return
            }
        }
    }

    /// A launched attempt ended: its remaining output is read, then it finishes like any other.
    private func launchedExited(_ p: TaskProcess, known: Bool, code: Int32, signaled: Bool, execError: Int32) {
        if p.node.record.state != .running {
            // Ended before it was reported started (e.g. its keeper could not fork): record the start first.
            markStarted(p)
        }
        if let fd = p.pipeFD {
            readOutput(p)
            if p.pipeFD == fd {
                if let last = p.lines.finish() { emit([last], p) }
                close(fd)
                pipes.removeValue(forKey: fd)
                p.pipeFD = nil
            }
        }
        launcherFreed.insert(p.run.request.fabric.name)
        attemptEnded(p, known: known, code: code, signaled: signaled, execError: execError)
    }

    /// A launched attempt that never started: says why in its log, gives its slot back, fails.
    private func launchedFailed(_ p: TaskProcess, why: String) {
        let node = p.node
        let run = p.run
        if let fd = p.pipeFD {
            close(fd)
            pipes.removeValue(forKey: fd)
            p.pipeFD = nil
        }
        openLog(p)
        if p.logFD >= 0 {
            writeAll(p.logFD, "weft: \(why)\n")
            close(p.logFD)
            p.logFD = -1
        }
        node.process = nil
        node.record.startedAt = p.startedAt
        releaseSlot(run.request.fabric.name, lock: p.slotLock)
        launcherFreed.insert(run.request.fabric.name)
        finish(node, run, state: .failed, exitCode: nil, message: why)
    }

    // MARK: timers

    private func addTimer(after seconds: TimeInterval, _ action: TimerAction) {
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, seconds) * 1e9)
        timers.append(EngineTimer(deadline: deadline, action: action))
    }

    private func pollTimeout() -> Int32 {
        guard let next = timers.map(\.deadline).min() else { return -1 }
        let now = DispatchTime.now().uptimeNanoseconds
        if next <= now { return 0 }
        return Int32(min(Double(Int32.max), (Double(next - now) / 1e6).rounded(.up)))
    }

    private func fireDueTimers() {
        guard !timers.isEmpty else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let due = timers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.deadline <= now }
        for t in due {
            switch t.action {
            case .timeout(let runID, let key, let attempt):
                if let p = runs[runID]?.nodes[key]?.process, p.attempt == attempt, p.pid > 0 || p.launchID != nil {
                    terminate(p, message: "timeout")
                }
            case .kill(let runID, let key, let attempt):
                if let p = runs[runID]?.nodes[key]?.process, p.attempt == attempt {
                    if p.pid > 0 || p.launchID != nil {
                        signalTask(p, WEFT_SIGKILL)
                    } else {
                        // Still starting: try again after another grace period.
                        addTimer(after: options.killGracePeriod, .kill(runID: runID, key: key, attempt: attempt))
                    }
                }
            case .flushProgress(let runID, let key):
                if let node = runs[runID]?.nodes[key], node.progressPending {
                    node.progressPending = false
                    if let p = node.process {
                        node.lastProgressWrite = DispatchTime.now().uptimeNanoseconds
                        writer.write(task: node.record, pid: p.pid)
                    }
                }
            case .slotWait(let fabric):
                fabrics[fabric]?.waiting = false
                pump(fabric)
            case .retry(let runID, let key, let attempt):
                if let run = runs[runID], let node = run.nodes[key], node.phase == .backoff,
                    node.record.attempt == attempt
                {
                    enqueue(node, run)
                    pump(run.request.fabric.name)
                }
            }
        }
    }

    // MARK: helpers

    private func persist(_ run: ActiveRun) { writer.write(run: run.record) }

    private func writeAll(_ fd: Int32, _ text: String) {
        var t = text
        t.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                guard let base = buf.baseAddress else { return }
                let n = write(fd, base + off, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}

