import Foundation
import Logging

/// A swift-log handler appending to a file (`$XDG_STATE_HOME/weft/weft.log`); diagnostics never reach the screen.
public struct FileLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        let lock = NSLock()
        let handle: FileHandle?
        init(path: String) {
            let dir = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            handle = FileHandle(forWritingAtPath: path)
            _ = try? handle?.seekToEnd()
        }
        func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            try? handle?.write(contentsOf: Data(line.utf8))
        }
    }

    private let sink: Sink
    private let label: String
    /// The minimum level written.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every message.
    public var metadata: Logger.Metadata = [:]

    /// Subscript for metadata.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    init(label: String, sink: Sink) {
        self.label = label
        self.sink = sink
    }

    /// UTC `YYYY-MM-DDTHH:MM:SSZ` without ISO8601DateFormatter (which costs megabytes of ICU pages to a TUI).
    static func timestamp(_ date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        func p2(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(p2(parts.tm_mon + 1))-\(p2(parts.tm_mday))T\(p2(parts.tm_hour)):\(p2(parts.tm_min)):\(p2(parts.tm_sec))Z"
    }

    /// Writes one line: time, level, label, message, metadata.
    public func log(event: LogEvent) {
        let iso = Self.timestamp()
        var meta = metadata
        if let m = event.metadata { meta.merge(m) { _, new in new } }
        let metaText = meta.isEmpty ? "" : " " + meta.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(iso) \(event.level) \(label): \(event.message)\(metaText)\n")
    }

    /// Sends every logger of the process to `path` (call once, at start).
    public static func bootstrap(path: String, level: Logger.Level = .info) {
        let sink = Sink(path: path)
        LoggingSystem.bootstrap { label in
            var h = FileLogHandler(label: label, sink: sink)
            h.logLevel = level
            return h
        }
    }

    /// `$XDG_STATE_HOME/weft/weft.log`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        AppPaths.stateDirectory(environment: environment) + "/weft.log"
    }
}
