import Testing
import TerminalUI

@Suite @MainActor struct TerminalTests {
    @Test func firstDrawPaintsEverythingThenOnlyChanges() {
        let backend = TestBackend(width: 10, height: 3)
        let terminal = Terminal(backend: backend)
        terminal.draw { frame in
            frame.render(Paragraph("hello"), in: frame.area)
        }
        #expect(backend.clearCount == 1)
        #expect(backend.drawCounts == [30])
        #expect(backend.textLines() == ["hello     ", "          ", "          "])
        terminal.draw { frame in
            frame.render(Paragraph("help"), in: frame.area)
        }
        #expect(backend.drawCounts == [30, 2])  // "p" over "l", blank over "o"
        #expect(backend.textLines() == ["help      ", "          ", "          "])
        terminal.draw { frame in
            frame.render(Paragraph("help"), in: frame.area)
        }
        #expect(backend.drawCounts == [30, 2])  // nothing changed, nothing sent
        #expect(backend.frames.count == 3)
    }

    @Test func resizeForcesAFullRedraw() {
        let backend = TestBackend(width: 6, height: 2)
        let terminal = Terminal(backend: backend)
        terminal.draw { $0.render(Block(), in: $0.area) }
        backend.resize(to: Size(width: 8, height: 3))
        #expect(backend.waitForInput() == [.resize(Size(width: 8, height: 3))])
        terminal.draw { $0.render(Block(), in: $0.area) }
        #expect(backend.clearCount == 2)
        #expect(backend.textLines() == ["┌──────┐", "│      │", "└──────┘"])
    }

    @Test func resumeForcesAFullRedraw() {
        let backend = TestBackend(width: 4, height: 1)
        let terminal = Terminal(backend: backend)
        terminal.draw { $0.render(Paragraph("ab"), in: $0.area) }
        terminal.suspend()
        #expect(backend.isSuspended)
        terminal.resume()
        #expect(!backend.isSuspended)
        terminal.draw { $0.render(Paragraph("ab"), in: $0.area) }
        #expect(backend.drawCounts == [4, 4])
    }

    @Test func wideCharactersSurviveDiffing() {
        let backend = TestBackend(width: 6, height: 1)
        let terminal = Terminal(backend: backend)
        terminal.draw { $0.render(Paragraph("ab中"), in: $0.area) }
        terminal.draw { $0.render(Paragraph("a中b"), in: $0.area) }
        #expect(backend.textLines() == ["a中b  "])
        terminal.draw { $0.render(Paragraph("xyzw"), in: $0.area) }
        #expect(backend.textLines() == ["xyzw  "])
    }

    @Test func cursorFollowsTheFrame() {
        let backend = TestBackend(width: 10, height: 2)
        let terminal = Terminal(backend: backend)
        terminal.draw { frame in
            frame.cursor = Position(x: 3, y: 1)
        }
        #expect(backend.isCursorVisible && backend.cursor == Position(x: 3, y: 1))
        terminal.draw { _ in }
        #expect(!backend.isCursorVisible)
    }

    @Test func scriptedInput() {
        let backend = TestBackend(width: 1, height: 1)
        backend.press("j", .down)
        backend.enqueue([.wake, .quit(.interrupt)])
        #expect(backend.waitForInput() == [.key("j"), .key(.down)])
        #expect(backend.waitForInput() == [.wake, .quit(.interrupt)])
        #expect(backend.waitForInput().isEmpty)
    }

    @Test func keyNamesAndLiterals() {
        let key: Key = "q"
        #expect(key == .character("q"))
        #expect(Key.ctrl("c").displayName == "Ctrl-C")
        #expect(Key.character(" ").displayName == "Space")
        #expect(Key.function(5).displayName == "F5")
    }
}
