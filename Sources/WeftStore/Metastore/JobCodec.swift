import Foundation
import WeftDomain

/// A compact binary encoding of `Job` for the metastore's job index.
///
/// Listing 10,000 jobs must not spend its time in `JSONDecoder` (about 50 µs a job here); this codec reads a job in
/// about a microsecond. The first byte is the format version; a row in another format is re-indexed.
enum JobCodec {
    static let version: UInt8 = 1

    static func encode(_ job: Job) -> Data {
        var w = Writer()
        w.byte(version)
        w.string(job.name)
        w.string(job.description)
        w.string(job.fabric)
        if let s = job.schedule {
            w.byte(1)
            w.string(s.cron)
            w.string(s.timezone)
            w.bool(s.catchup)
        } else {
            w.byte(0)
        }
        w.bool(job.enabled)
        w.int(job.maxConcurrentRuns)
        if let b = job.basedOn {
            w.byte(1)
            w.string(b.job)
            w.string(b.commit)
        } else {
            w.byte(0)
        }
        w.strings(job.notifications.onFailure)
        w.strings(job.notifications.onSuccess)
        w.int(job.tasks.count)
        for t in job.tasks {
            w.string(t.key)
            switch t.action {
            case .pipeline(let name, let config, let overrides):
                w.byte(0)
                w.string(name)
                w.optionalString(config)
                w.int(overrides.count)
                for k in overrides.keys.sorted() {
                    w.string(k)
                    if let v = overrides[k] { w.value(v) }
                }
            case .script(let s):
                w.byte(1)
                w.string(s)
            }
            w.strings(t.dependsOn)
            w.byte(t.runIf == .allSuccess ? 0 : 1)
            w.int(t.retries)
            if let to = t.timeout {
                w.byte(1)
                w.double(to)
            } else {
                w.byte(0)
            }
        }
        return Data(w.bytes)
    }

    /// Decodes a job, nil when the bytes are not in this format.
    static func decode(_ data: Data) -> Job? {
        data.withUnsafeBytes { raw -> Job? in
            var r = Reader(raw)
            guard r.byte() == version else { return nil }
            guard let name = r.string(), let description = r.string(), let fabric = r.string() else { return nil }
            var job = Job(name: name, fabric: fabric, description: description)
            if r.byte() == 1 {
                guard let cron = r.string(), let tz = r.string(), let catchup = r.bool() else { return nil }
                job.schedule = JobSchedule(cron: cron, timezone: tz, catchup: catchup)
            }
            guard let enabled = r.bool(), let mcr = r.int() else { return nil }
            job.enabled = enabled
            job.maxConcurrentRuns = mcr
            if r.byte() == 1 {
                guard let j = r.string(), let c = r.string() else { return nil }
                job.basedOn = BasedOn(job: j, commit: c)
            }
            guard let onFailure = r.strings(), let onSuccess = r.strings(), let count = r.int() else { return nil }
            job.notifications = Notifications(onFailure: onFailure, onSuccess: onSuccess)
            job.tasks.reserveCapacity(count)
            for _ in 0..<count {
                guard let key = r.string(), let tag = r.byte() else { return nil }
                let action: TaskAction
                if tag == 0 {
                    guard let pname = r.string(), let config = r.optionalString(), let n = r.int() else { return nil }
                    var overrides: [String: ConfigValue] = [:]
                    for _ in 0..<n {
                        guard let k = r.string(), let v = r.value() else { return nil }
                        overrides[k] = v
                    }
                    action = .pipeline(name: pname, config: config, overrides: overrides)
                } else {
                    guard let s = r.string() else { return nil }
                    action = .script(s)
                }
                guard let deps = r.strings(), let runIf = r.byte(), let retries = r.int(), let hasTimeout = r.byte() else { return nil }
                var timeout: Double?
                if hasTimeout == 1 {
                    guard let d = r.double() else { return nil }
                    timeout = d
                }
                job.tasks.append(
                    JobTask(key: key, action: action, dependsOn: deps, runIf: runIf == 0 ? .allSuccess : .allDone, retries: retries, timeout: timeout))
            }
            return job
        }
    }

    struct Writer {
        var bytes: [UInt8] = []

        mutating func byte(_ b: UInt8) { bytes.append(b) }
        mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }

        mutating func int(_ v: Int) {
            // Zig-zag varint.
            var u = UInt64(bitPattern: Int64((v << 1) ^ (v >> 63)))
            while u >= 0x80 {
                bytes.append(UInt8(u & 0x7F) | 0x80)
                u >>= 7
            }
            bytes.append(UInt8(u))
        }

        mutating func double(_ d: Double) {
            var bits = d.bitPattern
            for _ in 0..<8 {
                bytes.append(UInt8(bits & 0xFF))
                bits >>= 8
            }
        }

        mutating func string(_ s: String) {
            let utf8 = Array(s.utf8)
            int(utf8.count)
            bytes.append(contentsOf: utf8)
        }

        mutating func optionalString(_ s: String?) {
            if let s {
                byte(1)
                string(s)
            } else {
                byte(0)
            }
        }

        mutating func strings(_ list: [String]) {
            int(list.count)
            for s in list { string(s) }
        }

        mutating func value(_ v: ConfigValue) {
            switch v {
            case .string(let s): byte(0); string(s)
            case .int(let i): byte(1); int(i)
            case .double(let d): byte(2); double(d)
            case .bool(let b): byte(3); bool(b)
            case .date(let s): byte(4); string(s)
            case .secret(let s): byte(5); string(s)
            case .array(let items):
                byte(6)
                int(items.count)
                for i in items { value(i) }
            }
        }
    }

    struct Reader {
        let raw: UnsafeRawBufferPointer
        var i = 0

        init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

        mutating func byte() -> UInt8? {
            guard i < raw.count else { return nil }
            defer { i += 1 }
            return raw[i]
        }

        mutating func bool() -> Bool? { byte().map { $0 != 0 } }

        mutating func int() -> Int? {
            var u: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard let b = byte(), shift < 64 else { return nil }
                u |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            let v = Int64(bitPattern: u)
            return Int((v >> 1) ^ -(v & 1))
        }

        mutating func double() -> Double? {
            guard i + 8 <= raw.count else { return nil }
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(raw[i + k]) << (8 * UInt64(k)) }
            i += 8
            return Double(bitPattern: bits)
        }

        mutating func string() -> String? {
            guard let n = int(), n >= 0, i + n <= raw.count else { return nil }
            defer { i += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)]), as: UTF8.self)
        }

        mutating func optionalString() -> String?? {
            guard let tag = byte() else { return nil }
            if tag == 0 { return .some(nil) }
            guard let s = string() else { return nil }
            return .some(s)
        }

        mutating func strings() -> [String]? {
            guard let n = int(), n >= 0 else { return nil }
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                guard let s = string() else { return nil }
                out.append(s)
            }
            return out
        }

        mutating func value() -> ConfigValue? {
            switch byte() {
            case 0: return string().map { .string($0) }
            case 1: return int().map { .int($0) }
            case 2: return double().map { .double($0) }
            case 3: return bool().map { .bool($0) }
            case 4: return string().map { .date($0) }
            case 5: return string().map { .secret($0) }
            case 6:
                guard let n = int(), n >= 0 else { return nil }
                var items: [ConfigValue] = []
                for _ in 0..<n {
                    guard let v = value() else { return nil }
                    items.append(v)
                }
                return .array(items)
            default: return nil
            }
        }
    }
}
