// Generated from themes/*.theme (ThemeTests checks they are identical). Do not edit by hand.
/// The built-in themes, as the text of their files in `themes/`.
public enum BuiltinThemes {
    /// Theme name → file text.
    public static let text: [String: String] = [
        "default": #"""
            # Weft theme "default" (dark terminals).
            # role = COLOUR [on COLOUR] [bold] [dim] [italic] [underline] [reverse]
            # Colours: default, black, red, green, yellow, blue, magenta, cyan, white, gray, bright-*, colorN, #rrggbb.
            text = default
            muted = gray
            border = gray
            focus = bright-cyan bold
            selection = black on cyan
            header = bright-white on blue bold
            title = bright-white bold
            status-bar = white on color236
            status-key = bright-yellow on color236 bold
            disabled = gray on color236 dim
            input = bright-white underline
            error = bright-red bold
            warning = yellow
            success = green
            production = bright-red bold
            changed = bright-yellow bold
            gauge-filled = cyan
            gauge-empty = color238
            run-queued = yellow
            run-running = bright-cyan
            run-success = bright-green
            run-failed = bright-red bold
            run-cancelled = magenta
            task-pending = gray
            task-running = bright-cyan
            task-retrying = yellow
            task-success = bright-green
            task-failed = bright-red bold
            task-skipped = gray
            task-cancelled = magenta
            task-orphaned = red
            """#,
        "light": #"""
            # Weft theme "light" (light terminals).
            # role = COLOUR [on COLOUR] [bold] [dim] [italic] [underline] [reverse]
            text = default
            muted = color244
            border = color246
            focus = blue bold
            selection = white on blue
            header = white on color24 bold
            title = black bold
            status-bar = black on color252
            status-key = blue on color252 bold
            disabled = color244 on color252
            input = black underline
            error = red bold
            warning = color130
            success = color28
            production = red bold
            changed = color130 bold
            gauge-filled = blue
            gauge-empty = color253
            run-queued = color130
            run-running = blue
            run-success = color28
            run-failed = red bold
            run-cancelled = magenta
            task-pending = color244
            task-running = blue
            task-retrying = color130
            task-success = color28
            task-failed = red bold
            task-skipped = color244
            task-cancelled = magenta
            task-orphaned = red
            """#,
        "high-contrast": #"""
            # Weft theme "high-contrast": bright colours on black, bold where it matters.
            # role = COLOUR [on COLOUR] [bold] [dim] [italic] [underline] [reverse]
            text = bright-white
            muted = white
            border = white
            focus = bright-yellow bold
            selection = black on bright-yellow bold
            header = black on bright-white bold
            title = bright-white bold underline
            status-bar = bright-white on black
            status-key = bright-yellow on black bold
            disabled = white on black
            input = bright-white underline
            error = bright-white on red bold
            warning = bright-yellow bold
            success = bright-green bold
            production = bright-white on red bold
            changed = black on bright-yellow bold
            gauge-filled = bright-green
            gauge-empty = white
            run-queued = bright-yellow bold
            run-running = bright-cyan bold
            run-success = bright-green bold
            run-failed = bright-white on red bold
            run-cancelled = bright-magenta bold
            task-pending = white
            task-running = bright-cyan bold
            task-retrying = bright-yellow bold
            task-success = bright-green bold
            task-failed = bright-white on red bold
            task-skipped = white
            task-cancelled = bright-magenta bold
            task-orphaned = bright-red bold
            """#,
        "monochrome": #"""
            # Weft theme "monochrome": attributes only (NO_COLOR, and the test snapshots).
            # role = COLOUR [on COLOUR] [bold] [dim] [italic] [underline] [reverse]
            text = default
            muted = default dim
            border = default
            focus = default bold
            selection = default reverse
            header = default reverse bold
            title = default bold
            status-bar = default reverse
            status-key = default reverse bold
            disabled = default reverse dim
            input = default underline
            error = default bold
            warning = default bold
            success = default
            production = default bold underline
            changed = default bold
            gauge-filled = default reverse
            gauge-empty = default dim
            run-queued = default
            run-running = default bold
            run-success = default
            run-failed = default bold
            run-cancelled = default dim
            task-pending = default dim
            task-running = default bold
            task-retrying = default bold
            task-success = default
            task-failed = default bold
            task-skipped = default dim
            task-cancelled = default dim
            task-orphaned = default bold
            """#,
    ]
    /// The names, in menu order.
    public static let names = ["default", "light", "high-contrast", "monochrome"]
}
