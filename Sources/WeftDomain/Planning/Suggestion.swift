/// "Did you mean …": the closest known word to a mistyped one.
public enum Suggestion {
    /// The known word within two edits of `word` (the closest one; nil when none is that close).
    public static func closest(to word: String, in known: some Sequence<String>) -> String? {
        var best: (word: String, distance: Int)?
        for candidate in known {
            let d = distance(word, candidate)
            guard d <= 2 else { continue }
            if let b = best, b.distance < d || (b.distance == d && b.word <= candidate) { continue }
            best = (candidate, d)
        }
        return best?.word
    }

    /// Levenshtein distance between two strings (by characters).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
