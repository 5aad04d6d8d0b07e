import Testing
import TerminalUI

@Suite struct GraphemeTests {
    @Test func roundTrips() {
        for c: Character in ["a", " ", "é", "中", "😀", "e\u{301}", "🇫🇷"] {
            #expect(Grapheme(c).character == c)
            #expect(Cell(c).character == c)
        }
        #expect(Grapheme(ascii: 0x41).asciiByte == 0x41)
        #expect(Grapheme(Character("中")).asciiByte == nil)
        #expect(Grapheme(Character("中")).utf8Count == 3)
        #expect(Grapheme(Character("中")).displayWidth == 2)
    }

    @Test func longClustersKeepWholeScalarsThatFit() {
        let zalgo = "a" + String(repeating: "\u{301}", count: 10)
        let g = Grapheme(scalars: zalgo.unicodeScalars)
        #expect(g.utf8Count == 15)  // "a" + 7 two-byte marks
        #expect(g.unicodeScalars.count == 8)
    }

    @Test func cellIteratorJoinsCombiningMarksAndDropsStrippedScalars() {
        let cells = Array(CellIterator("e\u{301}中\u{7}👍🏽\u{301}x"))
        #expect(cells.map(\.grapheme.string) == ["e\u{301}", "中", "👍\u{301}", "x"])
        #expect(cells.map(\.width) == [1, 2, 2, 1])
        #expect(Array(CellIterator("🇫🇷")).map(\.width) == [1, 1])
    }

    @Test func flagCharacterWrittenAsTwoCells() {
        var b = Buffer(width: 4, height: 1)
        #expect(b.set(character: "🇫🇷", at: .zero, style: .plain) == 2)
        #expect(b.textLines() == ["🇫🇷  "])
    }
}
