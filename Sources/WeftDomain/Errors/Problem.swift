/// One thing wrong with an input, with where it is when there is a file.
public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
    /// File path relative to the project (or workspace), if the problem is in a file.
    public var file: String?
    /// 1-based line, if known.
    public var line: Int?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case (let f?, let l?): return "\(f):\(l): \(message)"
        case (let f?, nil): return "\(f): \(message)"
        default: return message
        }
    }
}
