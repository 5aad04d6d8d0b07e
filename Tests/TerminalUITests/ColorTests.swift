import Testing
import TerminalUI

@Suite struct ColorTests {
    @Test func paletteMapping() {
        #expect(Color.default.paletteIndex(colorCount: 256) == nil)
        #expect(Color.red.paletteIndex(colorCount: 8) == 1)
        #expect(Color.brightRed.paletteIndex(colorCount: 8) == 1)
        #expect(Color.brightRed.paletteIndex(colorCount: 16) == 9)
        #expect(Color.indexed(200).paletteIndex(colorCount: 256) == 200)
        #expect(Color.rgb(255, 0, 0).paletteIndex(colorCount: 256) == 196)
        #expect(Color.rgb(128, 128, 128).paletteIndex(colorCount: 256) == 244)
        #expect(Color.rgb(0, 0, 0).paletteIndex(colorCount: 256) == 16)
        #expect(Color.rgb(250, 10, 10).paletteIndex(colorCount: 8) == 1)
        #expect(Color.rgb(10, 200, 10).paletteIndex(colorCount: 16) == 2)
        #expect(Color.indexed(196).paletteIndex(colorCount: 8) == 1)
        #expect(Color.indexed(3).paletteIndex(colorCount: 8) == 3)
    }

    @Test func stylePatching() {
        let base = Style(fg: .red, bg: .blue, attributes: .bold)
        #expect(base.patched(with: Style(attributes: .reverse)) == Style(fg: .red, bg: .blue, attributes: [.bold, .reverse]))
        #expect(base.patched(with: Style(fg: .green)) == Style(fg: .green, bg: .blue, attributes: .bold))
        #expect(Style.plain.fg(.cyan).bold.underline == Style(fg: .cyan, attributes: [.bold, .underline]))
    }
}
