import Crypto
import Foundation

/// What a commit's tree holds, as `git ls-tree -r -z` lists it: each file's mode and blob id. An export is checked
/// against it before a run uses it, by hashing every file on disk the way git does (`blob <size>\0<content>`,
/// SHA-1): an edited, added, removed or retyped file is found; nothing is trusted from the export itself.
struct CheckoutManifest {
    struct Entry {
        var mode: String
        var blob: String
    }

    var entries: [String: Entry]

    /// Parses `git ls-tree -r -z` output; nil when it is not that.
    init?(lsTree data: Data) {
        var entries: [String: Entry] = [:]
        for record in data.split(separator: 0) where !record.isEmpty {
            guard let tab = record.firstIndex(of: UInt8(ascii: "\t")) else { return nil }
            let head = String(decoding: record[record.startIndex..<tab], as: UTF8.self).split(separator: " ")
            let path = String(decoding: record[(tab + 1)...], as: UTF8.self)
            guard head.count == 3 else { return nil }
            // Submodules (commit entries) are not part of an archive.
            guard head[1] == "blob" else { continue }
            entries[path] = Entry(mode: String(head[0]), blob: String(head[2]))
        }
        self.entries = entries
    }

    /// The first difference between the folder and the manifest, nil when they match.
    static func verify(directory: String, against manifest: CheckoutManifest) -> String? {
        var seen = 0
        var problem: String?
        func walk(_ rel: String) {
            let abs = rel.isEmpty ? directory : directory + "/" + rel
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: abs) else {
                problem = "cannot read \(rel.isEmpty ? "." : rel)"
                return
            }
            for name in names.sorted() where problem == nil {
                let path = rel.isEmpty ? name : rel + "/" + name
                var st = stat()
                guard lstat(directory + "/" + path, &st) == 0 else {
                    problem = "cannot read \(path)"
                    return
                }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR {
                    walk(path)
                    continue
                }
                guard let entry = manifest.entries[path] else {
                    problem = "\(path) is not in the commit"
                    return
                }
                seen += 1
                let content: Data?
                switch type {
                case S_IFREG:
                    let executable = st.st_mode & 0o100 != 0
                    if entry.mode == "120000" || (entry.mode == "100755") != executable {
                        problem = "\(path) has another type or mode than in the commit"
                        return
                    }
                    content = FileManager.default.contents(atPath: directory + "/" + path)
                case S_IFLNK:
                    guard entry.mode == "120000" else {
                        problem = "\(path) is a symbolic link, not a file as in the commit"
                        return
                    }
                    content = (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + path)).map { Data($0.utf8) }
                default:
                    problem = "\(path) is not a file"
                    return
                }
                guard let content, blobID(content) == entry.blob else {
                    problem = "\(path) differs from the commit"
                    return
                }
            }
        }
        walk("")
        if problem == nil, seen != manifest.entries.count {
            let missing = manifest.entries.keys.sorted().first { path in
                var st = stat()
                return lstat(directory + "/" + path, &st) != 0
            }
            problem = "\(missing ?? "a file") is missing"
        }
        return problem
    }

    /// git's blob id of `content`.
    static func blobID(_ content: Data) -> String {
        var h = Insecure.SHA1()
        h.update(data: Data("blob \(content.count)\0".utf8))
        h.update(data: content)
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
