/// Splits a string into terminal cells: each scalar with a width starts a cell, and the zero-width scalars after
/// it (combining marks, Hangul medial/final jamo) join that cell. Control characters, lone combining marks and the
/// scalars `DisplayWidth.sanitized(_:)` strips are dropped.
///
/// This is how ncursesw and terminals using `wcwidth` lay text out, and it is much faster than Unicode grapheme
/// breaking. A plain-ASCII string takes a fast path over its UTF-8 bytes.
public struct CellIterator: IteratorProtocol, Sequence {
    /// UTF-8 bytes when the string is plain ASCII.
    private var bytes: String.UTF8View.Iterator?
    /// Scalars otherwise.
    private var scalars: String.UnicodeScalarView.Iterator?
    /// A scalar read ahead that starts the next cell.
    private var pending: Unicode.Scalar?

    /// Creates an iterator over `string`'s cells.
    public init(_ string: String) {
        if DisplayWidth.isPlainASCII(string) {
            bytes = string.utf8.makeIterator()
        } else {
            scalars = string.unicodeScalars.makeIterator()
        }
    }

    /// The next cell's grapheme and width (1 or 2).
    public mutating func next() -> (grapheme: Grapheme, width: Int)? {
        if bytes != nil {
            while let byte = bytes?.next() {
                if byte >= 0x20 && byte != 0x7F { return (Grapheme(ascii: byte), 1) }
            }
            return nil
        }
        var base: Unicode.Scalar
        var width: Int
        while true {
            guard let s = pending ?? scalars?.next() else { return nil }
            pending = nil
            let w = DisplayWidth.of(s)
            if w > 0 {
                base = s
                width = w
                break
            }
        }
        var combined: [Unicode.Scalar]?
        while let s = scalars?.next() {
            if DisplayWidth.of(s) > 0 {
                pending = s
                break
            }
            if DisplayWidth.isStripped(s) || DisplayWidth.isControl(s) { continue }
            if combined == nil { combined = [base] }
            combined?.append(s)
        }
        if let combined { return (Grapheme(scalars: combined), width) }
        return (Grapheme(base), width)
    }
}
