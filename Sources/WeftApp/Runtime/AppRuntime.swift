import Foundation
import WeftEngine
import WeftStore
import Logging
import TerminalUI
import WeftDomain

/// What flows through the runtime's mailbox: messages for `update`, and completions of one-shot effects.
public enum RuntimeEvent: Sendable {
    /// A message for `update`.
    case message(AppMessage)
    /// A one-shot effect finished (its messages were posted before this).
    case effectFinished
}

/// Runs the loop: input and mailbox → `update` → effects → render (only when the state changed).
///
/// All I/O happens in effects: one-shot effects run in detached tasks and post their messages back through the
/// mailbox, whose wake descriptor wakes the backend's `poll()`. Run events stream the same way.
@MainActor
public final class AppRuntime {
    /// The state.
    public private(set) var state: AppState
    /// The terminal (diffing frames onto the backend).
    public let terminal: Terminal
    /// The mailbox background work posts into.
    public let mailbox: Mailbox<RuntimeEvent>
    /// Executes one-shot effects.
    public let runner: EffectRunner
    /// Edits a file for `E`; the default runs `$VISUAL`/`$EDITOR` (else `vi`) on the terminal.
    public var editor: @MainActor (String) -> Void
    /// One-shot effects in flight.
    public private(set) var pending = 0
    /// Frames drawn.
    public private(set) var framesDrawn = 0
    /// Diagnostics (to the log file, never the screen).
    let logger = Logger(label: "weft.tui")
    private var tickTask: Task<Void, Never>?
    private var watchers: [String: Task<Void, Never>] = [:]

    /// Creates a runtime; returns nil if the mailbox's pipe cannot be created.
    public init?(state: AppState, backend: any Backend, runner: EffectRunner) {
        guard let mailbox = Mailbox<RuntimeEvent>() else { return nil }
        self.state = state
        self.terminal = Terminal(backend: backend)
        self.mailbox = mailbox
        self.runner = runner
        self.editor = AppRuntime.runEditor
        self.state.size = backend.size
    }

    // MARK: Loop

    /// Runs until the user quits: blocks in the backend's `waitForInput()` (no timeout), then drains everything
    /// queued, then renders once if the state changed.
    ///
    /// Keys and resizes are drawn at once. Changes that stream in from runs (progress, log lines, states of 20 tasks)
    /// are drawn at most every `minimumFrameInterval`: the pending frame is drawn when a timed wake arrives, so a busy
    /// run costs a few frames a second, not one per event.
    public func run() async {
        render()
        var lastFrame = DispatchTime.now().uptimeNanoseconds
        var framePending = false
        while !state.shouldQuit {
            let events = terminal.backend.waitForInput()
            if events.isEmpty && terminal.backend is TestBackend { break }
            let before = state
            let fromUser = events.contains { event in
                switch event {
                case .key, .resize, .quit: return true
                case .wake: return false
                }
            }
            handle(events)
            drainMailbox()
            guard state != before || framePending else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            let elapsed = now &- lastFrame
            if fromUser || elapsed >= Self.minimumFrameInterval {
                render()
                lastFrame = now
                framePending = false
            } else if !framePending {
                framePending = true
                let wait = Self.minimumFrameInterval - elapsed
                let mailbox = self.mailbox
                Task.detached {
                    try? await Task.sleep(nanoseconds: wait)
                    mailbox.signal()
                }
            }
        }
        await shutdown()
    }

    /// The shortest time between two frames drawn for streamed run events (100 ms: progress is written at most
    /// every 100 ms per task anyway).
    static let minimumFrameInterval: UInt64 = 100_000_000

    /// Applies backend events.
    public func handle(_ events: [InputEvent]) {
        for event in events {
            switch event {
            case .key(let key): dispatch(.key(key))
            case .resize(let size): dispatch(.resized(size))
            case .wake: drainMailbox()
            case .quit(let signal): dispatch(.quitSignalled(signal))
            }
        }
    }

    /// Applies every queued mailbox event.
    public func drainMailbox() {
        let events = mailbox.drain()
        if events.isEmpty { return }
        if state.hasLiveRun { dispatch(.ticked(Date())) }
        for e in events {
            switch e {
            case .message(let m): dispatch(m)
            case .effectFinished: pending -= 1
            }
        }
    }

    /// Applies a message and runs the effects it returns.
    public func dispatch(_ message: AppMessage) {
        let effects = AppUpdate.update(&state, message)
        for effect in effects { execute(effect) }
        // The previous lists (thousands of rows) were just released: give that memory back to the system.
        if case .mainLoaded = message { MallocArenas.release() }
    }

    /// Draws the state.
    public func render() {
        let s = state
        terminal.draw { frame in AppView.render(s, into: &frame) }
        framesDrawn += 1
    }

    /// Stops background work (watchers, ticks) and cancels runs this process owns.
    public func shutdown() async {
        tickTask?.cancel()
        for w in watchers.values { w.cancel() }
        watchers.removeAll()
        await runner.runs.shutdown(timeout: 10)
    }

    // MARK: Effects

    func execute(_ effect: AppEffect) {
        let post: @Sendable (AppMessage) -> Void = { [mailbox] in mailbox.post(.message($0)) }
        switch effect {
        case .quit:
            return
        case .startTicking:
            tickTask?.cancel()
            tickTask = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                    if Task.isCancelled { break }
                    post(.ticked(Date()))
                }
            }
        case .stopTicking:
            tickTask?.cancel()
            tickTask = nil
        case .editInEditor(let form, let errors):
            edit(form, errors: errors)
        case .startRun(let ref, let production):
            guard let p = state.principal else { return }
            let runs = runner.runs
            begin { [mailbox] in
                do {
                    // Planned here, from what the project says now: a run that lands on a production fabric the
                    // user did not confirm (the job moved there since the screen was loaded) is not started.
                    let request = StartRunRequest(job: ref)
                    let plan = try runs.plan(.user(p), request)
                    if plan.fabric.stage == .production && plan.fabric.name != production {
                        throw WeftError.invalid("\(ref) runs on production fabric \(plan.fabric.name) now; nothing was started — press r again to confirm it")
                    }
                    let (detail, stream) = try await runs.startWatching(.user(p), request, planned: plan)
                    let run = detail.run
                    post(.runStarted(run, detail.tasks, runs.estimator(p, run: run)))
                    mailbox.post(.effectFinished)
                    await Self.follow(run.id, stream, post)
                } catch {
                    post(EffectRunner.failure("Run \(ref)", error))
                    mailbox.post(.effectFinished)
                }
            }
        case .release(let project, let version, let confirmed):
            guard let p = state.principal else { return }
            let runner = self.runner
            pending += 1
            Task.detached { [mailbox] in
                mailbox.post(.effectFinished)
                await runner.release(p, project: project, version: version, confirmed: confirmed, post: post)
            }
        case .openRun(let id):
            guard let p = state.principal else { return }
            let runs = runner.runs
            begin { [mailbox] in
                do {
                    let (detail, stream) = try runs.watch(p, runID: id)
                    post(.runOpened(detail.run, detail.tasks, runs.estimator(p, run: detail.run)))
                    mailbox.post(.effectFinished)
                    if let stream { await Self.follow(id, stream, post) }
                } catch {
                    post(EffectRunner.failure("Open run \(id)", error))
                    mailbox.post(.effectFinished)
                }
            }
        default:
            let runner = self.runner
            let principal = state.principal
            pending += 1
            logger.debug("effect \(String(describing: effect).prefix(120))")
            Task.detached { [mailbox] in
                let messages = await runner.run(effect, principal: principal)
                mailbox.post(contentsOf: messages.map(RuntimeEvent.message) + [.effectFinished])
            }
        }
    }

    /// Starts a streaming effect (counted as pending until its first answer).
    private func begin(_ body: @escaping @Sendable () async -> Void) {
        pending += 1
        Task.detached { await body() }
    }

    /// Posts a run's events until it ends.
    nonisolated static func follow(_ id: String, _ stream: AsyncThrowingStream<RunEvent, any Error>, _ post: @Sendable (AppMessage) -> Void) async {
        do {
            for try await event in stream { post(.runEvent(event)) }
            post(.runStreamEnded(runID: id, error: nil))
        } catch {
            post(.runStreamEnded(runID: id, error: (error as? WeftError)?.description ?? "\(error)"))
        }
    }

    /// `E`: writes the form as YAML, suspends the terminal, runs the editor, resumes, and reads the file back.
    func edit(_ form: ConfigFormState, errors: [String]) {
        // mkdtemp: an unpredictable name, created exclusively with mode 0700, removed once the edit is read back.
        var template = Array((NSTemporaryDirectory() + "weft-edit-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            dispatch(.failed(operation: "Edit", message: "cannot create a private folder for the editor in \(NSTemporaryDirectory())", problems: []))
            return
        }
        let dir = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/\(form.task).yaml"
        do {
            try Data(form.yaml(errors: errors).utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            dispatch(.failed(operation: "Edit", message: "cannot write \(path): \(error)", problems: []))
            return
        }
        terminal.suspend()
        editor(path)
        terminal.resume()
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        try? FileManager.default.removeItem(atPath: path)
        dispatch(.editorReturned(form, text: text))
        render()
    }

    /// Runs `$VISUAL`, `$EDITOR` or `vi` on a file and waits.
    static func runEditor(_ path: String) {
        let env = ProcessInfo.processInfo.environment
        let editor = env["VISUAL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "\(editor) \"$1\"", "weft-editor", path]
        do {
            try p.run()
            p.waitUntilExit()
        } catch {
            Logger(label: "weft.tui").error("cannot run the editor \(editor): \(error)")
        }
    }

    // MARK: Test and benchmark helpers

    /// Applies keys one at a time, waits until no effect is in flight, and renders.
    public func press(_ keys: Key..., timeout: Double = 20) {
        for key in keys {
            dispatch(.key(key))
            waitUntilIdle(timeout: timeout)
        }
        render()
    }

    /// Types a string, one key per character.
    public func type(_ text: String, timeout: Double = 20) {
        for c in text {
            dispatch(.key(.character(c)))
            waitUntilIdle(timeout: timeout)
        }
        render()
    }

    /// Blocks until no one-shot effect is in flight (or the timeout passes); returns whether it became idle.
    @discardableResult
    public func waitUntilIdle(timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        drainMailbox()
        while pending > 0 {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            _ = mailbox.waitForWake(timeout: left)
            drainMailbox()
        }
        return true
    }

    /// Blocks until `condition` holds on the state (or the timeout passes), applying messages as they come.
    @discardableResult
    public func waitUntil(timeout: Double = 60, _ condition: (AppState) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        drainMailbox()
        while !condition(state) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            _ = mailbox.waitForWake(timeout: left)
            drainMailbox()
        }
        waitUntilIdle(timeout: max(1, deadline.timeIntervalSinceNow))
        render()
        return true
    }

    /// The screen as text lines (the last frame).
    public var screenText: [String] { terminal.previous.textLines() }
}
