import Foundation
import TerminalUI
import WeftDomain

/// The release dialog (`R`): a version, then the plan per fabric (a dry run), then the confirmation.
public struct ReleaseDialogState: Sendable, Hashable {
    /// The project.
    public var project: String
    /// The version typed (prefilled with the next patch version after the last release).
    public var version: TextInput
    /// Whether the version was typed by the user (then the loaded suggestion does not replace it).
    public var versionEdited = false
    /// The latest release, when there is one.
    public var lastRelease: String?
    /// The plan of the version typed, once planned.
    public var preview: ReleasePreview?
    /// Whether a plan is being made.
    public var isPlanning = false
    /// Why the release cannot be planned (invalid job, dirty tree, version at another commit …).
    public var error: String?
    /// First plan line shown.
    public var scroll = 0

    /// Creates the dialog.
    public init(project: String, version: String = "") {
        self.project = project
        self.version = TextInput(version)
    }

    /// The version after `last`: its last number plus one (`1.0.0` → `1.0.1`), or `1.0.0` when there is none.
    public static func nextVersion(after last: String?) -> String {
        guard let last, !last.isEmpty else { return "1.0.0" }
        var parts = last.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let tail = parts.last, let n = Int(tail) else { return last + ".1" }
        parts[parts.count - 1] = String(n + 1)
        return parts.joined(separator: ".")
    }
}

/// What a release will do: the dry run's plan, as the dialog shows it.
public struct ReleasePreview: Sendable, Hashable {
    /// The version planned.
    public var version: String
    /// The commit released (HEAD, or the tag's commit for a release deployed again).
    public var commit: String
    /// Whether the tag exists already (the release is deployed again: no build, no tests).
    public var existing: Bool
    /// The plan, line by line: `→ fabric production`, `  + add customers_daily_production`, skips.
    public var lines: [String]
    /// Fabrics whose plan changes something.
    public var toApply: [String]
    /// Production fabrics among them (the confirmation asks for their names).
    public var production: [String]
    /// The plans to apply, as confirmed: the release stops if its plan differs from them by then.
    public var confirmed: [DeploymentPlan]

    /// Creates a preview.
    public init(
        version: String, commit: String, existing: Bool, lines: [String], toApply: [String], production: [String], confirmed: [DeploymentPlan]
    ) {
        self.version = version
        self.commit = commit
        self.existing = existing
        self.lines = lines
        self.toApply = toApply
        self.production = production
        self.confirmed = confirmed
    }
}

/// One line of a release's progress.
public struct ReleaseLogLine: Sendable, Hashable {
    /// The step: validate, plan, build, test, tag, deploy.
    public var step: String
    /// The fabric a deploy line is about.
    public var fabric: String?
    public var text: String

    /// Creates a line.
    public init(step: String, fabric: String?, text: String) {
        self.step = step
        self.fabric = fabric
        self.text = text
    }
}

/// The release screen: live progress of build → tests → tag → deploy per fabric, with each step's lines.
public struct ReleaseProgressState: Sendable, Hashable {
    public var project: String
    public var version: String
    /// Fabrics the release deploys to, in order.
    public var fabrics: [String]
    /// Every line so far.
    public var lines: [ReleaseLogLine] = []
    /// Whether the release has ended.
    public var isFinished = false
    /// The error that stopped it, if it failed.
    public var error: String?
    /// The final summary line.
    public var summary: String?
    /// First line shown; nil follows the end.
    public var scroll: Int?

    /// The steps in order, as the screen lists them.
    public static let steps = ["build", "test", "tag", "deploy"]

    /// Creates the screen's state.
    public init(project: String, version: String, fabrics: [String]) {
        self.project = project
        self.version = version
        self.fabrics = fabrics
    }

    /// Where a step stands: done, running, failed, or not reached.
    public enum StepState: String, Sendable, Hashable { case waiting, running, done, failed, skipped }

    /// The state of a step; for `deploy` with a fabric, of that fabric's deployment.
    public func state(of step: String, fabric: String? = nil) -> StepState {
        if step == "deploy", let fabric {
            let mine = lines.filter { $0.step == "deploy" && $0.fabric == fabric }
            if mine.contains(where: { $0.text.contains(": deployment ") && $0.text.contains(" succeeded") }) { return .done }
            if mine.contains(where: { $0.text.contains(": deployment ") && $0.text.contains(" failed") }) { return .failed }
            if !mine.isEmpty { return isFinished ? .failed : .running }
            return isFinished ? (error == nil ? .done : .skipped) : .waiting
        }
        let order = Self.steps
        guard let index = order.firstIndex(of: step) else { return .waiting }
        let has = lines.contains { $0.step == step }
        let later = lines.contains { l in order.firstIndex(of: l.step).map { $0 > index } ?? false }
        if has && later { return .done }
        if has { return isFinished ? (error == nil ? .done : .failed) : .running }
        if later { return .done }
        return isFinished ? (error == nil ? .done : .skipped) : .waiting
    }
}
