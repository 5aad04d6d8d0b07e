/// A terminal colour: the terminal's default, one of the 16 ANSI colours, a 256-colour palette index, or 24-bit RGB.
public enum Color: Hashable, Sendable {
    /// The terminal's own default foreground or background.
    case `default`
    /// One of the 16 ANSI colours (0–7 normal, 8–15 bright); values above 15 are read modulo 16.
    case ansi(UInt8)
    /// An index into the xterm 256-colour palette.
    case indexed(UInt8)
    /// A 24-bit colour; backends map it to the nearest colour the terminal has.
    case rgb(UInt8, UInt8, UInt8)

    /// ANSI black (0).
    public static let black = Color.ansi(0)
    /// ANSI red (1).
    public static let red = Color.ansi(1)
    /// ANSI green (2).
    public static let green = Color.ansi(2)
    /// ANSI yellow (3).
    public static let yellow = Color.ansi(3)
    /// ANSI blue (4).
    public static let blue = Color.ansi(4)
    /// ANSI magenta (5).
    public static let magenta = Color.ansi(5)
    /// ANSI cyan (6).
    public static let cyan = Color.ansi(6)
    /// ANSI white (7), usually light grey.
    public static let white = Color.ansi(7)
    /// ANSI bright black (8), usually dark grey.
    public static let gray = Color.ansi(8)
    /// ANSI bright red (9).
    public static let brightRed = Color.ansi(9)
    /// ANSI bright green (10).
    public static let brightGreen = Color.ansi(10)
    /// ANSI bright yellow (11).
    public static let brightYellow = Color.ansi(11)
    /// ANSI bright blue (12).
    public static let brightBlue = Color.ansi(12)
    /// ANSI bright magenta (13).
    public static let brightMagenta = Color.ansi(13)
    /// ANSI bright cyan (14).
    public static let brightCyan = Color.ansi(14)
    /// ANSI bright white (15).
    public static let brightWhite = Color.ansi(15)
}
