/// Something a backend reports to the main loop.
public enum InputEvent: Hashable, Sendable {
    /// A key press.
    case key(Key)
    /// The terminal now has this size; the next draw repaints everything.
    case resize(Size)
    /// A wake descriptor (such as a `Mailbox`'s) was signalled: drain the mailbox.
    case wake
    /// SIGINT, SIGTERM or SIGHUP arrived (or the terminal closed): quit in order.
    case quit(QuitSignal)
}
