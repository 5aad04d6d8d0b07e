/// The lists of the main screen, in Tab order.
public enum Pane: String, CaseIterable, Sendable, Hashable {
    case teams, fabrics, projects, jobs, runs

    /// The title drawn on the pane.
    public var title: String {
        switch self {
        case .teams: return "Teams"
        case .fabrics: return "Fabrics"
        case .projects: return "Projects"
        case .jobs: return "Jobs"
        case .runs: return "Runs"
        }
    }
}

/// Selection, scroll offset and filter of one list, with the indices the filter lets through.
public struct ListState: Sendable, Hashable {
    /// Index into `visible` of the selected row.
    public var selected: Int = 0
    /// First visible row (kept by rendering).
    public var offset: Int = 0
    /// The filter text (`/`); rows match when they contain every word, case-insensitively.
    public var filter: String = ""
    /// Indices of the underlying rows that pass the filter, in order.
    public var visible: [Int] = []

    /// Creates an empty list state.
    public init() {}

    /// The selected underlying index.
    public var selectedIndex: Int? { visible.indices.contains(selected) ? visible[selected] : nil }

    /// Moves the selection by `delta`, clamped.
    public mutating func move(by delta: Int) {
        guard !visible.isEmpty else { selected = 0; return }
        selected = min(max(0, selected + delta), visible.count - 1)
    }

    /// Recomputes `visible` from the rows' search texts, keeping the selected row when it still passes.
    /// Rows whose index fails `include` are hidden whatever the filter. With `narrowing`, only rows visible
    /// now are searched (the filter grew by typing).
    public mutating func refilter(_ texts: [String], narrowing: Bool = false, include: ((Int) -> Bool)? = nil) {
        let previous = selectedIndex
        let words = filter.lowercased().split(separator: " ").map(String.init)
        let candidates: [Int] = narrowing ? visible.filter { texts.indices.contains($0) } : Array(texts.indices)
        visible = candidates.filter { i in (include?(i) ?? true) && words.allSatisfy { texts[i].contains($0) } }
        if let previous, let at = visible.firstIndex(of: previous) {
            selected = at
        } else {
            selected = min(selected, max(0, visible.count - 1))
        }
    }
}
