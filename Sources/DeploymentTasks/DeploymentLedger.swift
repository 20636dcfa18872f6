import Foundation
import Synchronization

/// Remembers where each model alias is exported (`export_to:`), so a rollback can restore the file too.
///
/// Kept as a small JSON file (`{"model/alias": "/abs/path"}`) in Kiln's home, rewritten atomically.
public final class DeploymentLedger: Sendable {
    private let path: String
    private let lock = Mutex(())

    /// A ledger stored at `path` (created on first write).
    public init(path: String) { self.path = path }

    /// The export path recorded for `alias` of `model`.
    public func exportPath(model: String, alias: String) throws -> String? {
        try lock.withLock { _ in try read()["\(model)/\(alias)"] }
    }

    /// Records that `alias` of `model` is exported to `exportPath`.
    public func record(model: String, alias: String, exportPath: String) throws {
        try lock.withLock { _ in
            var entries = try read()
            entries["\(model)/\(alias)"] = exportPath
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try AtomicFile.write(try encoder.encode(entries), to: path)
        }
    }

    private func read() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        do {
            return try JSONDecoder().decode([String: String].self, from: data)
        } catch {
            throw DeploymentError("the deployment ledger \(path) is not valid JSON (\(error)); fix or delete it")
        }
    }
}

/// Why a deployment step failed; the alias and the exported file were left as they were.
public struct DeploymentError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Writing files so readers see the old or the new content, never a mix: temp file in the same folder, fsync,
/// rename.
enum AtomicFile {
    /// Writes `data` to `path` atomically.
    static func write(_ data: Data, to path: String) throws {
        let temporary = try stage(path: path) { handle in try handle.write(contentsOf: data) }
        try commit(temporary, to: path)
    }

    /// Copies the file at `source` to a temp file beside `path`; returns the temp file's path.
    static func stageCopy(of source: String, for path: String) throws -> String {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw DeploymentError("cannot read \(source)")
        }
        defer { try? input.close() }
        return try stage(path: path) { output in
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
        }
    }

    /// Renames a staged temp file over `path` (atomic on one file system).
    static func commit(_ temporary: String, to path: String) throws {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DeploymentError("cannot move the new file into place at \(path): \(reason)")
        }
    }

    private static func stage(path: String, _ write: (FileHandle) throws -> Void) throws -> String {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true)
        } catch {
            throw DeploymentError("cannot create the folder of \(path): \(error.localizedDescription)")
        }
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).kiln-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw DeploymentError("cannot write a temporary file beside \(path)")
        }
        do {
            try write(handle)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw DeploymentError("writing \(path) failed: \(error)")
        }
        return temporary
    }
}
