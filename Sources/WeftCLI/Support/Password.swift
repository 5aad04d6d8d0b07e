import Foundation
import WeftDomain

/// Reads passwords and secret values: from standard input (`--password-stdin`) or a prompt without echo. Never arguments.
enum Password {
    static func read(stdin: Bool, prompt: String) throws -> String {
        if stdin {
            guard let line = readLine(strippingNewline: true) else { throw WeftError.invalid("no password on standard input") }
            return line
        }
        guard isatty(0) == 1 else {
            throw WeftError.invalid("no terminal to ask for the password; pipe it in with --password-stdin")
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        var old = termios()
        tcgetattr(0, &old)
        var noEcho = old
        noEcho.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSAFLUSH, &noEcho)
        defer {
            tcsetattr(0, TCSAFLUSH, &old)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }

    /// Reads all of standard input (for secret values), without the final newline.
    static func readAllStdin() -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var s = String(decoding: data, as: UTF8.self)
        while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
        return s
    }
}
