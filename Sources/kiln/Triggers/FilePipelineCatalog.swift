import DeploymentTasks
import Foundation
import PipelineModel
import PipelineScheduler
import Synchronization

/// The pipelines `kiln serve` watches: re-reads a file when its modification time changes (and looks for new
/// files in watched folders), keeps the last good version of a file that became invalid, and prints the
/// problems once per change, as `kiln validate` does.
final class FilePipelineCatalog: PipelineCatalog {
    private struct Entry {
        var modified: Date?
        var good: WatchedPipeline?
    }

    private let arguments: [String]
    private let entries = Mutex<[String: Entry]>([:])

    init(arguments: [String]) {
        self.arguments = arguments
    }

    func pipelines() async -> [WatchedPipeline] {
        let paths = PipelineFiles.expand(arguments)
        return entries.withLock { entries in
            for path in paths {
                let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
                var entry = entries[path] ?? Entry()
                guard entry.modified != modified || entries[path] == nil else { continue }
                entry.modified = modified
                switch PipelineFiles.load(path) {
                case .success(let watched):
                    let others = entries.filter { $0.key != path }.compactMap(\.value.good).map(\.pipeline)
                    if let cycle = UpstreamGraph.cycle(in: others + [watched.pipeline], producedModel: DeploymentModels.produced) {
                        Terminal.err("\(path): \(UpstreamGraph.describe(cycle))"
                            + (entry.good == nil ? "; not watched" : "; keeping the last good version"))
                    } else {
                        if entry.good != nil { Terminal.err("\(path): reloaded") }
                        entry.good = watched
                    }
                case .failure(let failure):
                    Terminal.err(failure.message)
                    Terminal.err("\(path): " + (entry.good == nil ? "not watched until it is fixed" : "keeping the last good version"))
                }
                entries[path] = entry
            }
            return paths.compactMap { entries[$0]?.good }
        }
    }
}
