import Foundation

/// Where the benchmark's lines go: standard output normally; with `--json` the lines go to standard error and
/// `finish` writes one JSON object (sorted keys) to standard output.
struct BenchOutput: Sendable {
    var json: Bool

    func line(_ text: String) {
        if json {
            FileHandle.standardError.write((text + "\n").data(using: .utf8)!)
        } else {
            print(text)
        }
    }

    func finish(_ result: [String: Any]) {
        guard json else { return }
        let clean = Self.sanitized(result)
        guard let data = try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys]) else {
            FileHandle.standardError.write("kiln-ml-bench: result is not JSON-encodable\n".data(using: .utf8)!)
            exit(1)
        }
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write("\n".data(using: .utf8)!)
    }

    /// Non-finite numbers become null (JSON has no NaN).
    static func sanitized(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let dict as [String: Any]: return dict.mapValues { sanitized($0) }
        case let array as [Any]: return array.map { sanitized($0) }
        default: return value
        }
    }
}

enum BenchPaths {
    /// `$KILN_SHARED/data`, else `<repository>/../shared/data`, else `../shared/data` relative to the working directory.
    static func defaultDataDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let shared = environment["KILN_SHARED"], !shared.isEmpty { return "\(shared)/data" }
        if let root = repositoryRoot() {
            return root.deletingLastPathComponent().appendingPathComponent("shared/data").standardizedFileURL.path
        }
        return "../shared/data"
    }

    /// The nearest folder holding `Package.swift`, above the executable (`.build/<config>/kiln-ml-bench`) or
    /// above the working directory.
    static func repositoryRoot() -> URL? {
        let fm = FileManager.default
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath)
        for start in [executable.deletingLastPathComponent(), cwd] {
            var dir = start.standardizedFileURL
            while true {
                if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }
}

extension Duration {
    /// Seconds as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
