import Crypto
import CryptoExtras
import Foundation
import WeftDomain

/// scrypt password hashing with a random per-user salt and constant-time comparison.
///
/// Stored form: `scrypt$N$r$p$<salt base64>$<hash base64>`. N = 2^15, r = 8, p = 1 takes roughly 60–120 ms on
/// this machine kind: deliberately slow against guessing, quick enough for people.
public enum PasswordHasher {
    public static let defaultRounds = 1 << 15
    static let blockSize = 8
    static let parallelism = 1
    static let outputBytes = 32

    /// Hashes `password` with a fresh random salt.
    public static func hash(_ password: String, rounds: Int = defaultRounds) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let key = try derive(password, salt: salt, rounds: rounds, r: blockSize, p: parallelism)
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(key.base64EncodedString())"
    }

    /// Whether `password` matches `stored`, compared in constant time.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
            let actual = try? derive(password, salt: [UInt8](salt), rounds: n, r: r, p: p)
        else { return false }
        return constantTimeEqual(actual, expected)
    }

    /// Compares two byte strings without an early exit.
    public static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int, r: Int, p: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: outputBytes, rounds: rounds, blockSize: r,
            parallelism: p, maxMemory: 256 * 1024 * 1024)
        return key.withUnsafeBytes { Data($0) }
    }
}
