/// A grapheme stored inline as up to 15 UTF-8 bytes: copying or comparing one never touches the heap.
///
/// Longer clusters keep as many whole scalars as fit (a terminal cell holds one spacing character and at most
/// four combining ones anyway).
public struct Grapheme: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 of the UTF-8 encoding.
    @usableFromInline var low: UInt64
    /// Bytes 8–14 of the UTF-8 encoding; the top byte is the byte count.
    @usableFromInline var high: UInt64

    /// One ASCII byte.
    @inlinable
    public init(ascii byte: UInt8) {
        low = UInt64(byte)
        high = 1 << 56
    }

    /// A single scalar.
    @inlinable
    public init(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 {
            self.init(ascii: UInt8(scalar.value))
        } else {
            self.init(scalars: CollectionOfOne(scalar))
        }
    }

    /// The scalars of `character`, truncated to whole scalars that fit in 15 bytes.
    public init(_ character: Character) {
        self.init(scalars: character.unicodeScalars)
    }

    /// A sequence of scalars, truncated to whole scalars that fit in 15 bytes.
    public init<S: Sequence>(scalars: S) where S.Element == Unicode.Scalar {
        low = 0
        high = 0
        var count = 0
        for scalar in scalars {
            let length = UTF8.width(scalar)
            if count + length > 15 { break }
            guard let encoded = UTF8.encode(scalar) else { continue }
            for byte in encoded {
                append(byte, at: count)
                count += 1
            }
        }
        high |= UInt64(count) << 56
    }

    /// A space.
    public static let space = Grapheme(ascii: 0x20)

    /// Stores a byte at a position below 15.
    @inline(__always)
    mutating func append(_ byte: UInt8, at index: Int) {
        if index < 8 {
            low |= UInt64(byte) << (UInt64(index) * 8)
        } else {
            high |= UInt64(byte) << (UInt64(index - 8) * 8)
        }
    }

    /// Number of UTF-8 bytes.
    @inlinable
    public var utf8Count: Int { Int(high >> 56) }

    /// The single byte when the grapheme is one ASCII character.
    @inlinable
    public var asciiByte: UInt8? {
        high == 1 << 56 && low < 0x80 ? UInt8(truncatingIfNeeded: low) : nil
    }

    /// The UTF-8 byte at `index` (below `utf8Count`).
    @inlinable
    public func byte(at index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: low >> (UInt64(index) * 8))
            : UInt8(truncatingIfNeeded: high >> (UInt64(index - 8) * 8))
    }

    /// The grapheme as a string.
    public var string: String {
        if let ascii = asciiByte { return String(Unicode.Scalar(ascii)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8Count)
        for i in 0..<utf8Count { bytes.append(byte(at: i)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The grapheme as a `Character` (a space if empty).
    public var character: Character {
        let s = string
        return s.count == 1 ? s[s.startIndex] : (s.first ?? " ")
    }

    /// The scalars of the grapheme.
    public var unicodeScalars: String.UnicodeScalarView { string.unicodeScalars }

    /// The grapheme as a string.
    public var description: String { string }

    /// Cells the grapheme takes (the sum of its scalars' widths).
    public var displayWidth: Int {
        if let ascii = asciiByte { return ascii >= 0x20 && ascii != 0x7F ? 1 : 0 }
        var total = 0
        for scalar in unicodeScalars { total += DisplayWidth.of(scalar) }
        return total
    }
}
