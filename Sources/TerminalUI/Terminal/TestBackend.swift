/// An in-memory backend for tests: keeps the screen as a `Buffer`, records every flushed frame, and replays
/// scripted input events.
@MainActor
public final class TestBackend: Backend {
    /// The screen as painted so far.
    public private(set) var screen: Buffer
    /// A copy of the screen at every flush, oldest first.
    public private(set) var frames: [Buffer] = []
    /// Whether `frames` is recorded.
    public var recordsFrames: Bool
    /// The cells received by each `draw`, oldest first.
    public private(set) var drawCounts: [Int] = []
    /// The cursor position last set.
    public private(set) var cursor: Position?
    /// Whether the cursor is shown.
    public private(set) var isCursorVisible = false
    /// Whether `suspend()` was called without a matching `resume()`.
    public private(set) var isSuspended = false
    /// Number of `clear()` calls.
    public private(set) var clearCount = 0
    /// Event batches not yet returned by `waitForInput()`.
    public private(set) var pendingInput: [[InputEvent]] = []

    /// Creates a backend with a blank screen.
    public init(width: Int, height: Int, recordsFrames: Bool = true) {
        self.screen = Buffer(width: width, height: height)
        self.recordsFrames = recordsFrames
    }

    /// The screen size.
    public var size: Size { screen.area.size }

    /// Applies changes to `screen`.
    public func draw(_ changes: [CellChange]) {
        drawCounts.append(changes.count)
        for change in changes {
            if change.cell.isContinuation { continue }
            screen.put(change.cell.grapheme, width: min(2, max(1, change.cell.grapheme.displayWidth)), x: change.x, y: change.y,
                       style: change.cell.style)
        }
    }

    /// Records the screen as a frame.
    public func flush() {
        if recordsFrames { frames.append(screen) }
    }

    /// Blanks the screen.
    public func clear() {
        clearCount += 1
        screen.reset()
    }

    /// Shows the cursor.
    public func showCursor() {
        isCursorVisible = true
    }

    /// Hides the cursor.
    public func hideCursor() {
        isCursorVisible = false
    }

    /// Moves the cursor.
    public func moveCursor(to position: Position) {
        cursor = position
    }

    /// Marks the backend suspended.
    public func suspend() {
        isSuspended = true
    }

    /// Marks the backend resumed.
    public func resume() {
        isSuspended = false
    }

    /// Returns the next scripted batch, or an empty array when there is none.
    public func waitForInput() -> [InputEvent] {
        pendingInput.isEmpty ? [] : pendingInput.removeFirst()
    }

    /// Queues one batch of events for `waitForInput()`.
    public func enqueue(_ events: [InputEvent]) {
        pendingInput.append(events)
    }

    /// Queues one batch of key presses.
    public func press(_ keys: Key...) {
        enqueue(keys.map(InputEvent.key))
    }

    /// Changes the screen size (blanking it) and queues a `.resize` event.
    public func resize(to size: Size) {
        screen.resize(to: Rect(size: size))
        enqueue([.resize(size)])
    }

    /// The screen as text lines.
    public func textLines() -> [String] {
        screen.textLines()
    }
}
