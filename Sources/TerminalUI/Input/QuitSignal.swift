/// A signal asking the program to stop, delivered as an event so the app can quit in order.
public enum QuitSignal: Hashable, Sendable {
    /// SIGINT (Ctrl-C).
    case interrupt
    /// SIGTERM.
    case terminate
    /// SIGHUP, or the terminal went away.
    case hangup
}
