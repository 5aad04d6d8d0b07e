import Testing
@testable import TerminalUI

/// Renders a widget into a fresh buffer and returns its text lines.
func render(_ widget: some Widget, width: Int, height: Int) -> [String] {
    var buffer = Buffer(width: width, height: height)
    widget.render(into: &buffer, area: buffer.area)
    return buffer.textLines()
}

/// Renders a widget and returns the buffer.
func renderBuffer(_ widget: some Widget, width: Int, height: Int) -> Buffer {
    var buffer = Buffer(width: width, height: height)
    widget.render(into: &buffer, area: buffer.area)
    return buffer
}

@Suite struct BlockTests {
    @Test func borderAndTitles() {
        let block = Block(title: "Jobs")
            .title(Line("3"), alignment: .right)
            .title(Title("hint", alignment: .center, position: .bottom))
        #expect(render(block, width: 12, height: 4) == [
            "┌Jobs─────3┐",
            "│          │",
            "│          │",
            "└───hint───┘",
        ])
        #expect(block.inner(Rect(x: 0, y: 0, width: 12, height: 4)) == Rect(x: 1, y: 1, width: 10, height: 2))
    }

    @Test func roundedWithPaddingAndLongTitle() {
        let block = Block(title: "A very long title", borderType: .rounded, padding: Margin(horizontal: 1))
        #expect(render(block, width: 8, height: 3) == [
            "╭A very╮",
            "│      │",
            "╰──────╯",
        ])
        #expect(block.inner(Rect(x: 0, y: 0, width: 8, height: 3)) == Rect(x: 2, y: 1, width: 4, height: 1))
    }

    @Test func styles() {
        let b = renderBuffer(Block(title: "T", borderStyle: Style(fg: .blue), titleStyle: Style(fg: .red)), width: 4, height: 3)
        #expect(b[0, 0].style.fg == .blue)
        #expect(b[1, 0].style.fg == .red)
    }
}

@Suite struct ParagraphTests {
    @Test func wordWrap() {
        let p = Paragraph("The quick brown fox jumps", wrap: .word)
        #expect(render(p, width: 10, height: 4) == [
            "The quick ",
            "brown fox ",
            "jumps     ",
            "          ",
        ])
        #expect(p.rowCount(width: 10) == 3)
    }

    @Test func longWordsBreakAndCharacterWrap() {
        #expect(render(Paragraph("abcdefghij kl", wrap: .word), width: 4, height: 4) == ["abcd", "efgh", "ij  ", "kl  "])
        #expect(render(Paragraph("ab cd ef", wrap: .character), width: 4, height: 2) == ["ab c", "d ef"])
    }

    @Test func wrapsWideCharacters() {
        #expect(render(Paragraph("日本語のテキスト", wrap: .character), width: 5, height: 4) == [
            "日本 ", "語の ", "テキ ", "スト ",
        ])
    }

    @Test func clipScrollAndAlign() {
        let text = Text([Line("first line"), Line("second"), Line("third", alignment: .right)])
        #expect(render(Paragraph(text, wrap: .none), width: 6, height: 2) == ["first ", "second"])
        #expect(render(Paragraph(text, wrap: .none, scrollY: 1), width: 6, height: 2) == ["second", " third"])
        #expect(render(Paragraph(text, wrap: .none, scrollX: 6), width: 6, height: 1) == ["line  "])
        #expect(render(Paragraph("ab", alignment: .center), width: 6, height: 1) == ["  ab  "])
    }

    @Test func styledSpansKeepTheirStyle() {
        let line = Line([Span("ok ", style: Style(fg: .green)), Span("fail", style: Style(fg: .red).bold)])
        let b = renderBuffer(Paragraph(Text([line]), style: Style(bg: .blue)), width: 8, height: 1)
        #expect(b[0, 0].style == Style(fg: .green, bg: .blue))
        #expect(b[3, 0].style == Style(fg: .red, bg: .blue, attributes: .bold))
        #expect(b[7, 0].style == Style(bg: .blue))
    }

    @Test func insideABlock() {
        let p = Paragraph("hello world", block: Block(title: "Log"))
        #expect(render(p, width: 9, height: 4) == [
            "┌Log────┐",
            "│hello  │",
            "│world  │",
            "└───────┘",
        ])
    }
}

@Suite struct ListViewTests {
    let items: [ListItem] = ["alpha", "beta", "gamma", "delta", "epsilon"]

    @Test func selectionWithSymbolAndHighlight() {
        let list = ListView(items, selected: 1, highlightSymbol: "> ")
        let b = renderBuffer(list, width: 8, height: 3)
        #expect(b.textLines() == ["  alpha ", "> beta  ", "  gamma "])
        #expect(b[0, 1].style.attributes.contains(.reverse))
        #expect(b[7, 1].style.attributes.contains(.reverse))
        #expect(!b[0, 0].style.attributes.contains(.reverse))
    }

    @Test func scrollsToKeepSelectionVisible() {
        #expect(render(ListView(items, selected: 4), width: 7, height: 2) == ["delta  ", "epsilon"])
        // Moving up from the bottom keeps the previous offset until the selection reaches the top.
        #expect(render(ListView(items, selected: 3, offset: 3), width: 7, height: 2) == ["delta  ", "epsilon"])
        #expect(render(ListView(items, selected: 2, offset: 3), width: 7, height: 2) == ["gamma  ", "delta  "])
        #expect(ListView(items, selected: 4).visibleOffset(in: Rect(x: 0, y: 0, width: 5, height: 2)) == 3)
    }

    @Test func scrollingArithmetic() {
        #expect(Scrolling.offset(keeping: 0, visibleRows: 3, previousOffset: 5, count: 10) == 0)
        #expect(Scrolling.offset(keeping: 9, visibleRows: 3, previousOffset: 0, count: 10) == 7)
        #expect(Scrolling.offset(keeping: nil, visibleRows: 3, previousOffset: 9, count: 10) == 7)
        #expect(Scrolling.offset(keeping: 2, visibleRows: 5, previousOffset: 2, count: 3) == 0)
        #expect(Scrolling.offset(keeping: 1, visibleRows: 0, previousOffset: 2, count: 3) == 0)
    }

    @Test func inBlockWithWideItems() {
        let list = ListView(["中文项目", "ok"], selected: 0, block: Block())
        #expect(render(list, width: 8, height: 4) == [
            "┌──────┐",
            "│中文项│",
            "│ok    │",
            "└──────┘",
        ])
    }
}

@Suite struct TableTests {
    let columns = [Column("Name", width: .fill), Column("State", width: .fixed(7)), Column("Dur", width: .fixed(4), alignment: .right)]

    @Test func headerRowsAndAlignment() {
        let table = Table(columns: columns, rows: [
            TableRow(["ingest", "success", "12s"]),
            TableRow(["clean_and_anonymise", "running", "3s"]),
        ])
        #expect(render(table, width: 24, height: 3) == [
            "Name        State    Dur",
            "ingest      success  12s",
            "clean_and_… running   3s",
        ])
    }

    @Test func selectionScrollsAndHighlights() {
        let rows = (0..<10).map { TableRow(["row\($0)", "x", "\($0)"]) }
        let table = Table(columns: columns, rows: rows, selected: 7, highlightSymbol: ">")
        let b = renderBuffer(table, width: 20, height: 4)
        #expect(b.textLines() == [
            " Name   State    Dur",
            " row5   x          5",
            " row6   x          6",
            ">row7   x          7",
        ])
        #expect(b[10, 3].style.attributes.contains(.reverse))
        #expect(b[0, 0].style.attributes.contains(.bold))
        #expect(table.visibleOffset(in: Rect(x: 0, y: 0, width: 20, height: 4)) == 5)
    }
}

@Suite struct GaugeTests {
    @Test func partialBlocks() {
        #expect(render(Gauge(ratio: 0), width: 4, height: 1) == ["    "])
        #expect(render(Gauge(ratio: 1), width: 4, height: 1) == ["████"])
        #expect(render(Gauge(ratio: 0.5), width: 4, height: 1) == ["██  "])
        #expect(render(Gauge(ratio: 1.0 / 32.0), width: 4, height: 1) == ["▏   "])
        #expect(render(Gauge(ratio: 0.3), width: 10, height: 1) == ["███       "])
        #expect(render(Gauge(ratio: 0.33), width: 10, height: 1) == ["███▎      "])
        #expect(render(Gauge(ratio: 0.39), width: 10, height: 1) == ["███▉      "])
        #expect(render(Gauge(ratio: 7.0 / 80.0), width: 10, height: 1) == ["▉         "])
        #expect(render(Gauge(ratio: 6.0 / 80.0), width: 10, height: 1) == ["▊         "])
        #expect(render(Gauge(ratio: .nan), width: 2, height: 1) == ["  "])
        #expect(render(Gauge(ratio: 3), width: 2, height: 1) == ["██"])
    }

    @Test func labelIsCentredAndReadable() {
        let g = Gauge(ratio: 0.5, label: "50%", filledStyle: Style(fg: .green), emptyStyle: Style(fg: .gray))
        let b = renderBuffer(g, width: 10, height: 1)
        #expect(b.textLines() == ["███50%    "])
        #expect(b[3, 0].style == Style(fg: .green, attributes: .reverse))
        #expect(b[5, 0].style == Style(fg: .gray))
        #expect(Gauge.percentLabel(0.427) == "42%")
    }

    @Test func partialCellUsesEmptyBackground() {
        let g = Gauge(ratio: 0.55, filledStyle: Style(fg: .green), emptyStyle: Style(bg: .black))
        let b = renderBuffer(g, width: 10, height: 1)
        #expect(b.textLines() == ["█████▌    "])
        #expect(b[5, 0].style == Style(fg: .green, bg: .black))
    }
}

@Suite struct TextFieldTests {
    @Test func placeholderWhenEmpty() {
        let b = renderBuffer(TextField(TextInput(), placeholder: "search"), width: 8, height: 1)
        #expect(b.textLines() == ["search  "])
        #expect(b[1, 0].style.attributes.contains(.dim))
    }

    @Test func maskedValue() {
        #expect(render(TextField.masked(TextInput("secret")), width: 8, height: 1) == ["••••••  "])
    }

    @Test func scrollsToKeepCursorVisible() {
        let input = TextInput("abcdefghij")
        let field = TextField(input)
        #expect(render(field, width: 5, height: 1) == ["ghij "])
        #expect(field.cursorPosition(in: Rect(x: 2, y: 3, width: 5, height: 1)) == Position(x: 6, y: 3))
        var start = input
        start.home()
        #expect(render(TextField(start), width: 5, height: 1) == ["abcde"])
        #expect(TextField(start).cursorPosition(in: Rect(x: 0, y: 0, width: 5, height: 1)) == Position(x: 0, y: 0))
    }

    @Test func cursorCellIsReversedWhenFocused() {
        var input = TextInput("abc")
        input.moveLeft()
        let b = renderBuffer(TextField(input), width: 5, height: 1)
        #expect(b[2, 0].style.attributes.contains(.reverse))
        #expect(!b[1, 0].style.attributes.contains(.reverse))
        let unfocused = renderBuffer(TextField(input, isFocused: false), width: 5, height: 1)
        #expect(!unfocused[2, 0].style.attributes.contains(.reverse))
    }

    @Test func wideCharacters() {
        let field = TextField(TextInput("中文字"))
        #expect(render(field, width: 5, height: 1) == ["文字 "])
        #expect(field.cursorPosition(in: Rect(x: 0, y: 0, width: 5, height: 1)) == Position(x: 4, y: 0))
    }
}

@Suite struct TabsDialogStatusTests {
    @Test func tabs() {
        let b = renderBuffer(Tabs(["Jobs", "Runs", "Audit"], selected: 1), width: 22, height: 1)
        #expect(b.textLines() == [" Jobs │ Runs │ Audit  "])
        #expect(b[7, 0].style.attributes.contains(.reverse))
        #expect(b[12, 0].style.attributes.contains(.reverse))
        #expect(!b[6, 0].style.attributes.contains(.reverse))
        #expect(render(Tabs(["Jobs", "Runs"]), width: 8, height: 1) == [" Jobs │ "])
    }

    @Test func dialogIsCentredAndClearsUnderIt() {
        var buffer = Buffer(lines: Array(repeating: String(repeating: "x", count: 24), count: 8))
        let dialog = Dialog(title: "Quit", body: "Really quit weft?", buttons: ["Yes", "No"], selectedButton: 1)
        dialog.render(into: &buffer, area: buffer.area)
        #expect(buffer.textLines() == [
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "x┌ Quit ─────────────┐xx",
            "x│ Really quit weft? │xx",
            "x│                   │xx",
            "x│  [ Yes ]  [ No ]  │xx",
            "x└───────────────────┘xx",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
        ])
        #expect(buffer[14, 4].style.attributes.contains(.reverse))
        #expect(!buffer[6, 4].style.attributes.contains(.reverse))
        #expect(dialog.rect(in: buffer.area) == Rect(x: 1, y: 1, width: 21, height: 5))
    }

    @Test func dialogWrapsBodyAndShowsHint() {
        let dialog = Dialog(title: "Confirm", body: "Type the fabric name to enable it", buttons: ["OK"],
                            hint: "Esc: cancel", width: 16)
        #expect(render(dialog, width: 20, height: 10) == [
            "                    ",
            "  ┌ Confirm ─────┐  ",
            "  │ Type the     │  ",
            "  │ fabric name  │  ",
            "  │ to enable it │  ",
            "  │              │  ",
            "  │    [ OK ]    │  ",
            "  │ Esc: cancel  │  ",
            "  └──────────────┘  ",
            "                    ",
        ])
        #expect(dialog.rect(in: Rect(x: 0, y: 0, width: 20, height: 10)) == Rect(x: 2, y: 1, width: 16, height: 8))
    }

    @Test func statusBarGreysDisabledHintsAndDropsWhatDoesNotFit() {
        let bar = StatusBar(hints: [KeyHint("q", "quit"), KeyHint("D", "duplicate", isEnabled: false), KeyHint("r", "run")],
                            message: "ok")
        let b = renderBuffer(bar, width: 24, height: 1)
        #expect(b.textLines() == ["q quit  D duplicate   ok"])
        #expect(b[0, 0].style.attributes.contains(.bold))
        #expect(b[8, 0].style.attributes.contains(.dim))
        #expect(b[10, 0].style.attributes.contains(.dim))
        #expect(KeyHint(Key.ctrl("c"), "quit").key == "Ctrl-C")
    }
}
