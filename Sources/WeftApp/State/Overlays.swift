import TerminalUI
import WeftDomain

/// A dialog drawn over the current screen; it takes every key until closed.
public enum Overlay: Sendable, Hashable {
    /// The help overlay (`?`), built from the keymap.
    case help(scroll: Int)
    /// The duplicate dialog (`D`).
    case duplicate(DuplicateState)
    /// The configuration form (`e`).
    case configForm(ConfigFormState)
    /// A confirmation; `typed` asks for the fabric's name to be typed (production).
    case confirm(ConfirmState)
    /// A list of problems or a long message (Enter/Esc closes it).
    case problems(title: String, lines: [String])
    /// The release dialog (`R`): version, plan per fabric.
    case release(ReleaseDialogState)
}

/// The duplicate dialog.
public struct DuplicateState: Sendable, Hashable {
    /// The source job, `PROJECT/JOB`.
    public var source: String
    /// Fabrics the user may duplicate onto.
    public var targets: [String]
    /// Fabrics the user may not use, with the reason from the policy.
    public var forbidden: [(String, String)] { zip(forbiddenNames, forbiddenReasons).map { ($0, $1) } }
    /// Names of forbidden fabrics.
    public var forbiddenNames: [String]
    /// Reasons, one per forbidden fabric.
    public var forbiddenReasons: [String]
    /// The selected target (index into `targets`).
    public var selected: Int = 0
    /// The new job's name (prefilled as the domain proposes).
    public var name: TextInput
    /// Whether the name was typed by the user (then changing the fabric keeps it).
    public var nameEdited = false
    /// The focused field: 0 fabric, 1 name.
    public var field: Int = 0
    /// The preview of what will be created, once planned.
    public var preview: DuplicatePreview?
    /// The planning error, if any.
    public var error: String?

    /// Creates the dialog's state.
    public init(source: String, targets: [String], forbiddenNames: [String], forbiddenReasons: [String], name: String) {
        self.source = source
        self.targets = targets
        self.forbiddenNames = forbiddenNames
        self.forbiddenReasons = forbiddenReasons
        self.name = TextInput(name)
    }

    /// The selected target fabric.
    public var target: String? { targets.indices.contains(selected) ? targets[selected] : nil }
}

/// What a duplication will create (from the domain's plan).
public struct DuplicatePreview: Sendable, Hashable {
    /// The target fabric.
    public var fabric: String
    /// Whether it is a production fabric.
    public var isProduction: Bool
    /// The new job's name.
    public var name: String
    /// Task keys with their instance mapping, e.g. `ingest: development → production`.
    public var mapped: [String]
    /// Tasks that keep their source instance.
    public var unmapped: [String]
    /// Task keys in order.
    public var tasks: [String]

    /// Creates a preview.
    public init(fabric: String, isProduction: Bool, name: String, mapped: [String], unmapped: [String], tasks: [String]) {
        self.fabric = fabric
        self.isProduction = isProduction
        self.name = name
        self.mapped = mapped
        self.unmapped = unmapped
        self.tasks = tasks
    }
}

/// What a confirmation does when confirmed.
public enum ConfirmAction: Sendable, Hashable {
    case duplicate(source: String, fabric: String, name: String)
    case saveConfig(ConfigSave)
    case setEnabled(ref: String, enabled: Bool, blob: String)
    case cancelRun(runID: String)
    /// Start a run; `production`: the production fabric whose name was typed.
    case startRun(ref: String, production: String?)
    /// Release a project's version, applying only the plans confirmed.
    case release(project: String, version: String, confirmed: [DeploymentPlan], fabrics: [String])
    /// Promote the source's changes into a job; `lines` is the plan confirmed (the promotion stops if it changed).
    case promote(ref: String, lines: [String])
}

/// A confirmation dialog.
public struct ConfirmState: Sendable, Hashable {
    /// The dialog's title.
    public var title: String
    /// What will happen.
    public var body: [String]
    /// The text to type to confirm (the production fabric's name), or nil for a y/n confirmation.
    public var typed: String?
    /// What has been typed.
    public var input = TextInput()
    /// The action to perform.
    public var action: ConfirmAction
    /// Whether the dialog concerns production (drawn in the production role).
    public var isProduction: Bool

    /// Creates a confirmation.
    public init(title: String, body: [String], typed: String?, action: ConfirmAction, isProduction: Bool) {
        self.title = title
        self.body = body
        self.typed = typed
        self.action = action
        self.isProduction = isProduction
    }
}

/// A configuration change to write: the domain's `configureTask` arguments.
public struct ConfigSave: Sendable, Hashable {
    /// `PROJECT/JOB`.
    public var ref: String
    /// The task key.
    public var task: String
    /// The configuration instance (nil: unchanged).
    public var instance: String?
    /// `key=value` overrides to set.
    public var assignments: [String]
    /// Overrides to remove.
    public var unset: [String]
    /// The job file's blob as read (optimistic concurrency).
    public var blob: String

    /// Creates a change.
    public init(ref: String, task: String, instance: String?, assignments: [String], unset: [String], blob: String) {
        self.ref = ref
        self.task = task
        self.instance = instance
        self.assignments = assignments
        self.unset = unset
        self.blob = blob
    }
}
