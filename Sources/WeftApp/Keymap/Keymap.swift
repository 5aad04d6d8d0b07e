import TerminalUI

/// One key binding: keys, the action, a short label for the status bar and a sentence for help.
public struct KeyBinding: Sendable, Hashable {
    /// The keys that trigger the action (the first is shown).
    public var keys: [Key]
    /// The action.
    public var action: KeyAction
    /// The status bar label.
    public var label: String
    /// The help text.
    public var help: String
    /// Where the binding applies.
    public var contexts: [KeyContext]
    /// Whether the status bar shows it.
    public var inStatusBar: Bool

    /// Creates a binding.
    public init(_ keys: [Key], _ action: KeyAction, _ label: String, _ help: String, _ contexts: [KeyContext], status: Bool = false) {
        self.keys = keys
        self.action = action
        self.label = label
        self.help = help
        self.contexts = contexts
        self.inStatusBar = status
    }

    /// The keys as shown: `j/↓`.
    public var keyText: String { keys.map(\.displayName).joined(separator: "/") }
}

/// The keymap: one table drives the status bar, the `?` help overlay and docs/keybindings.md.
public enum Keymap {
    static let all = KeyContext.allCases
    static let lists: [KeyContext] = [.main, .audit]

    /// Every binding, in help order.
    public static let bindings: [KeyBinding] = [
        KeyBinding(["k", .up], .up, "up", "Move the selection up (scroll up in logs and diffs)", all),
        KeyBinding(["j", .down], .down, "down", "Move the selection down (scroll down in logs and diffs)", all),
        KeyBinding(["g", .home], .top, "top", "Go to the first row", all),
        KeyBinding(["G", .end], .bottom, "bottom", "Go to the last row", all),
        KeyBinding([.pageUp], .pageUp, "page up", "Scroll one page up", all),
        KeyBinding([.pageDown], .pageDown, "page down", "Scroll one page down", all),
        KeyBinding([.tab, "l", .right], .nextPane, "next pane", "Focus the next pane", [.main]),
        KeyBinding([.backTab, "h", .left], .previousPane, "previous pane", "Focus the previous pane", [.main]),
        KeyBinding([.enter], .open, "open", "Open the selection (job detail, run view; on a fabric: show only its jobs)", [.main, .job, .run], status: true),
        KeyBinding(["r"], .run, "run", "Run the selected job and watch it (production: its name typed first)", [.main, .job], status: true),
        KeyBinding(["D"], .duplicate, "duplicate", "Duplicate the selected job onto a fabric", [.main, .job], status: true),
        KeyBinding(["e"], .configure, "configure", "Edit the selected task's configuration in a form", [.job], status: true),
        KeyBinding(["E"], .configureInEditor, "in $EDITOR", "Edit the selected task's configuration as YAML in $EDITOR", [.job], status: true),
        KeyBinding(["t"], .toggleEnabled, "enable/disable", "Enable or disable the selected job (enabling validates it)", [.main, .job], status: true),
        KeyBinding(["d"], .diff, "diff", "Compare the job with the job it was duplicated from", [.main, .job], status: true),
        KeyBinding(["R"], .release, "release", "Release the project: a version, its plan per fabric, then build, test, tag, deploy", [.main, .job], status: true),
        KeyBinding(["p"], .promote, "promote", "Promote the source's changes into this job (shows the plan first; keeps this fabric's settings)", [.diff], status: true),
        KeyBinding(["l"], .logs, "log", "Open the selected task's full log", [.run], status: true),
        KeyBinding(["c"], .cancelRun, "cancel", "Cancel the run (asks first)", [.run], status: true),
        KeyBinding(["f"], .follow, "follow", "Follow the end of the log as it grows", [.log], status: true),
        KeyBinding(["n"], .searchNext, "next match", "Jump to the next search match", [.log], status: true),
        KeyBinding(["N"], .searchPrevious, "previous match", "Jump to the previous search match", [.log]),
        KeyBinding(["/"], .filter, "filter", "Filter the list as you type (search in logs); Enter keeps it, Esc clears it", [.main, .audit, .log], status: true),
        KeyBinding([":"], .command, "command", "Command line: :teams :fabrics :jobs :runs :projects :audit :theme NAME :quit", all, status: true),
        KeyBinding(["?"], .help, "help", "Show this help", all, status: true),
        KeyBinding([.escape, "q"], .back, "back", "Close the dialog or screen; clear the filter", [.job, .run, .log, .diff, .audit, .release], status: true),
        KeyBinding([.escape], .back, "clear", "Clear the filter, then the fabric scope", [.main]),
        KeyBinding(["q"], .quit, "quit", "Quit Weft (from the main screen)", [.main], status: true),
    ]

    /// The action bound to `key` in `context`, if any.
    public static func action(for key: Key, in context: KeyContext) -> KeyAction? {
        bindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }?.action
    }

    /// The bindings of a context, in order.
    public static func bindings(in context: KeyContext) -> [KeyBinding] {
        bindings.filter { $0.contexts.contains(context) }
    }

    /// The command-line commands, for help and docs.
    public static let commands: [(String, String)] = [
        (":teams", "Focus the teams pane"),
        (":fabrics", "Focus the fabrics pane"),
        (":projects", "Show and focus the projects pane"),
        (":jobs", "Focus the jobs pane"),
        (":runs", "Focus the runs pane"),
        (":audit", "Open the audit timeline"),
        (":theme NAME", "Switch theme (default, light, high-contrast, monochrome, or a file in $XDG_CONFIG_HOME/weft/themes)"),
        (":quit", "Quit Weft"),
    ]

    /// Keys of dialogs and forms (not context bindings, listed in help and docs).
    public static let dialogKeys: [(String, String)] = [
        ("Tab/Shift-Tab/↑/↓", "Move between fields"),
        ("←/→", "Change a choice (fabric, instance, secret, true/false)"),
        ("Enter", "Confirm or save (a production change asks for the fabric's name first)"),
        ("Esc", "Cancel"),
    ]

    /// docs/keybindings.md, generated from the table.
    public static func markdown() -> String {
        var out = ["# Weft key bindings", "", "Generated from `Sources/WeftApp/Keymap/Keymap.swift` (a test keeps this file identical to the table).", ""]
        for context in KeyContext.allCases {
            out.append("## \(context.title)")
            out.append("")
            out.append("| key | action |")
            out.append("|---|---|")
            for b in bindings(in: context) {
                out.append("| `\(b.keyText.replacingOccurrences(of: "|", with: "\\|"))` | \(b.help) |")
            }
            out.append("")
        }
        out.append("## Dialogs and forms")
        out.append("")
        out.append("| key | action |")
        out.append("|---|---|")
        for (k, h) in dialogKeys { out.append("| `\(k)` | \(h) |") }
        out.append("")
        out.append("## Commands (`:`)")
        out.append("")
        out.append("| command | action |")
        out.append("|---|---|")
        for (c, h) in commands { out.append("| `\(c)` | \(h) |") }
        out.append("")
        out.append("Keys greyed out in the status bar are not allowed here; pressing one shows the reason (for permissions, the")
        out.append("team that would be needed). Changes to a production fabric ask you to type the fabric's name.")
        return out.joined(separator: "\n") + "\n"
    }
}
