/// What `Terminal` needs from a screen: size, cell painting, cursor, suspend/resume, and input.
///
/// Backends are single-owner objects used from the main actor; ncurses is not thread-safe.
@MainActor
public protocol Backend: AnyObject {
    /// The screen size in cells.
    var size: Size { get }
    /// Paints changed cells (not yet visible until `flush()`).
    func draw(_ changes: [CellChange])
    /// Makes everything painted so far visible.
    func flush()
    /// Blanks the whole screen; the next flush repaints from scratch.
    func clear()
    /// Shows the terminal cursor.
    func showCursor()
    /// Hides the terminal cursor.
    func hideCursor()
    /// Moves the terminal cursor.
    func moveCursor(to position: Position)
    /// Hands the terminal back to the shell (e.g. to run `$EDITOR`).
    func suspend()
    /// Takes the terminal back after `suspend()`; the caller repaints everything.
    func resume()
    /// Blocks until at least one event is available and returns all that are (a test backend returns its next
    /// scripted batch, or an empty array when the script has run out).
    func waitForInput() -> [InputEvent]
}
