import Foundation
import ModelRegistry
import PipelineModel

/// The export paths older versions kept in `<home>/deployments.json` (`{"model/alias": "/abs/path"}`), imported into
/// the registry once so rollbacks of aliases deployed before the upgrade still restore their files.
enum LegacyDeployments {
    /// Imports the file at `path` (when it exists) into `store` — records the store already has win — and renames it
    /// to `deployments.json.imported`.
    ///
    /// - Returns: What was done, for the log; empty when there is no file.
    static func importLedger(at path: String, into store: any RegistryStore, at time: Timestamp) async throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let entries: [String: String]
        do {
            entries = try JSONDecoder().decode([String: String].self, from: data)
        } catch {
            throw DeploymentError(
                "the deployment ledger \(path) is not valid JSON (\(error)); fix it (a map of \"model/alias\" to the "
                    + "exported file) or delete it (rollbacks of aliases deployed before then will not restore files)")
        }
        var records: [DeploymentRecord] = []
        var report: [String] = []
        for (key, exportPath) in entries.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, exportPath.hasPrefix("/") else {
                report.append("skipped the entry \"\(key)\": \"\(exportPath)\" of \(path): expected \"model/alias\": \"/absolute/path\"")
                continue
            }
            records.append(DeploymentRecord(
                model: parts[0], alias: parts[1], exportPath: exportPath, version: nil, at: time,
                actor: "import of deployments.json"))
        }
        // An older version's crash could leave `<export>.kiln-previous-<pid>`: the file before an unfinished
        // deployment. Which one matches the alias cannot be told any more, so it is reported, not deleted.
        for record in records {
            let url = URL(fileURLWithPath: record.exportPath)
            let folder = url.deletingLastPathComponent().path
            let prefix = url.lastPathComponent + ".kiln-previous-"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder))?.sorted() ?? [] where name.hasPrefix(prefix) {
                report.append(
                    "\(folder)/\(name) was left by an interrupted deployment of an older version: it holds the file "
                        + "\(record.exportPath) had before; compare it with `kiln models show \(record.model)` and delete it")
            }
        }
        let added = try await store.importDeployments(records)
        let imported = path + ".imported"
        // Another process importing at the same time may have renamed it already; the import is idempotent.
        guard rename(path, imported) == 0 || errno == ENOENT else {
            throw DeploymentError("imported \(path) but cannot rename it to \(imported): \(String(cString: strerror(errno)))")
        }
        report.append("imported \(added) export path\(added == 1 ? "" : "s") from \(path) into the registry (renamed it to \(imported))")
        return report
    }
}
