import CPosix

/// Process memory housekeeping.
public enum MallocArenas {
    /// Hands memory that was freed (but kept in malloc's arenas) back to the system.
    public static func release() {
        _ = weft_malloc_trim()
    }

    /// Caps malloc's arenas (one per thread by default): a long-lived process keeps less memory it no longer uses.
    public static func limit(_ count: Int32) {
        _ = weft_malloc_arena_max(count)
    }
}
