import CNCursesw
import Foundation
import TerminalUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ncursesw backend: owns the terminal from `init` until `shutdown()`, paints changed cells with the
/// wide-character API, and blocks in `poll()` (no timeout) for keys, signals and wake descriptors.
///
/// Only one may exist at a time. The terminal is restored by `shutdown()`, at exit, and on crash signals.
@MainActor
public final class CursesBackend: Backend {
    /// The screen size in cells.
    public private(set) var size: Size
    /// Colours the terminal has (0 when colour is off).
    public private(set) var colorCount: Int
    /// Whether colour is used.
    public let colorMode: ColorMode
    /// Extra descriptors whose readability wakes `waitForInput()` with `.wake` (e.g. a `Mailbox`'s).
    private var wakeDescriptors: [Int32] = []
    /// The read end of the C signal pipe.
    private let signalDescriptor: Int32
    /// Colour pair numbers by (foreground, background) palette index; -1 is the default colour.
    private var pairs: [Int64: Int32] = [:]
    /// The next colour pair number to define.
    private var nextPair: Int32 = 1
    /// The pair limit the terminal reported.
    private var maxPairs: Int32 = 0
    /// Cached curses attributes and pair of the last style painted.
    private var lastStyle: Style?
    /// Attributes and pair for `lastStyle`.
    private var lastRendition: (attrs: attr_t, pair: Int32) = (0, 0)
    /// Whether default colours (-1) are available.
    private var hasDefaultColors = false
    /// True between `suspend()` and `resume()`.
    public private(set) var isSuspended = false
    /// True after `shutdown()`.
    public private(set) var isShutDown = false
    /// Consecutive polls that reported input but yielded no key (end of file on the terminal).
    private var emptyReads = 0

    /// Checks, without touching the terminal, that standard input and output are TTYs and TERM is usable.
    /// Call it before expensive start-up work; `init` repeats the check.
    public nonisolated static func preflight() throws(CursesBackendError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        let term = ProcessInfo.processInfo.environment["TERM"]
        guard let term, !term.isEmpty, term != "dumb" else { throw .unsupportedTerminal(term) }
    }

    /// Takes the terminal: checks it is a TTY with a usable TERM, sets up the locale, signals, stderr capture and
    /// curses (cbreak, noecho, keypad, nonl, ESC delay 25 ms, hidden cursor, colours).
    public init(colorMode: ColorMode = .automatic, escapeDelay: Int32 = 25) throws(CursesBackendError) {
        if setlocale(LC_ALL, "") == nil {
            _ = setlocale(LC_ALL, "C.UTF-8")
        }
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
            _ = setlocale(LC_CTYPE, "C.UTF-8")
        }
        try CursesBackend.preflight()
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""

        cnc_save_termios(STDOUT_FILENO)
        // Our handlers go in before newterm so ncurses does not install its own SIGINT/SIGTERM/SIGWINCH handlers.
        signalDescriptor = cnc_signals_install()
        guard cnc_newterm(nil) != nil else {
            cnc_signals_uninstall()
            throw .unknownTerminal(term)
        }
        cnc_cache_restore_sequences()
        cnc_set_active(1)
        cnc_register_atexit()
        cnc_crash_handlers_install()
        _ = cnc_stderr_capture_begin()

        let screen = cnc_stdscr()
        _ = cbreak()
        _ = noecho()
        _ = nonl()
        _ = keypad(screen, true)
        _ = nodelay(screen, true)
        _ = set_escdelay(escapeDelay)
        _ = curs_set(0)

        self.colorMode = colorMode
        colorCount = 0
        size = .zero
        if colorMode == .automatic && has_colors() {
            _ = start_color()
            hasDefaultColors = use_default_colors() == CNC_OK
            colorCount = Int(cnc_colors())
            maxPairs = cnc_color_pairs()
        }
        size = currentCursesSize()
        _ = wclear(screen)
    }

    /// Adds a descriptor (such as `Mailbox.wakeDescriptor`) whose readability makes `waitForInput()` return `.wake`.
    /// The backend reads and discards its bytes.
    public func addWakeDescriptor(_ fd: Int32) {
        if !wakeDescriptors.contains(fd) { wakeDescriptors.append(fd) }
    }

    /// Stops watching a descriptor.
    public func removeWakeDescriptor(_ fd: Int32) {
        wakeDescriptors.removeAll { $0 == fd }
    }

    /// The size curses has now.
    private func currentCursesSize() -> Size {
        var rows: Int32 = 0
        var cols: Int32 = 0
        cnc_getmaxyx(cnc_stdscr(), &rows, &cols)
        return Size(width: Int(cols), height: Int(rows))
    }

    // MARK: Painting

    /// Paints changed cells into curses' virtual screen.
    public func draw(_ changes: [CellChange]) {
        guard !isSuspended, !isShutDown else { return }
        var text = [wchar_t](repeating: 0, count: Int(CNC_CCHARW_MAX) + 1)
        for change in changes where !change.cell.isContinuation {
            let rendition = rendition(for: change.cell.style)
            let grapheme = change.cell.grapheme
            if let ascii = grapheme.asciiByte {
                text[0] = wchar_t(ascii >= 0x20 && ascii != 0x7F ? ascii : 0x20)
                _ = cnc_put_cell(Int32(change.y), Int32(change.x), text, 1, rendition.attrs, rendition.pair)
                continue
            }
            paint(grapheme, x: change.x, y: change.y, rendition: rendition, scratch: &text)
        }
    }

    /// Paints one non-ASCII grapheme: each spacing scalar starts a cell, zero-width ones combine with it.
    private func paint(_ grapheme: Grapheme, x: Int, y: Int, rendition: (attrs: attr_t, pair: Int32), scratch text: inout [wchar_t]) {
        let cellWidth = max(1, grapheme.displayWidth)
        var count = 0
        var column = x
        var used = 0
        func flush() {
            if count > 0 {
                _ = cnc_put_cell(Int32(y), Int32(column), text, Int32(count), rendition.attrs, rendition.pair)
            }
        }
        for scalar in grapheme.unicodeScalars where !DisplayWidth.isStripped(scalar) {
            let value = wchar_t(bitPattern: scalar.value)
            let w = Int(cnc_wcwidth(value))
            if w > 0 || count == 0 {
                if count > 0 {
                    flush()
                    column += used
                    count = 0
                }
                let width = max(1, w)
                if column - x + width > cellWidth { break }
                text[0] = w < 0 ? 0xFFFD : value
                count = 1
                used = width
            } else if count < Int(CNC_CCHARW_MAX) {
                text[count] = value
                count += 1
            }
        }
        if count == 0 {
            text[0] = 0x20
            count = 1
        }
        flush()
    }

    /// Curses attributes and colour pair for a style (cached for runs of equal styles).
    private func rendition(for style: Style) -> (attrs: attr_t, pair: Int32) {
        if style == lastStyle { return lastRendition }
        var attrs = CNC_A_NORMAL
        if style.attributes.contains(.bold) { attrs |= CNC_A_BOLD }
        if style.attributes.contains(.dim) { attrs |= CNC_A_DIM }
        if style.attributes.contains(.italic) { attrs |= CNC_A_ITALIC }
        if style.attributes.contains(.underline) { attrs |= CNC_A_UNDERLINE }
        if style.attributes.contains(.reverse) { attrs |= CNC_A_REVERSE }
        let pair = colorCount > 0 ? pairNumber(fg: style.fg, bg: style.bg) : 0
        lastStyle = style
        lastRendition = (attrs, pair)
        return lastRendition
    }

    /// The colour pair for two colours, defining it on first use; pair 0 when pairs run out.
    private func pairNumber(fg: Color, bg: Color) -> Int32 {
        var f = fg.paletteIndex(colorCount: colorCount) ?? -1
        var b = bg.paletteIndex(colorCount: colorCount) ?? -1
        if f == -1 && b == -1 { return 0 }
        if !hasDefaultColors {
            if f == -1 { f = 7 }
            if b == -1 { b = 0 }
        }
        let key = Int64(f + 1) << 32 | Int64(b + 1)
        if let pair = pairs[key] { return pair }
        guard nextPair < maxPairs, cnc_init_pair(nextPair, Int32(f), Int32(b)) == CNC_OK else { return 0 }
        let pair = nextPair
        nextPair += 1
        pairs[key] = pair
        return pair
    }

    /// Shows the changes on the terminal.
    public func flush() {
        guard !isSuspended, !isShutDown else { return }
        _ = wrefresh(cnc_stdscr())
    }

    /// Blanks the screen; the next flush repaints it from scratch.
    public func clear() {
        guard !isSuspended, !isShutDown else { return }
        _ = wclear(cnc_stdscr())
    }

    /// Shows the cursor.
    public func showCursor() {
        _ = curs_set(1)
    }

    /// Hides the cursor.
    public func hideCursor() {
        _ = curs_set(0)
    }

    /// Moves the cursor (visible after the next flush).
    public func moveCursor(to position: Position) {
        _ = wmove(cnc_stdscr(), Int32(position.y), Int32(position.x))
    }

    // MARK: Suspend, resume, shutdown

    /// Gives the terminal back to the shell (for `$EDITOR`): saves curses' modes, ends curses, stops capturing
    /// stderr, and ignores Ctrl-C (the child gets it) until `resume()`.
    public func suspend() {
        guard !isSuspended, !isShutDown else { return }
        _ = def_prog_mode()
        _ = endwin()
        cnc_set_active(0)
        cnc_stderr_capture_end()
        cnc_set_quit_paused(1)
        isSuspended = true
    }

    /// Takes the terminal back after `suspend()`; `Terminal.resume()` then repaints everything.
    public func resume() {
        guard isSuspended, !isShutDown else { return }
        cnc_set_quit_paused(0)
        _ = cnc_stderr_capture_begin()
        _ = reset_prog_mode()
        cnc_set_active(1)
        isSuspended = false
        _ = refreshSizeFromKernel()
        _ = wclear(cnc_stdscr())
        _ = wrefresh(cnc_stdscr())
    }

    /// Restores the terminal (endwin, replay captured stderr) and stops handling signals. Idempotent.
    public func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        cnc_restore_terminal()
        cnc_signals_uninstall()
    }

    // MARK: Input

    /// Re-reads the kernel's terminal size and resizes curses if it changed; returns the new size if it did.
    private func refreshSizeFromKernel() -> Size? {
        var rows: Int32 = 0
        var cols: Int32 = 0
        if cnc_terminal_size(STDOUT_FILENO, &rows, &cols) == 0 {
            let current = currentCursesSize()
            if current.width != Int(cols) || current.height != Int(rows) {
                _ = resizeterm(rows, cols)
            }
        }
        let newSize = currentCursesSize()
        guard newSize != size else { return nil }
        size = newSize
        return newSize
    }

    /// Blocks until something happens (keys, resize, quit signal, wake descriptor) and returns every event that is
    /// ready. Idle costs nothing: `poll()` has no timeout.
    public func waitForInput() -> [InputEvent] {
        guard !isShutDown else { return [.quit(.hangup)] }
        var events: [InputEvent] = []
        // Keys ncurses already holds (e.g. a KEY_RESIZE it pushed back) are not visible to poll().
        readKeys(into: &events)
        while events.isEmpty {
            var fds: [pollfd] = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
            if signalDescriptor >= 0 { fds.append(pollfd(fd: signalDescriptor, events: Int16(POLLIN), revents: 0)) }
            for fd in wakeDescriptors { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            let result = poll(&fds, nfds_t(fds.count), -1)
            if result < 0 && errno != EINTR {
                return [.quit(.hangup)]
            }
            collectSignals(into: &events)
            if result <= 0 { continue }
            for pfd in fds.dropFirst() where pfd.fd != signalDescriptor && pfd.revents != 0 {
                if pfd.revents & Int16(POLLIN) == 0 {
                    // Closed or invalid: stop watching it rather than spin.
                    removeWakeDescriptor(pfd.fd)
                    continue
                }
                drainDescriptor(pfd.fd)
                if !events.contains(.wake) { events.append(.wake) }
            }
            let stdin = fds[0].revents
            if stdin & Int16(POLLIN) != 0 {
                let before = events.count
                readKeys(into: &events)
                emptyReads = events.count == before ? emptyReads + 1 : 0
                if emptyReads > 100 { events.append(.quit(.hangup)) }
            } else if stdin & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                events.append(.quit(.hangup))
            }
        }
        return events
    }

    /// Adds quit and resize events for signals that arrived.
    private func collectSignals(into events: inout [InputEvent]) {
        cnc_drain_signal_fd()
        if cnc_take_winch() != 0 {
            appendResize(into: &events, force: true)
            readKeys(into: &events)
        }
        switch cnc_take_quit_signal() {
        case SIGINT: events.append(.quit(.interrupt))
        case SIGTERM: events.append(.quit(.terminate))
        case SIGHUP: events.append(.quit(.hangup))
        default: break
        }
    }

    /// Adds one `.resize` event for the current size (replacing an earlier one in the same batch).
    private func appendResize(into events: inout [InputEvent], force: Bool) {
        let changed = refreshSizeFromKernel()
        guard changed != nil || force else { return }
        events.removeAll { if case .resize = $0 { return true } else { return false } }
        events.append(.resize(size))
    }

    /// Reads every key ncurses has (non-blocking) and appends them; combining marks join the previous character.
    private func readKeys(into events: inout [InputEvent]) {
        guard !isSuspended else { return }
        var value: wint_t = 0
        while true {
            let status = cnc_get_wch(&value)
            if status == CNC_ERR { break }
            if status == CNC_KEY_CODE_YES {
                if let key = KeyDecoder.key(forCode: Int32(value)) {
                    events.append(.key(key))
                } else {
                    appendResize(into: &events, force: true)
                }
                continue
            }
            let scalarValue = UInt32(truncatingIfNeeded: value)
            if let scalar = Unicode.Scalar(scalarValue), scalarValue >= 0x300, DisplayWidth.of(scalar) == 0,
               case .key(.character(let previous))? = events.last {
                var combined = String(previous)
                combined.unicodeScalars.append(scalar)
                if combined.count == 1, let merged = combined.first {
                    events[events.count - 1] = .key(.character(merged))
                    continue
                }
            }
            events.append(.key(KeyDecoder.key(forCharacter: scalarValue)))
        }
    }

    /// Reads and discards whatever a wake descriptor holds.
    private func drainDescriptor(_ fd: Int32) {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(fd, &scratch, scratch.count) > 0 {}
    }
}
