/// Owns the current and previous frame and sends only the changed cells to the backend.
///
/// Typical loop: `for event in backend.waitForInput() { update(&state, event) }` then
/// `terminal.draw { frame in view(state, &frame) }`. After a resize or `resume()` the next draw repaints everything.
@MainActor
public final class Terminal {
    /// The backend frames are painted on.
    public let backend: any Backend
    /// The last frame sent to the backend.
    public private(set) var previous: Buffer
    /// The buffer reused for the next frame.
    var current: Buffer
    /// True when the next draw must clear the screen and paint every cell.
    public private(set) var needsFullRedraw = true
    /// Whether the cursor is currently shown.
    var cursorVisible: Bool?
    /// Number of frames drawn so far.
    public private(set) var frameCount = 0
    /// Cells sent to the backend by the last draw.
    public private(set) var lastChangeCount = 0

    /// Creates a terminal over a backend; the first draw paints the whole screen.
    public init(backend: any Backend) {
        self.backend = backend
        let area = Rect(size: backend.size)
        self.previous = Buffer(area: area)
        self.current = Buffer(area: area)
    }

    /// The size of the screen (as the backend reports it now).
    public var size: Size { backend.size }

    /// Forces the next draw to clear the screen and paint every cell.
    public func invalidate() {
        needsFullRedraw = true
    }

    /// Renders `body` into a fresh buffer, paints only the cells that changed since the last frame, and flushes.
    /// Returns the frame's buffer.
    @discardableResult
    public func draw(_ body: (inout Frame) -> Void) -> Buffer {
        let area = Rect(size: backend.size)
        if area != current.area {
            current.resize(to: area)
            previous.resize(to: area)
            needsFullRedraw = true
        } else {
            current.reset()
        }
        var frame = Frame(buffer: current)
        current = Buffer(area: .zero)  // hand the storage to the frame without copying
        body(&frame)
        current = frame.buffer
        let changes: [CellChange]
        if needsFullRedraw {
            backend.clear()
            changes = current.diff(previous: Buffer(area: .zero))
            needsFullRedraw = false
        } else {
            changes = current.diff(previous: previous)
        }
        lastChangeCount = changes.count
        if !changes.isEmpty { backend.draw(changes) }
        if let cursor = frame.cursor, area.contains(cursor) {
            backend.moveCursor(to: cursor)
            if cursorVisible != true { backend.showCursor() }
            cursorVisible = true
        } else if cursorVisible != false {
            backend.hideCursor()
            cursorVisible = false
        }
        backend.flush()
        frameCount += 1
        swap(&previous, &current)
        return previous
    }

    /// Hands the terminal to another program (e.g. `$EDITOR`); call `resume()` when it returns.
    public func suspend() {
        backend.suspend()
    }

    /// Takes the terminal back; the next draw repaints everything.
    public func resume() {
        backend.resume()
        cursorVisible = nil
        needsFullRedraw = true
    }
}
