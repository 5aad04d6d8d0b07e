/// The TUI.
public enum WeftAppInfo {}
