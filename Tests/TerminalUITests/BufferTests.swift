import Testing
@testable import TerminalUI

@Suite struct BufferTests {
    @Test func writesASCIIAndClipsToMaxWidth() {
        var b = Buffer(width: 8, height: 2)
        let end = b.set(string: "hello world", at: Position(x: 1, y: 0), maxWidth: 5)
        #expect(end == 6)
        b.set(string: "overflowing", at: Position(x: 4, y: 1))
        #expect(b.textLines() == [" hello  ", "    over"])
    }

    @Test func wideCharactersTakeTwoCells() {
        var b = Buffer(width: 8, height: 1)
        let end = b.set(string: "a中文b", at: .zero)
        #expect(end == 6)
        #expect(b[1, 0].character == "中")
        #expect(b[2, 0].isContinuation)
        #expect(b[3, 0].character == "文")
        #expect(b[4, 0].isContinuation)
        #expect(b[5, 0].character == "b")
        #expect(b.textLines() == ["a中文b  "])
    }

    @Test func wideCharacterThatDoesNotFitStopsTheWrite() {
        var b = Buffer(width: 4, height: 1)
        #expect(b.set(string: "ab中", at: Position(x: 1, y: 0)) == 3)
        #expect(b.textLines() == [" ab "])
        var c = Buffer(width: 6, height: 1)
        c.set(string: "中文字", at: .zero, maxWidth: 5)
        #expect(c.textLines() == ["中文  "])
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var b = Buffer(width: 6, height: 1)
        b.set(string: "中文", at: .zero)
        b.set(string: "x", at: Position(x: 1, y: 0))  // right half of 中
        #expect(b.textLines() == [" x文  "])
        #expect(!b[1, 0].isContinuation)
        b.set(string: "y", at: Position(x: 2, y: 0))  // left half of 文
        #expect(b.textLines() == [" xy   "])
        #expect(!b[3, 0].isContinuation)
        var c = Buffer(width: 6, height: 1)
        c.set(string: "ab中", at: .zero)
        c.set(string: "文", at: Position(x: 1, y: 0))  // covers b and the left half of 中
        #expect(c.textLines() == ["a文   "])
    }

    @Test func emojiModifiersAndJoinersAreStripped() {
        var b = Buffer(width: 10, height: 1)
        b.set(string: "👍🏽❤️👨‍👩", at: .zero)
        #expect(b.textLines() == ["👍❤👨👩   "])
        #expect("👍🏽".displayWidth == 2)
        #expect("❤️".displayWidth == 1)
        #expect("👨‍👩‍👧".displayWidth == 6)
    }

    @Test func combiningMarksStayWithTheirBase() {
        var b = Buffer(width: 4, height: 1)
        b.set(string: "e\u{301}x", at: .zero)
        #expect(b[0, 0].character == "e\u{301}")
        #expect(b[1, 0].character == "x")
        #expect("e\u{301}x".displayWidth == 2)
    }

    @Test func controlCharactersAreSkipped() {
        var b = Buffer(width: 5, height: 1)
        b.set(string: "a\tb\u{1b}c", at: .zero)
        #expect(b.textLines() == ["abc  "])
    }

    @Test func offsetAreaUsesScreenCoordinates() {
        var b = Buffer(area: Rect(x: 10, y: 5, width: 3, height: 1))
        b.set(string: "abcdef", at: Position(x: 9, y: 5))
        #expect(b.textLines() == ["bcd"])
        #expect(b[10, 5].character == "b")
        #expect(b[0, 0] == .blank)
    }

    @Test func diffReportsOnlyChangedCells() {
        var a = Buffer(width: 10, height: 3)
        a.set(string: "hello", at: .zero)
        var b = a
        b.set(string: "J", at: .zero)
        b.set(string: "x", at: Position(x: 9, y: 2), style: Style(fg: .red))
        let changes = b.diff(previous: a)
        #expect(changes.count == 2)
        #expect(changes[0].x == 0 && changes[0].y == 0 && changes[0].cell.character == "J")
        #expect(changes[1].x == 9 && changes[1].y == 2 && changes[1].cell.style.fg == .red)
        #expect(b.diff(previous: b).isEmpty)
    }

    @Test func diffOfStyleOnlyChange() {
        let a = Buffer(lines: ["abc"])
        var b = a
        b.setStyle(Style(attributes: .bold), in: Rect(x: 1, y: 0, width: 1, height: 1))
        let changes = b.diff(previous: a)
        #expect(changes.map(\.x) == [1])
    }

    @Test func diffSkipsContinuationCellsButCatchesReplacedOnes() {
        let a = Buffer(lines: ["ab  "])
        var b = a
        b.set(string: "中", at: Position(x: 1, y: 0))
        #expect(b.diff(previous: a).map(\.x) == [1])
        let c = b.diff(previous: b)
        #expect(c.isEmpty)
        var d = b
        d.set(string: "xy", at: Position(x: 1, y: 0))
        #expect(d.diff(previous: b).map(\.x) == [1, 2])
    }

    @Test func diffWithDifferentAreaReturnsEverything() {
        let a = Buffer(width: 2, height: 1)
        let b = Buffer(width: 3, height: 2)
        #expect(b.diff(previous: a).count == 6)
    }

    @Test func fillClearAndSetStyle() {
        var b = Buffer(lines: ["abcd", "efgh"])
        b.fill(Rect(x: 1, y: 0, width: 2, height: 2), with: Cell("#"))
        #expect(b.textLines() == ["a##d", "e##h"])
        b.clear(Rect(x: 0, y: 1, width: 4, height: 1))
        #expect(b.textLines() == ["a##d", "    "])
        b.setStyle(Style(fg: .red), in: Rect(x: 0, y: 0, width: 1, height: 1))
        b.setStyle(Style(attributes: .bold), in: Rect(x: 0, y: 0, width: 1, height: 1))
        #expect(b[0, 0].style == Style(fg: .red, attributes: .bold))
    }

    @Test func fillOverHalfAWideCharacterBlanksTheOtherHalf() {
        var b = Buffer(lines: ["中文"])
        b.fill(Rect(x: 1, y: 0, width: 2, height: 1), with: Cell("-"))
        #expect(b.textLines() == [" -- "])
    }
}
