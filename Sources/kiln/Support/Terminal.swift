import Foundation
import PipelineModel

/// Writing to the terminal: stdout for results, stderr for progress and errors.
enum Terminal {
    /// Writes `text` and a line break to stdout.
    static func out(_ text: String) { emit(text + "\n", to: STDOUT_FILENO) }

    /// Writes `text` and a line break to stderr.
    static func err(_ text: String) { emit(text + "\n", to: STDERR_FILENO) }

    /// Writes `text` as it is to file descriptor `fd`, whole: a short or interrupted write goes on where it stopped.
    /// An output that fails (a closed pipe) gets no more of it: there is nowhere left to report that.
    ///
    /// A `write(2)` of the text's own bytes: `FileHandle` wants `Data`, whose making from a string's bytes costs a
    /// runtime type check that scans every protocol conformance of this large binary, once per process.
    static func emit(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let written = systemWrite(fd, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                next += written
                left -= written
            }
        }
    }

    static func error(_ message: String) { err("kiln: error: \(message)") }

    /// Whether stderr is an interactive terminal (live progress) rather than a file or pipe (one line per change).
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 && Execution.variable("TERM") != "dumb" }

    /// Pretty, key-sorted JSON.
    static func json(_ value: JSONValue) -> String { value.prettyJSON }

    /// Left-aligned columns separated by two spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `1.2s`, `350ms`, `2m05s`.
    static func elapsed(_ from: Timestamp?, _ to: Timestamp?) -> String {
        guard let from, let to else { return "" }
        let millis = to.millisecondsSince1970 - from.millisecondsSince1970
        if millis < 1000 { return "\(millis)ms" }
        if millis < 60_000 { return String(format: "%.1fs", Double(millis) / 1000) }
        return "\(millis / 60_000)m\(String(format: "%02d", (millis / 1000) % 60))s"
    }
}

#if canImport(Glibc)
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    private let systemWrite = Darwin.write
#endif
