import Foundation
import Testing

@testable import WeftEngine

/// Masking of secret values in task output: every line of a multi-line value, its escaped and encoded forms,
/// values split across writes; nothing else changes.
@Suite struct SecretMaskingTests {
    func masked(_ secrets: [String], _ chunks: [String]) -> [String] {
        var p = LogLineProcessor(secrets: secrets)
        var out: [String] = []
        for c in chunks {
            let bytes = Array(c.utf8)
            out += bytes.withUnsafeBytes { p.feed($0) }
        }
        if let last = p.finish() { out.append(last) }
        return out
    }

    @Test func everyLineOfAMultiLineSecretIsMasked() {
        let s = "multi-part\nline-secret-77"
        #expect(masked([s], ["token: multi-part\n", "line-secret-77 done\n"]) == ["token: ****", "**** done"])
        // Short lines of a multi-line value only as whole lines: "ab" elsewhere stays.
        let key = "ab\nlonger-second-line"
        #expect(masked([key], ["ab\n", "tab\n", "longer-second-line\n"]) == ["****", "tab", "****"])
    }

    @Test func escapedAndEncodedFormsAreMasked() {
        let s = #"sp ec/ial'q"$&=+%-x"#
        let lines = [
            #"json "sp ec/ial'q\"$&=+%-x""#,                     // json.dumps
            #"swift "sp ec\/ial'q\"$&=+%-x""#,                   // JSONEncoder
            #"shlex 'sp ec/ial'"'"'q"$&=+%-x'"#,                 // shlex.quote
            #"sq 'sp ec/ial'\''q"$&=+%-x'"#,
            #"printf sp\ ec/ial\'q\"\$\&=+%-x"#,                // printf %q
            "url sp%20ec%2Fial%27q%22%24%26%3D%2B%25-x",         // urllib.parse.quote(safe="")
            "urlplus sp+ec%2Fial%27q%22%24%26%3D%2B%25-x",       // quote_plus
            "b64 " + Data(s.utf8).base64EncodedString(),
            "b64nl " + Data((s + "\n").utf8).base64EncodedString(),
        ]
        let out = masked([s], lines.map { $0 + "\n" })
        for (line, m) in zip(lines, out) {
            #expect(m.contains("****"), "not masked: \(line) → \(m)")
            #expect(!m.contains("ial"), "left a part: \(line) → \(m)")
        }
        let multi = "multi-part\nline-secret-77"
        #expect(masked([multi], [#"{"v": "multi-part\nline-secret-77"}"# + "\n"]) == [#"{"v": "****"}"#])
        #expect(masked([multi], ["$'multi-part\\nline-secret-77'\n"]) == ["$'****'"])
    }

    @Test func aSecretSplitAcrossWritesIsMasked() {
        #expect(masked(["abcdefgh-secret"], ["x abcd", "efgh-se", "cret y\nnext abcdefgh-", "secret"]) == ["x **** y", "next ****"])
    }

    @Test func aSecretAcrossTheCutOfAnOverlongLineIsMasked() {
        let secret = "straddling-secret-1234"
        let filler = String(repeating: "x", count: LogLineProcessor.maxLine - 5)
        // The first write leaves a partial line longer than the limit, ending inside the secret: it is flushed.
        let out = masked([secret], [filler + secret.prefix(10), secret.dropFirst(10) + " tail\n"])
        #expect(out.count == 2)
        #expect(!out.joined().contains("strad") && !out.joined().contains("1234"), "\(out.map { $0.suffix(40) })")
        #expect(out.joined().hasSuffix("**** tail"))
        #expect(out.joined().count == filler.count + "**** tail".count)
    }

    @Test func otherTextIsUnchanged() {
        let line = "nothing secret here: 12345678 multi line"
        #expect(masked(["multi-part\nline-secret-77", "s3cr3t-Pa55"], [line + "\n"]) == [line])
        #expect(masked([], [line]) == [line])
    }
}
