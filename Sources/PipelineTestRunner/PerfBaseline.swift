import Foundation

/// Recorded per-task wall time and peak memory of a pipeline on full data, the reference `kiln test --perf`
/// compares with.
///
/// The file is JSON:
/// ```json
/// {"format": "kiln-perf-baseline", "format_version": 1, "pipeline": "fraud-detection",
///  "tasks": {"train": {"seconds": 1.234, "peak_rss_bytes": 81264640}}}
/// ```
public struct PerfBaseline: Sendable, Hashable, Codable {
    /// One task's figures.
    public struct Entry: Sendable, Hashable, Codable {
        /// Wall time, in seconds.
        public var seconds: Double
        /// Peak resident memory, in bytes.
        public var peakBytes: Int?

        /// Creates an entry.
        public init(seconds: Double, peakBytes: Int?) {
            self.seconds = seconds
            self.peakBytes = peakBytes
        }

        enum CodingKeys: String, CodingKey {
            case seconds
            case peakBytes = "peak_rss_bytes"
        }
    }

    /// Always `kiln-perf-baseline`.
    public var format = "kiln-perf-baseline"
    /// `1`.
    public var formatVersion = 1
    /// The pipeline's name.
    public var pipeline: String
    /// Figures by task id.
    public var tasks: [String: Entry]

    /// Creates a baseline.
    public init(pipeline: String, tasks: [String: Entry]) {
        self.pipeline = pipeline
        self.tasks = tasks
    }

    enum CodingKeys: String, CodingKey {
        case format
        case formatVersion = "format_version"
        case pipeline, tasks
    }

    /// The baseline of measured figures.
    public init(pipeline: String, measurements: [String: TaskMeasurement]) {
        self.init(pipeline: pipeline, tasks: measurements.mapValues { Entry(seconds: $0.seconds, peakBytes: $0.peakBytes) })
    }

    /// What is wrong with the JSON, in a few words: the field and the problem, never a dump.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)) lacks '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)) has the wrong type"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)) is not valid"
        @unknown default: return "not valid JSON"
        }
    }

    /// Reads a baseline file; `nil` when it does not exist.
    /// - Throws: ``PerfBaselineError`` when it exists but is not a baseline.
    public static func load(path: String) throws -> PerfBaseline? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let baseline = try JSONDecoder().decode(PerfBaseline.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard baseline.format == "kiln-perf-baseline", baseline.formatVersion == 1 else {
                throw PerfBaselineError(message: "\(path) is not a kiln perf baseline (format \(baseline.format) "
                    + "version \(baseline.formatVersion)); delete it or pass another --baseline")
            }
            return baseline
        } catch let error as PerfBaselineError {
            throw error
        } catch let error as DecodingError {
            throw PerfBaselineError(message: "\(path) is not a kiln perf baseline (\(Self.describe(error))); delete it to "
                + "record a new one, or pass another --baseline")
        } catch {
            throw PerfBaselineError(message: "cannot read \(path) (\(error.localizedDescription)); check the file, or pass "
                + "another --baseline")
        }
    }

    /// Writes the baseline to `path` atomically (a temporary file renamed into place), keys sorted.
    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).kiln-tmp")
        try encoder.encode(self).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw PerfBaselineError(message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A baseline file that cannot be used.
public struct PerfBaselineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var message: String
    /// The message.
    public var description: String { message }
}
