import ArtifactStores
import Foundation
import PipelineEngine

/// Where a command keeps artifacts: `--artifacts`, else `KILN_ARTIFACTS`, else the home's `artifacts/` folder.
enum ArtifactLocation: Equatable {
    /// A folder (absolute path), possibly shared by several machines.
    case folder(String)
    /// An S3-compatible bucket.
    case s3(S3Configuration)

    /// Reads a folder path (relative to the current folder) or `s3://bucket/prefix` with the AWS variables.
    ///
    /// - Throws: ``CLIError`` with exit 2 saying what is wrong.
    static func parse(_ text: String, option: String, endpoint: String?, environment: [String: String]) throws
        -> ArtifactLocation
    {
        guard !text.isEmpty else { throw usageError("\(option): give a folder or s3://BUCKET/PREFIX") }
        if text.hasPrefix("s3://") {
            do {
                return .s3(try S3Configuration(location: text, environment: environment, endpoint: endpoint))
            } catch {
                throw usageError("\(option): \(error)")
            }
        }
        if let scheme = text.range(of: "://") {
            throw usageError("\(option): '\(text.prefix(80))' is not an artifact location: use a folder or "
                + "s3://BUCKET/PREFIX (\(text[..<scheme.lowerBound]):// is not supported)")
        }
        return .folder(
            URL(fileURLWithPath: text, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                .standardizedFileURL.path)
    }
}

extension HomeOptions {
    /// Where artifacts are kept: `--artifacts`, else `KILN_ARTIFACTS`, else `<home>/artifacts`.
    ///
    /// - Throws: ``CLIError`` (exit 2) for a location that cannot be read.
    func artifactLocation() throws -> ArtifactLocation {
        let environment = Execution.environment
        if let artifacts {
            return try ArtifactLocation.parse(artifacts, option: "--artifacts", endpoint: s3Endpoint, environment: environment)
        }
        if let artifacts = environment["KILN_ARTIFACTS"], !artifacts.isEmpty {
            return try ArtifactLocation.parse(artifacts, option: "KILN_ARTIFACTS", endpoint: s3Endpoint, environment: environment)
        }
        return .folder(directory + "/artifacts")
    }

    /// The artifact store at ``artifactLocation()``; an S3 store downloads into `<home>/artifact-cache`.
    var artifactStore: any ArtifactStore {
        get throws {
            switch try artifactLocation() {
            case .folder(let path): return LocalArtifactStore(root: path)
            case .s3(let configuration):
                return S3ArtifactStore(configuration: configuration, cacheFolder: directory + "/artifact-cache")
            }
        }
    }
}
