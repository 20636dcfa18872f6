import Foundation
import PipelineEngine
import PipelineModel
import Tabular

/// Reads a JSON or YAML configuration file (params, rules, transforms) into a ``JSONValue``.
enum ConfigDocument {
    /// Loads `path` (relative to `workingDirectory`); `.yaml`/`.yml` files are read as YAML, anything else as JSON.
    static func load(
        path: String, workingDirectory: String, kind: String, input: String, yaml: DataReaders.YAMLParser?
    ) throws -> JSONValue {
        let full = Datasets.resolve(path, workingDirectory: workingDirectory)
        let data: Data
        do {
            // A regular file only (a FIFO would block): config files are small, 4 GiB is the data file limit.
            data = Data(try DataLimits.default.read(full))
        } catch TabularError.fileUnreadable {
            throw TaskFailure("\(kind): cannot read the file '\(path)' given as '\(input)' (looked at \(full)); "
                + "check the path, which is relative to the task's working directory")
        } catch {
            throw TaskFailure("\(kind): input '\(input)': \(error)")
        }
        let lower = full.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            guard let yaml else {
                throw TaskFailure("\(kind): '\(path)' (input '\(input)') is YAML, and this process has no YAML reader; "
                    + "use a JSON file, or give the task kind registry `DataReaders(yaml:)`")
            }
            do {
                return try yaml(String(decoding: data, as: UTF8.self))
            } catch {
                throw TaskFailure("\(kind): '\(path)' (input '\(input)') is not valid YAML: \(error)")
            }
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw TaskFailure("\(kind): '\(path)' (input '\(input)') is not valid JSON: \(error.localizedDescription); "
                + "use a .yaml/.yml extension for YAML files")
        }
    }
}
