/// Why the curses backend could not take the terminal. Callers should print `description` and exit with status 2.
public enum CursesBackendError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Standard input or output is not a terminal.
    case notATerminal
    /// TERM is unset, empty or `dumb` (no cursor addressing).
    case unsupportedTerminal(String?)
    /// ncurses did not know the terminal type.
    case unknownTerminal(String)

    /// A message that says what to do next.
    public var description: String {
        switch self {
        case .notATerminal:
            return "weft needs a terminal: standard input and output must be a TTY (use the CLI subcommands in scripts)"
        case .unsupportedTerminal(let term):
            let name = term.map { $0.isEmpty ? "empty" : "\"\($0)\"" } ?? "unset"
            return "weft needs a terminal with cursor addressing, but TERM is \(name); set TERM (e.g. xterm-256color)"
        case .unknownTerminal(let term):
            return "weft does not know the terminal type \"\(term)\"; set TERM to a type in terminfo (e.g. xterm-256color)"
        }
    }
}
