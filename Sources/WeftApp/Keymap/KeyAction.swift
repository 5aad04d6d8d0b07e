/// What a key does. The keymap binds keys to actions per context; `AppUpdate` performs them.
public enum KeyAction: String, CaseIterable, Sendable, Hashable {
    case up, down, top, bottom, pageUp, pageDown
    case previousPane, nextPane
    case open, back, quit
    case filter, command, help
    case run, duplicate, configure, configureInEditor, toggleEnabled, cancelRun, logs, diff, release, promote
    case follow, searchNext, searchPrevious
}

/// Where a binding applies.
public enum KeyContext: String, CaseIterable, Sendable, Hashable {
    /// The main screen's panes.
    case main
    /// The job detail screen.
    case job
    /// The run view.
    case run
    /// The full log of a task.
    case log
    /// The diff view.
    case diff
    /// The audit view.
    case audit
    /// A release's progress.
    case release

    /// The heading in help and docs.
    public var title: String {
        switch self {
        case .main: return "Main screen (teams, fabrics, projects, jobs, runs)"
        case .job: return "Job detail"
        case .run: return "Run view"
        case .log: return "Task log"
        case .diff: return "Diff"
        case .audit: return "Audit"
        case .release: return "Release"
        }
    }
}
