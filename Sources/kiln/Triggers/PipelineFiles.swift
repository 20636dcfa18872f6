import DeploymentTasks
import Foundation
import PipelineEngine
import PipelineFile
import PipelineModel
import PipelineScheduler

/// Finds pipeline files: each argument is a file, or a folder whose `*.yaml`/`*.yml` files (recursively) are
/// pipelines; no argument means the current folder.
enum PipelineFiles {
    static func expand(_ arguments: [String]) -> [String] {
        let roots = arguments.isEmpty ? ["."] : arguments
        var files: [String] = []
        for root in roots {
            let path = URL(fileURLWithPath: root).standardizedFileURL.path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                files.append(path)  // reported as missing when loaded
                continue
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let name = enumerator?.nextObject() as? String {
                let lower = name.lowercased()
                if (lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")) && !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                    files.append((path as NSString).appendingPathComponent(name))
                }
            }
        }
        return Array(Set(files)).sorted()
    }

    /// Loads one file as a watched pipeline, or the diagnostics text (as `kiln validate` prints it).
    static func load(_ path: String) -> Result<WatchedPipeline, LoadFailure> {
        do {
            let plan = try PipelineFile.loadPlan(path: path, knownKinds: KindCatalog.names)
            let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
            return .success(WatchedPipeline(plan: plan, baseDirectory: base, path: path))
        } catch {
            return .failure(LoadFailure(message: "\(error)"))
        }
    }

    /// Loads every file; files with problems and files that would close an upstream cycle are reported on
    /// stderr and left out.
    static func loadAll(_ paths: [String]) -> [WatchedPipeline] {
        var accepted: [WatchedPipeline] = []
        for path in paths {
            switch load(path) {
            case .success(let watched):
                if let cycle = UpstreamGraph.cycle(
                    in: accepted.map(\.pipeline) + [watched.pipeline], producedModel: DeploymentModels.produced) {
                    Terminal.err("\(path): \(UpstreamGraph.describe(cycle))")
                } else {
                    accepted.append(watched)
                }
            case .failure(let failure):
                Terminal.err(failure.message)
            }
        }
        return accepted
    }

    /// Why a file was not loaded.
    struct LoadFailure: Error {
        var message: String
    }
}
