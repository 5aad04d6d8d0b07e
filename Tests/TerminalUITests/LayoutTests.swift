import Testing
import TerminalUI

@Suite struct LayoutTests {
    @Test func fixedPercentAndFill() {
        let rects = Rect(x: 0, y: 0, width: 100, height: 10).splitHorizontally([.fixed(10), .percent(30), .fill])
        #expect(rects.map(\.width) == [10, 30, 60])
        #expect(rects.map(\.x) == [0, 10, 40])
        #expect(rects.allSatisfy { $0.height == 10 })
    }

    @Test func verticalSplitWithSpacing() {
        let rects = Rect(x: 2, y: 1, width: 5, height: 11).splitVertically([.fixed(1), .fill, .fixed(2)], spacing: 1)
        #expect(rects.map(\.y) == [1, 3, 10])
        #expect(rects.map(\.height) == [1, 6, 2])
    }

    @Test func fillWeightsShareTheRemainder() {
        #expect(Layout.lengths(for: [.fill(1), .fill(2)], total: 10) == [4, 6])
        #expect(Layout.lengths(for: [.fill, .fill, .fill], total: 10) == [4, 3, 3])
    }

    @Test func minGetsAtLeastItsSizeAndGrows() {
        #expect(Layout.lengths(for: [.min(5), .fixed(3)], total: 20) == [17, 3])
        #expect(Layout.lengths(for: [.min(5), .fill], total: 9) == [7, 2])
    }

    @Test func spaceRunsOutInOrder() {
        #expect(Layout.lengths(for: [.fixed(6), .fixed(6), .fill], total: 10) == [6, 4, 0])
        #expect(Layout.lengths(for: [.fixed(3)], total: 10) == [3])
        #expect(Layout.lengths(for: [], total: 10) == [])
    }

    @Test func marginsAndCentering() {
        let r = Rect(x: 0, y: 0, width: 20, height: 10)
        #expect(r.inset(by: Margin(horizontal: 2, vertical: 1)) == Rect(x: 2, y: 1, width: 16, height: 8))
        #expect(r.inset(by: Margin(all: 20)).isEmpty)
        #expect(r.centered(width: 10, height: 4) == Rect(x: 5, y: 3, width: 10, height: 4))
        #expect(r.centered(width: 40, height: 40) == r)
        #expect(r.intersection(Rect(x: 15, y: 8, width: 10, height: 10)) == Rect(x: 15, y: 8, width: 5, height: 2))
    }
}
