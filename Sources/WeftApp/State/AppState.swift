import Foundation
import TerminalUI
import WeftDomain

/// The login form.
public struct LoginState: Sendable, Hashable {
    /// The user name.
    public var user = TextInput()
    /// The password (drawn masked).
    public var password = TextInput()
    /// 0 user, 1 password.
    public var field = 0
    /// The last error (wrong password, throttling …) as the domain words it.
    public var error: String?
    /// True while the login effect runs.
    public var isBusy = false

    /// Creates an empty form.
    public init() {}
}

/// A demo login shown on the login screen of `weft demo`.
public struct DemoLogin: Sendable, Hashable {
    /// User name.
    public var user: String
    /// The fixed demo password.
    public var password: String
    /// What the user is for.
    public var role: String

    /// Creates a demo login.
    public init(user: String, password: String, role: String) {
        self.user = user
        self.password = password
        self.role = role
    }
}

/// What the bottom line is doing: showing keys, taking a filter, or taking a command.
public enum InputMode: Sendable, Hashable {
    case normal
    /// `/`: the focused list's filter is being typed.
    case filter
    /// `:`: a command is being typed.
    case command(TextInput)
}

/// A one-line message on the status line.
public struct StatusMessage: Sendable, Hashable {
    /// The text.
    public var text: String
    /// Whether it reports an error.
    public var isError: Bool

    /// Creates a message.
    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}

/// The whole state of the TUI. `AppUpdate.update` is the only thing that changes it.
public struct AppState: Sendable, Hashable {
    /// The workspace directory (shown in the header).
    public var workspace: String
    /// The screen size.
    public var size: Size
    /// The theme in use.
    public var theme: Theme
    /// Demo credentials shown on the login screen (empty unless opened by `weft demo`).
    public var demoLogins: [DemoLogin]
    /// The login form.
    public var login = LoginState()
    /// The logged-in user; nil on the login screen.
    public var principal: Principal?
    /// The main screen's data.
    public var data = MainData()
    /// Whether `data` has been loaded at least once.
    public var isLoaded = false
    /// The focused pane.
    public var pane: Pane = .jobs
    /// Whether the top-left pane shows projects instead of teams.
    public var showsProjects = false
    /// Selection and filter of every pane.
    public var lists: [Pane: ListState] = [:]
    /// Jobs shown only on this fabric (Enter on a fabric), nil for all.
    public var fabricScope: String?
    /// Runs of the selected job, newest first (loaded when the selection changes).
    public var runs: [RunRecord] = []
    /// The job `runs` belong to.
    public var runsFor: String?
    /// Why the selected job's runs are hidden (permission), if they are.
    public var runsHidden: String?
    /// Screens above the main screen (Esc pops).
    public var routes: [Route] = []
    /// A dialog over everything, if any.
    public var overlay: Overlay?
    /// The bottom line's mode.
    public var input: InputMode = .normal
    /// The status line's message.
    public var status: StatusMessage?
    /// Runs being watched or shown, by id.
    public var runViews: [String: RunViewState] = [:]
    /// The current time (advanced by ticks and events; rendering reads it, never the clock).
    public var now: Date
    /// Set when the app should exit.
    public var shouldQuit = false
    /// The time zone times are shown in.
    public var timeZone: TimeZone = .current
    /// A job to select and open once the next `.mainLoaded` arrives (after a duplicate).
    public var openAfterLoad: String?
    /// Whether the next configuration form goes straight to `$EDITOR` (`E`).
    public var opensEditorNext = false
    /// Whether the once-a-second tick is running.
    public var isTicking = false

    /// The smallest usable terminal.
    public static let minimumSize = Size(width: 80, height: 24)

    /// Creates the initial state (the login screen).
    public init(workspace: String, size: Size, theme: Theme, demoLogins: [DemoLogin] = [], now: Date = Date()) {
        self.workspace = workspace
        self.size = size
        self.theme = theme
        self.demoLogins = demoLogins
        self.now = now
        for p in Pane.allCases { lists[p] = ListState() }
    }

    /// The list state of a pane.
    public func list(_ pane: Pane) -> ListState { lists[pane] ?? ListState() }

    /// The selected job row of the jobs pane.
    public var selectedJob: JobRow? {
        guard let i = list(.jobs).selectedIndex, data.jobs.indices.contains(i) else { return nil }
        return data.jobs[i]
    }

    /// The selected fabric row.
    public var selectedFabric: FabricRow? {
        guard let i = list(.fabrics).selectedIndex, data.fabrics.indices.contains(i) else { return nil }
        return data.fabrics[i]
    }

    /// The selected team.
    public var selectedTeam: Team? {
        guard let i = list(.teams).selectedIndex, data.teams.indices.contains(i) else { return nil }
        return data.teams[i]
    }

    /// The selected project.
    public var selectedProject: Project? {
        guard let i = list(.projects).selectedIndex, data.projects.indices.contains(i) else { return nil }
        return data.projects[i]
    }

    /// The selected run of the runs pane.
    public var selectedRun: RunRecord? {
        guard let i = list(.runs).selectedIndex, runs.indices.contains(i) else { return nil }
        return runs[i]
    }

    /// The job row with this `PROJECT/JOB`.
    public func job(_ ref: String) -> JobRow? { data.jobs.first { $0.ref == ref } }

    /// The key context of the screen on top.
    public var context: KeyContext {
        switch routes.last {
        case nil: return .main
        case .jobDetail?: return .job
        case .run?: return .run
        case .log?: return .log
        case .diff?: return .diff
        case .audit?: return .audit
        case .release?: return .release
        }
    }

    /// Whether any run on screen is still live (the clock must tick).
    public var hasLiveRun: Bool { runViews.values.contains { $0.isLive } }

    /// The screen on top.
    public var topRoute: Route? { routes.last }

    /// Whether the terminal is below the minimum size.
    public var isTooSmall: Bool { size.width < Self.minimumSize.width || size.height < Self.minimumSize.height }

    /// The search texts of a pane's rows.
    public func searchTexts(_ pane: Pane) -> [String] {
        switch pane {
        case .teams: return data.teams.map { "\($0.name) \($0.members.joined(separator: " ")) \($0.includes.joined(separator: " "))".lowercased() }
        case .fabrics:
            return data.fabrics.map { "\($0.fabric.name) \($0.fabric.stage.rawValue) \($0.fabric.kind.rawValue) \($0.fabric.ownerTeam)".lowercased() }
        case .projects: return data.projects.map { "\($0.name) \($0.ownerTeam) \($0.description)".lowercased() }
        case .jobs: return data.jobs.map(\.searchText)
        case .runs: return runs.map { "\($0.id) \($0.state.rawValue) \($0.user) \($0.trigger.rawValue)".lowercased() }
        }
    }
}
