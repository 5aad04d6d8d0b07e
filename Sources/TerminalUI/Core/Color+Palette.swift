extension Color {
    /// Approximate RGB values of the 16 ANSI colours (xterm defaults).
    static let ansiRGB: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255),
        (255, 255, 255),
    ]

    /// The six channel levels of the xterm 6×6×6 colour cube.
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The colour's approximate RGB value, or nil for `.default`.
    public var rgbComponents: (r: UInt8, g: UInt8, b: UInt8)? {
        switch self {
        case .default:
            return nil
        case .ansi(let n):
            let c = Color.ansiRGB[Int(n % 16)]
            return (c.0, c.1, c.2)
        case .indexed(let n):
            return Color.rgbOfPaletteIndex(Int(n))
        case .rgb(let r, let g, let b):
            return (r, g, b)
        }
    }

    /// The RGB value of an xterm 256-colour palette index.
    static func rgbOfPaletteIndex(_ index: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        if index < 16 {
            let c = ansiRGB[index]
            return (c.0, c.1, c.2)
        }
        if index < 232 {
            let i = index - 16
            return (UInt8(cubeLevels[i / 36]), UInt8(cubeLevels[(i / 6) % 6]), UInt8(cubeLevels[i % 6]))
        }
        let level = UInt8(8 + (index - 232) * 10)
        return (level, level, level)
    }

    /// The palette index to use on a terminal with `colorCount` colours (8, 16, 256 or more), or nil for the default colour.
    ///
    /// ANSI colours keep their index (bright ones fall back to normal on 8-colour terminals); indexed and RGB
    /// colours map to the nearest colour the palette has.
    public func paletteIndex(colorCount: Int) -> Int? {
        switch self {
        case .default:
            return nil
        case .ansi(let n):
            let n = Int(n % 16)
            return colorCount >= 16 ? n : n % 8
        case .indexed(let n):
            if colorCount >= 256 || Int(n) < min(colorCount, 16) { return Int(n) }
            let c = Color.rgbOfPaletteIndex(Int(n))
            return Color.nearestANSI(c.r, c.g, c.b, limit: colorCount >= 16 ? 16 : 8)
        case .rgb(let r, let g, let b):
            if colorCount >= 256 { return Color.nearest256(r, g, b) }
            return Color.nearestANSI(r, g, b, limit: colorCount >= 16 ? 16 : 8)
        }
    }

    /// Squared distance between two colours, weighted roughly by perceived brightness.
    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0
        let dg = a.1 - b.1
        let db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }

    /// The nearest of the first `limit` ANSI colours.
    static func nearestANSI(_ r: UInt8, _ g: UInt8, _ b: UInt8, limit: Int) -> Int {
        let target = (Int(r), Int(g), Int(b))
        var best = 0
        var bestDistance = Int.max
        for i in 0..<limit {
            let c = ansiRGB[i]
            let d = distance(target, (Int(c.0), Int(c.1), Int(c.2)))
            if d < bestDistance {
                bestDistance = d
                best = i
            }
        }
        return best
    }

    /// The nearest colour of the xterm cube (16–231) or grey ramp (232–255).
    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        func cubeIndex(_ v: UInt8) -> Int {
            let v = Int(v)
            if v < 48 { return 0 }
            if v < 115 { return 1 }
            return (v - 35) / 40
        }
        let target = (Int(r), Int(g), Int(b))
        let ci = (cubeIndex(r), cubeIndex(g), cubeIndex(b))
        let cube = (cubeLevels[ci.0], cubeLevels[ci.1], cubeLevels[ci.2])
        let cubeColor = 16 + 36 * ci.0 + 6 * ci.1 + ci.2
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = average > 238 ? 23 : max(0, (average - 3) / 10)
        let grey = 8 + greyIndex * 10
        if distance(target, (grey, grey, grey)) < distance(target, cube) {
            return 232 + greyIndex
        }
        return cubeColor
    }
}
