/// Foreground, background and attributes of a cell.
///
/// When one style is patched onto another, a `.default` colour in the patch means "keep the colour underneath"
/// and attributes are added, so widgets can lay a highlight over text that has its own colours.
public struct Style: Hashable, Sendable {
    /// Foreground colour.
    public var fg: Color
    /// Background colour.
    public var bg: Color
    /// Attributes such as bold or reverse.
    public var attributes: Attributes

    /// Creates a style.
    public init(fg: Color = .default, bg: Color = .default, attributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    /// The terminal's default colours with no attributes.
    public static let plain = Style()

    /// A copy with the given foreground colour.
    public func fg(_ color: Color) -> Style {
        var s = self
        s.fg = color
        return s
    }

    /// A copy with the given background colour.
    public func bg(_ color: Color) -> Style {
        var s = self
        s.bg = color
        return s
    }

    /// A copy with `attributes` added.
    public func adding(_ attributes: Attributes) -> Style {
        var s = self
        s.attributes.formUnion(attributes)
        return s
    }

    /// A copy with `attributes` removed.
    public func removing(_ attributes: Attributes) -> Style {
        var s = self
        s.attributes.subtract(attributes)
        return s
    }

    /// A bold copy.
    public var bold: Style { adding(.bold) }
    /// A dim copy.
    public var dim: Style { adding(.dim) }
    /// An italic copy.
    public var italic: Style { adding(.italic) }
    /// An underlined copy.
    public var underline: Style { adding(.underline) }
    /// A reversed copy.
    public var reversed: Style { adding(.reverse) }

    /// This style with `other` laid over it: non-default colours of `other` win, attributes are combined.
    public func patched(with other: Style) -> Style {
        Style(
            fg: other.fg == .default ? fg : other.fg,
            bg: other.bg == .default ? bg : other.bg,
            attributes: attributes.union(other.attributes)
        )
    }
}
