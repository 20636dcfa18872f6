import Foundation

/// File helpers: whole-file reads and atomic (temp file + rename) writes.
enum AtomicFile {
    /// Reads a whole file into memory.
    /// - Throws: ``TabularError/fileUnreadable(path:reason:)``.
    static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw TabularError.fileUnreadable(path: path, reason: reason)
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw TabularError.fileUnreadable(path: path, reason: "\(error)")
        }
    }

    /// Writes bytes to a uniquely named temporary file next to `path`, flushes it to disk, then renames it
    /// over `path`, so readers see either the old or the complete new file.
    /// - Throws: ``TabularError/fileUnwritable(path:reason:)``.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        guard FileManager.default.createFile(atPath: temp, contents: nil),
              let handle = FileHandle(forWritingAtPath: temp) else {
            throw TabularError.fileUnwritable(path: path, reason: "cannot create temporary file \(temp)")
        }
        do {
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temp)
            throw TabularError.fileUnwritable(path: path, reason: "\(error)")
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw TabularError.fileUnwritable(path: path, reason: reason)
        }
    }
}
