import Testing
import TerminalUI

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("a", 1), ("中", 2), ("😀", 2), ("é", 1), ("\u{301}", 0), ("\u{7}", 0), ("\u{200B}", 0),
        ("ｱ", 1), ("Ａ", 2), ("한", 2), ("─", 1), ("…", 1), ("\u{3000}", 2), ("✅", 2), ("❤", 1),
    ] as [(Character, Int)])
    func characterWidths(character: Character, width: Int) {
        #expect(character.displayWidth == width)
    }

    @Test func stringWidths() {
        #expect("hello".displayWidth == 5)
        #expect("日本語".displayWidth == 6)
        #expect("a\u{200D}b".displayWidth == 2)
        #expect("".displayWidth == 0)
        #expect("🇫🇷".displayWidth == 2)
    }

    @Test func sanitizingKeepsPlainText() {
        #expect(DisplayWidth.sanitized("plain") == "plain")
        #expect(DisplayWidth.sanitized("👍🏿 ok\u{FE0F}") == "👍 ok")
    }
}
