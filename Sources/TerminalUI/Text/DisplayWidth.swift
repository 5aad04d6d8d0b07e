/// Terminal display widths of scalars, graphemes and strings, matching glibc's `wcwidth` (which ncursesw uses).
///
/// Wide (East Asian Wide/Fullwidth, emoji presentation) = 2, combining and format characters = 0, control
/// characters = 0, everything else = 1. Scalars that terminals and libc disagree about (U+200D ZWJ, U+FE0E/U+FE0F
/// variation selectors, U+1F3FB–U+1F3FF skin tones) are stripped by `sanitized(_:)` before layout.
public enum DisplayWidth {
    /// True for scalars that `sanitized(_:)` removes.
    @inlinable
    public static func isStripped(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v == 0x200D || v == 0xFE0E || v == 0xFE0F || (v >= 0x1F3FB && v <= 0x1F3FF)
    }

    /// True for C0/C1 control characters and DEL.
    @inlinable
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (v >= 0x7F && v < 0xA0)
    }

    /// Cells taken by one scalar: 0, 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        if v < 0x300 { return 1 }
        if isStripped(scalar) { return 0 }
        if contains(UnicodeWidthTables.zero, v) { return 0 }
        if v >= 0x1100, contains(UnicodeWidthTables.wide, v) { return 2 }
        return 1
    }

    /// Cells taken by one grapheme: the sum of its scalars' widths (a flag's two regional indicators make 2).
    public static func of(_ character: Character) -> Int {
        var total = 0
        for scalar in character.unicodeScalars {
            total += of(scalar)
        }
        return total
    }

    /// Cells taken by a string after `sanitized(_:)` (the cells `CellIterator` yields).
    public static func of(_ string: String) -> Int {
        if isPlainASCII(string) {
            var n = 0
            for byte in string.utf8 where byte >= 0x20 && byte != 0x7F { n += 1 }
            return n
        }
        var total = 0
        for scalar in string.unicodeScalars {
            total += of(scalar)
        }
        return total
    }

    /// True when every byte of the string is ASCII (no sanitising or table look-ups needed).
    @inlinable
    public static func isPlainASCII(_ string: String) -> Bool {
        var plain = true
        for byte in string.utf8 where byte >= 0x80 {
            plain = false
            break
        }
        return plain
    }

    /// The string with ZWJ, variation selectors and skin-tone modifiers removed (unchanged if it has none).
    public static func sanitized(_ string: String) -> String {
        if isPlainASCII(string) { return string }
        var needsWork = false
        for scalar in string.unicodeScalars where isStripped(scalar) {
            needsWork = true
            break
        }
        guard needsWork else { return string }
        var result = String.UnicodeScalarView()
        for scalar in string.unicodeScalars where !isStripped(scalar) {
            result.append(scalar)
        }
        return String(result)
    }

    /// Binary search of sorted, disjoint ranges.
    static func contains(_ table: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0
        var high = table.count - 1
        if high < 0 || value < table[0].lowerBound || value > table[high].upperBound { return false }
        while low <= high {
            let mid = (low + high) >> 1
            let range = table[mid]
            if value < range.lowerBound {
                high = mid - 1
            } else if value > range.upperBound {
                low = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}

extension Character {
    /// Cells this grapheme takes in a terminal (0, 1 or 2).
    public var displayWidth: Int { DisplayWidth.of(self) }
}

extension String {
    /// Cells this string takes in a terminal, after stripping ZWJ, variation selectors and skin tones.
    public var displayWidth: Int { DisplayWidth.of(self) }
}
