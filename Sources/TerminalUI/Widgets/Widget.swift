/// A value that draws itself into a rectangle of a buffer. Widgets never touch the terminal.
public protocol Widget {
    /// Draws the widget into `area` of `buffer`; drawing outside `area` is a bug.
    func render(into buffer: inout Buffer, area: Rect)
}
