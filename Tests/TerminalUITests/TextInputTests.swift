import Testing
import TerminalUI

@Suite struct TextInputTests {
    @Test func insertAndMoveAndDelete() {
        var t = TextInput()
        t.insert("héllo")
        #expect(t.value == "héllo" && t.cursor == 5)
        t.moveLeft()
        t.moveLeft()
        t.insert("X")
        #expect(t.value == "hélXlo" && t.cursor == 4)
        t.backspace()
        #expect(t.value == "héllo" && t.cursor == 3)
        t.delete()
        #expect(t.value == "hélo" && t.cursor == 3)
        t.home()
        t.backspace()
        #expect(t.value == "hélo" && t.cursor == 0)
        t.end()
        t.delete()
        #expect(t.value == "hélo" && t.cursor == 4)
        t.moveRight()
        #expect(t.cursor == 4)
    }

    @Test func killLineAndWords() {
        var t = TextInput("one two three")
        t.moveCursor(to: 4)
        t.killToEnd()
        #expect(t.value == "one " && t.cursor == 4)
        t.insert("big deal")
        t.deleteWordBackward()
        #expect(t.value == "one big " && t.cursor == 8)
        t.deleteWordBackward()
        #expect(t.value == "one " && t.cursor == 4)
        t.moveCursor(to: 2)
        t.killToStart()
        #expect(t.value == "e " && t.cursor == 0)
        t.clear()
        #expect(t.isEmpty && t.cursor == 0)
    }

    @Test func controlCharactersAreNotInserted() {
        var t = TextInput()
        t.insert("a\u{1b}[b\n")
        #expect(t.value == "a[b")
    }

    @Test func handlesEditingKeys() {
        var t = TextInput()
        for key: Key in ["a", "b", "c", .left, .backspace, .home, .ctrl("e"), .ctrl("u")] {
            let handled = t.handle(key)
            #expect(handled)
        }
        #expect(t.value == "")
        let enter = t.handle(.enter)
        let escape = t.handle(.escape)
        #expect(!enter && !escape)
    }

    @Test func wideAndCombiningGraphemesAreOneStep() {
        var t = TextInput("中e\u{301}")
        #expect(t.characters.count == 2)
        t.backspace()
        #expect(t.value == "中")
    }
}
