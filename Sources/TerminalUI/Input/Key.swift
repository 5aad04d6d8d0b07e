/// A decoded key press.
///
/// Matches literals in `switch`: `case "q":` is `.character("q")`. Control combinations arrive as `.ctrl` with a
/// lowercase letter (`.ctrl("c")`), except those with their own case (Tab = Ctrl-I, Enter = Ctrl-M, Backspace = Ctrl-H
/// on some terminals).
public enum Key: Hashable, Sendable, ExpressibleByExtendedGraphemeClusterLiteral {
    /// A printable grapheme (including space).
    case character(Character)
    /// Return or keypad Enter.
    case enter
    /// Esc on its own (after a 25 ms delay on curses).
    case escape
    /// Tab.
    case tab
    /// Shift-Tab.
    case backTab
    /// Backspace.
    case backspace
    /// Delete (forward).
    case delete
    /// Arrow up.
    case up
    /// Arrow down.
    case down
    /// Arrow left.
    case left
    /// Arrow right.
    case right
    /// Home.
    case home
    /// End.
    case end
    /// Page Up.
    case pageUp
    /// Page Down.
    case pageDown
    /// F1…F24.
    case function(Int)
    /// Control plus a letter or symbol, e.g. `.ctrl("c")`.
    case ctrl(Character)
    /// The terminal was resized (backends usually report `InputEvent.resize` instead).
    case resize
    /// A key the backend could not decode.
    case unknown

    /// `.character` of a literal.
    public init(extendedGraphemeClusterLiteral value: Character) {
        self = .character(value)
    }

    /// A short human name for help screens and status bars: `q`, `Enter`, `Ctrl-C`, `↑`, `F5`, `Space`.
    public var displayName: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Del"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .function(let n): return "F\(n)"
        case .ctrl(let c): return "Ctrl-\(String(c).uppercased())"
        case .resize: return "Resize"
        case .unknown: return "?"
        }
    }
}
