/// The editable state of a one-line text field: its graphemes and a cursor between them.
public struct TextInput: Hashable, Sendable {
    /// The graphemes of the value.
    public private(set) var characters: [Character]
    /// The cursor, as a grapheme index from 0 (before the first) to `characters.count` (after the last).
    public private(set) var cursor: Int

    /// Creates an input holding `value`, with the cursor at the end.
    public init(_ value: String = "") {
        self.characters = TextInput.accepted(value)
        self.cursor = characters.count
    }

    /// The value; setting it moves the cursor to the end.
    public var value: String {
        get { String(characters) }
        set {
            characters = TextInput.accepted(newValue)
            cursor = characters.count
        }
    }

    /// True when the value is empty.
    public var isEmpty: Bool { characters.isEmpty }

    /// The graphemes of `string` that can be typed into a field (no control characters).
    static func accepted(_ string: String) -> [Character] {
        DisplayWidth.sanitized(string).filter { c in
            !(c.unicodeScalars.first.map(DisplayWidth.isControl) ?? true)
        }
    }

    /// Inserts text at the cursor and moves the cursor past it (control characters are dropped).
    public mutating func insert(_ text: String) {
        let new = TextInput.accepted(text)
        characters.insert(contentsOf: new, at: cursor)
        cursor += new.count
    }

    /// Inserts one grapheme at the cursor.
    public mutating func insert(_ character: Character) {
        insert(String(character))
    }

    /// Deletes the grapheme before the cursor.
    public mutating func backspace() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the grapheme after the cursor.
    public mutating func delete() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Moves the cursor one grapheme left.
    public mutating func moveLeft() {
        cursor = max(0, cursor - 1)
    }

    /// Moves the cursor one grapheme right.
    public mutating func moveRight() {
        cursor = min(characters.count, cursor + 1)
    }

    /// Moves the cursor to the start.
    public mutating func home() {
        cursor = 0
    }

    /// Moves the cursor to the end.
    public mutating func end() {
        cursor = characters.count
    }

    /// Moves the cursor to a grapheme index (clamped).
    public mutating func moveCursor(to index: Int) {
        cursor = max(0, min(characters.count, index))
    }

    /// Deletes from the cursor to the end (Ctrl-K).
    public mutating func killToEnd() {
        characters.removeSubrange(cursor...)
    }

    /// Deletes from the start to the cursor (Ctrl-U).
    public mutating func killToStart() {
        characters.removeSubrange(..<cursor)
        cursor = 0
    }

    /// Deletes the word before the cursor and the spaces after it (Ctrl-W).
    public mutating func deleteWordBackward() {
        var start = cursor
        while start > 0 && characters[start - 1].isWhitespace { start -= 1 }
        while start > 0 && !characters[start - 1].isWhitespace { start -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Empties the value.
    public mutating func clear() {
        characters.removeAll()
        cursor = 0
    }

    /// Applies the usual editing key (characters, Backspace, Delete, arrows, Home/End, Ctrl-A/E/K/U/W/B/F/D/H);
    /// returns false for keys it does not handle, such as Enter, Esc and Tab.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let c): insert(c)
        case .backspace, .ctrl("h"): backspace()
        case .delete, .ctrl("d"): delete()
        case .left, .ctrl("b"): moveLeft()
        case .right, .ctrl("f"): moveRight()
        case .home, .ctrl("a"): home()
        case .end, .ctrl("e"): end()
        case .ctrl("k"): killToEnd()
        case .ctrl("u"): killToStart()
        case .ctrl("w"): deleteWordBackward()
        default: return false
        }
        return true
    }
}
