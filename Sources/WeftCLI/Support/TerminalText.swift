import Foundation

/// Text that came from users or tasks (task output, job/task/fabric/user names, messages), made safe to print on a
/// terminal: no control character reaches it, so a task cannot clear the screen, move the cursor, set the window
/// title (OSC) or hide a line. Every control character is shown visibly instead, the way `cat -v` and `less` do:
/// C0 characters in caret notation (ESC → `^[`, CR → `^M`, NUL → `^@`), DEL as `^?`, C1 characters (U+0080–U+009F,
/// e.g. the one-character CSI U+009B) as `\u{9B}`. An escape sequence therefore prints as its text (`^[[2J`,
/// `^[]0;title^G`). Tab is kept; a line feed is kept where lines are printed and shown as `^J` inside a single-line
/// field (a table cell). `-o json` is not passed through here: its escaping is JSON's.
enum TerminalText {
    /// `s` with every control character made visible; `newlines` keeps line feeds (a carriage return right before a
    /// line feed, or ending the text, is dropped: CRLF output prints as lines).
    static func safe(_ s: String, newlines: Bool = true) -> String {
        // The fast path: nothing to change.
        if !s.unicodeScalars.contains(where: { needsEscape($0, newlines: newlines) }) { return s }
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        for (i, c) in scalars.enumerated() {
            let v = c.value
            if !needsEscape(c, newlines: newlines) {
                out.append(c)
            } else if v == 0x0D && newlines && (i + 1 == scalars.count || scalars[i + 1] == "\n") {
                continue
            } else if v < 0x20 {
                out.append("^")
                out.append(Unicode.Scalar(UInt8(v + 0x40)))
            } else if v == 0x7F {
                out.append(contentsOf: "^?".unicodeScalars)
            } else {
                out.append(contentsOf: "\\u{\(String(v, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    /// A single-line field (a table cell, a name in a progress line): line feeds are shown as `^J` too.
    static func field(_ s: String) -> String { safe(s, newlines: false) }

    static func needsEscape(_ c: Unicode.Scalar, newlines: Bool) -> Bool {
        let v = c.value
        if v == 0x09 || (v == 0x0A && newlines) { return false }
        return v < 0x20 || (v >= 0x7F && v < 0xA0)
    }

    /// JSON text with DEL and C1 characters written as `\u00XX` escapes: the same JSON value (any character may be
    /// escaped), but nothing a terminal could read as a control when `-o json` is printed to it (`JSONEncoder`
    /// already escapes C0).
    static func json(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= 0x7F && $0.value < 0xA0 }) else { return text }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if c.value >= 0x7F && c.value < 0xA0 {
                out.append(contentsOf: String(format: "\\u%04x", c.value).unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }

    /// Writes to standard error, made safe.
    static func writeError(_ s: String) {
        FileHandle.standardError.write(Data(safe(s).utf8))
    }
}

/// Every `print` in the CLI goes through `TerminalText.safe`: what users and tasks wrote cannot drive the terminal.
/// (`-o json` output uses `Swift.print` directly, see `GlobalOptions.printJSON`.)
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(TerminalText.safe(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}
