import Foundation

/// Case results as JUnit XML, the format CI systems read: one `<testsuite>` per pipeline, one `<testcase>` per case
/// (classname `pipeline.layer`), a `<failure>` holding the diff of a failed case.
public enum JUnitReport {
    /// The XML document.
    /// - Parameters:
    ///   - pipeline: The pipeline's name (the suite's name).
    ///   - results: The results, in run order.
    public static func xml(pipeline: String, results: [CaseResult]) -> String {
        let failures = results.filter { !$0.passed }.count
        let total = results.reduce(0) { $0 + $1.seconds }
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="kiln test" tests="\#(results.count)" failures="\#(failures)" errors="0" time="\#(seconds(total))">"#,
            #"  <testsuite name="\#(escape(pipeline))" tests="\#(results.count)" failures="\#(failures)" errors="0" skipped="0" time="\#(seconds(total))">"#,
        ]
        for result in results {
            let testCase = result.testCase
            let open = #"    <testcase name="\#(escape(testCase.name))" classname="\#(escape(pipeline)).\#(testCase.layer)" "#
                + #"file="\#(escape(testCase.file))" line="\#(testCase.line)" time="\#(seconds(result.seconds))""#
            if result.passed {
                lines.append(open + "/>")
                continue
            }
            lines.append(open + ">")
            let summary = result.failures.map(\.check).joined(separator: "; ")
            let body = result.lines.dropFirst().joined(separator: "\n")
            lines.append(#"      <failure message="\#(escape(summary))" type="assertion">\#(escape(body))</failure>"#)
            lines.append("    </testcase>")
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the document to `path` atomically (a temporary file renamed into place).
    /// - Throws: When the file cannot be written.
    public static func write(_ xml: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).kiln-tmp")
        try Data(xml.utf8).write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Text made safe for XML attributes and content; characters XML 1.0 forbids are dropped.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n", "\t", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
