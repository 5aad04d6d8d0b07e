import Crypto
import Foundation
import WeftDomain

/// Encrypts fabric secrets at rest with ChaChaPoly and the workspace key (`keys/secrets.key`, mode 0600).
public struct SecretBox: Sendable {
    let key: SymmetricKey

    /// Loads the key file, creating it (32 random bytes, mode 0600) when absent.
    public init(keyDirectory: String) throws {
        let fm = FileManager.default
        let path = keyDirectory + "/secrets.key"
        if let data = fm.contents(atPath: path) {
            guard data.count == 32 else { throw WeftError.workspace("the key file \(path) is damaged (expected 32 bytes)") }
            key = SymmetricKey(data: data)
            return
        }
        try fm.createDirectory(atPath: keyDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let newKey = SymmetricKey(size: .bits256)
        let data = newKey.withUnsafeBytes { Data($0) }
        let tmp = path + ".tmp-\(getpid())"
        guard fm.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw WeftError.workspace("cannot write the key file \(path)")
        }
        if rename(tmp, path) != 0 { throw WeftError.workspace("cannot write the key file \(path)") }
        key = newKey
    }

    /// Seals `value`, binding it to `context` (fabric and secret name) so sealed values cannot be swapped.
    public func seal(_ value: String, context: String) throws -> Data {
        let box = try ChaChaPoly.seal(Data(value.utf8), using: key, authenticating: Data(context.utf8))
        return box.combined
    }

    /// Opens a sealed value.
    public func open(_ sealed: Data, context: String) throws -> String {
        let box = try ChaChaPoly.SealedBox(combined: sealed)
        let data = try ChaChaPoly.open(box, using: key, authenticating: Data(context.utf8))
        return String(decoding: data, as: UTF8.self)
    }
}
