import Foundation
public import PipelineEngine
import PipelineModel
public import Tabular

/// Loading and storing the datasets and files that ML task kinds pass to each other.
///
/// A dataset input is either an artifact reference (`sha256:…`, as produced by another kind's `data` output) or a
/// path — relative to the task's working directory — to a CSV file, a folder of CSV files, a glob
/// (`data/*.csv`), or a file in Tabular's binary frame format. Dataset outputs are always artifact references of
/// the frame in the binary format.
public enum Datasets {
    /// Reads a dataset file: Tabular's binary format when the file starts with its magic bytes, else CSV (a
    /// file, every `*.csv` of a folder, or a glob).
    ///
    /// Every file must be a regular file (a device or a FIFO fails at once) of at most `limits.maxFileBytes`.
    /// - Parameters:
    ///   - path: An absolute path, or one relative to the current directory.
    ///   - limits: The most bytes one file may have.
    ///   - shouldStop: Asked between blocks of CSV rows; `true` stops reading with ``TabularError/cancelled(path:)``.
    /// - Throws: ``TabularError`` describing what could not be read.
    public static func read(
        path: String, limits: DataLimits = .default, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> DataFrame {
        if isBinaryFrame(path, limits: limits) { return try DataFrame(binaryFile: path, limits: limits) }
        return try CSVReader(options: CSVReadOptions(limits: limits)).read(contentsOf: path, shouldStop: shouldStop)
    }

    /// Profiles a dataset file (as ``read(path:limits:shouldStop:)`` reads it). CSV is read a block of rows at a
    /// time, so memory holds one block and the distinct values, not the file.
    /// - Parameters:
    ///   - path: An absolute path, or one relative to the current directory.
    ///   - limits: The most bytes one file may have.
    ///   - shouldStop: Asked between blocks of CSV rows; `true` stops reading with ``TabularError/cancelled(path:)``.
    /// - Throws: ``TabularError`` describing what could not be read.
    public static func profile(
        path: String, limits: DataLimits = .default, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws -> DataProfile {
        if isBinaryFrame(path, limits: limits) { return DataProfile(try DataFrame(binaryFile: path, limits: limits)) }
        var builder = DataProfile.Builder()
        try CSVReader(options: CSVReadOptions(limits: limits)).forEachBlock(contentsOf: path, shouldStop: shouldStop) {
            builder.add($0)
        }
        return builder.profile
    }

    /// Loads a dataset given as an artifact reference or a path.
    /// - Parameters:
    ///   - reference: `sha256:…` or a path relative to `workingDirectory`.
    ///   - artifacts: The artifact store (needed for references).
    ///   - workingDirectory: Base of relative paths.
    ///   - what: How the dataset is called in messages (`train: input 'data'`).
    ///   - limits: The most bytes one file may have (``DataReaders/limits`` of the kind).
    /// - Throws: ``TaskFailure`` with the reason and a hint; `CancellationError` when the task is cancelled.
    public static func load(
        _ reference: String, artifacts: (any ArtifactStore)?, workingDirectory: String, what: String,
        limits: DataLimits = .default
    ) async throws -> DataFrame {
        let path = try await localPath(reference, artifacts: artifacts, workingDirectory: workingDirectory, what: what)
        return try await Offload.run { flag in
            do {
                return try read(path: path, limits: limits, shouldStop: flag.check)
            } catch {
                throw TaskFailure("\(what): cannot read dataset '\(reference)': \(error)")
            }
        }
    }

    /// The local file of an artifact reference or (resolved) path.
    static func localPath(
        _ reference: String, artifacts: (any ArtifactStore)?, workingDirectory: String, what: String
    ) async throws -> String {
        if reference.hasPrefix("sha256:") {
            guard let artifacts else { throw noStore(what) }
            do {
                return try await artifacts.localPath(for: reference)
            } catch {
                throw TaskFailure("\(what): \(error)")
            }
        }
        return resolve(reference, workingDirectory: workingDirectory)
    }

    /// Reads the bytes of a file given as an artifact reference or a path (a regular file within `limits`).
    static func data(
        _ reference: String, artifacts: (any ArtifactStore)?, workingDirectory: String, what: String,
        limits: DataLimits = .default
    ) async throws -> Data {
        let path = try await localPath(reference, artifacts: artifacts, workingDirectory: workingDirectory, what: what)
        do {
            return Data(try limits.read(path))
        } catch let error as TabularError {
            if case .fileUnreadable = error {
                throw TaskFailure("\(what): cannot read '\(reference)' (looked at \(path)); check the path, which is "
                    + "relative to the task's working directory, or pass an artifact reference from an upstream task")
            }
            throw TaskFailure("\(what): \(error)")
        }
    }

    /// Stores `frame` in the binary format and returns its artifact reference.
    /// - Throws: ``TaskFailure`` when the process has no artifact store or writing fails.
    public static func store(_ frame: DataFrame, artifacts: (any ArtifactStore)?, what: String) async throws -> String {
        try await store(Data(frame.binaryEncoded()), artifacts: artifacts, what: what)
    }

    /// Stores bytes as an artifact and returns its reference.
    static func store(_ data: Data, artifacts: (any ArtifactStore)?, what: String) async throws -> String {
        guard let artifacts else { throw noStore(what) }
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-artifact-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw TaskFailure("\(what): cannot write a temporary file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        return try await artifacts.put(file: temporary)
    }

    /// `path` made absolute against `workingDirectory`.
    static func resolve(_ path: String, workingDirectory: String) -> String {
        if path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
            .standardizedFileURL.path
    }

    private static func noStore(_ what: String) -> TaskFailure {
        TaskFailure("\(what): this process has no artifact store, so datasets and models cannot be passed between "
            + "tasks; pass `artifacts:` to PipelineExecutor (kiln does: .kiln/artifacts)")
    }

    private static func isBinaryFrame(_ path: String, limits: DataLimits) -> Bool {
        // Only a regular file is opened here: opening a FIFO would block.
        guard (try? limits.check(path)) != nil, let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: FrameBinaryLayout.magic.count)) ?? Data()
        return Array(head) == FrameBinaryLayout.magic
    }
}
