import TerminalUI

/// The login screen: user name, masked password, the domain's error, and the demo logins of `weft demo`.
enum LoginView {
    static func render(_ s: AppState, into frame: inout Frame) {
        let t = s.theme
        let area = frame.area
        let height = 12 + (s.demoLogins.isEmpty ? 0 : s.demoLogins.count + 3)
        let box = area.centered(width: min(76, area.width - 2), height: min(height, area.height - 2))
        frame.render(Clear(style: t[.text]), in: box)
        let block = AppView.block("Weft — log in", t, focused: true)
        frame.render(block, in: box)
        let inner = block.inner(box).inset(by: Margin(horizontal: 2, vertical: 1))
        var y = inner.y
        frame.buffer.set(string: "Workspace: \(s.workspace)", at: Position(x: inner.x, y: y), style: t[.muted], maxWidth: inner.width)
        y += 2
        let labelWidth = 10
        for (i, label) in ["User", "Password"].enumerated() {
            let focused = s.login.field == i
            frame.buffer.set(string: label, at: Position(x: inner.x, y: y), style: focused ? t[.focus] : t[.text])
            let rect = Rect(x: inner.x + labelWidth, y: y, width: max(1, inner.width - labelWidth), height: 1)
            let input = i == 0 ? s.login.user : s.login.password
            let field = TextField(input, placeholder: i == 0 ? "user name" : "password", mask: i == 1 ? "•" : nil, style: t[.input], placeholderStyle: t[.muted], isFocused: focused)
            frame.buffer.setStyle(t[.input], in: rect)
            frame.render(field, in: rect)
            if focused && !s.login.isBusy { frame.cursor = field.cursorPosition(in: rect) }
            y += 2
        }
        if s.login.isBusy {
            frame.buffer.set(string: "Checking…", at: Position(x: inner.x, y: y), style: t[.muted], maxWidth: inner.width)
        } else if let error = s.login.error {
            frame.buffer.set(string: error, at: Position(x: inner.x, y: y), style: t[.error], maxWidth: inner.width)
        }
        y += 2
        frame.buffer.set(string: "Tab switch field · Enter log in · Esc quit", at: Position(x: inner.x, y: y), style: t[.muted], maxWidth: inner.width)
        y += 2
        if !s.demoLogins.isEmpty && y < inner.bottom {
            frame.buffer.set(string: "Demo users (fixed demo passwords):", at: Position(x: inner.x, y: y), style: t[.title], maxWidth: inner.width)
            y += 1
            for d in s.demoLogins where y < inner.bottom {
                let text = "  " + d.user.padding(toLength: 7, withPad: " ", startingAt: 0) + d.password.padding(toLength: 15, withPad: " ", startingAt: 0) + d.role
                frame.buffer.set(string: text, at: Position(x: inner.x, y: y), style: t[.text], maxWidth: inner.width)
                y += 1
            }
        }
    }
}
