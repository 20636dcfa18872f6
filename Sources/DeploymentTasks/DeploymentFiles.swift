import Foundation
import ModelRegistry

/// The file steps of a deployment, each safe to repeat: stage, swap (keeping the old file), restore, settle.
///
/// The staged and backup paths are derived from the export path alone (`.NAME.kiln-staged` and `.NAME.kiln-backup`
/// beside it) and recorded in the intent before either exists; since one export path has at most one intent, no
/// two deployments use them at once.
enum DeploymentFiles {
    /// The staged and backup paths of `exportPath`.
    static func paths(for exportPath: String) -> (staged: String, backup: String) {
        let url = URL(fileURLWithPath: exportPath)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        return ("\(folder)/.\(name).kiln-staged", "\(folder)/.\(name).kiln-backup")
    }

    /// Whether something exists at `path` (a dangling link counts).
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Copies `source` to `staged` (creating the folder) and syncs it to disk.
    static func stage(copyOf source: String, at staged: String) throws {
        let folder = (staged as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DeploymentError("cannot create the folder \(folder): \(error.localizedDescription)")
        }
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw DeploymentError("cannot read the model file \(source)")
        }
        defer { try? input.close() }
        try remove(staged)
        guard FileManager.default.createFile(atPath: staged, contents: nil),
            let output = FileHandle(forWritingAtPath: staged)
        else {
            throw DeploymentError("cannot write \(staged): check that \(folder) is writable")
        }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try output.write(contentsOf: chunk) }
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            throw DeploymentError("writing \(staged) failed: \(error)")
        }
    }

    /// Puts the staged file in place at `exportPath` with one rename, first keeping the old file (when
    /// `keepingOld`) as a hard link at `backup`; readers of `exportPath` see the old or the new file, never neither.
    static func swap(exportPath: String, staged: String, backup: String, keepingOld: Bool) throws {
        if keepingOld {
            try remove(backup)
            guard link(exportPath, backup) == 0 else {
                throw DeploymentError("cannot keep the current \(exportPath) aside at \(backup): \(reason())")
            }
        }
        guard rename(staged, exportPath) == 0 else {
            throw DeploymentError("cannot move the new file into place at \(exportPath): \(reason())")
        }
        syncFolder(of: exportPath)
    }

    /// Undoes an uncommitted deployment: removes the staged file and puts the old file back (or removes the new one
    /// when there was none). Repeating it changes nothing.
    static func restore(_ intent: DeploymentIntent) throws {
        guard let exportPath = intent.exportPath else { return }
        if let staged = intent.stagedPath { try remove(staged) }
        if intent.hadPreviousFile {
            if let backup = intent.backupPath, exists(backup) {
                guard rename(backup, exportPath) == 0 else {
                    throw DeploymentError("cannot put the previous file back from \(backup) to \(exportPath): \(reason())")
                }
                // When the crash came before the swap, backup and export are one file, and rename leaves both.
                try remove(backup)
            }
        } else {
            // The intent was begun when no file existed, and only this deployment writes the path: any file is new.
            try remove(exportPath)
        }
        syncFolder(of: exportPath)
    }

    /// Finishes a committed deployment: removes the old file and any staged file.
    static func settle(_ intent: DeploymentIntent) throws {
        if let staged = intent.stagedPath { try remove(staged) }
        if let backup = intent.backupPath { try remove(backup) }
        if let exportPath = intent.exportPath { syncFolder(of: exportPath) }
    }

    /// Removes `path`; nothing when it does not exist.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw DeploymentError("cannot remove \(path): \(reason())")
        }
    }

    /// Syncs the folder of `path`, so a rename in it survives a power loss.
    private static func syncFolder(of path: String) {
        let descriptor = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
