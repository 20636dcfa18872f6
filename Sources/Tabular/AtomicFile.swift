import Foundation

/// File helpers: whole-file reads and atomic (temp file + rename) writes.
enum AtomicFile {
    /// Reads a whole file into memory after checking that it is a regular file of at most `maxBytes` bytes
    /// (reading stops at `maxBytes` + 1 bytes should the file grow meanwhile).
    /// - Throws: ``TabularError/notRegularFile(path:kind:)``, ``TabularError/fileTooLarge(path:size:limit:)`` or
    ///   ``TabularError/fileUnreadable(path:reason:)``.
    static func read(_ path: String, maxBytes: Int = DataLimits.defaultMaxFileBytes) throws -> [UInt8] {
        let file = try ReadableFile(path: path, maxBytes: maxBytes)
        var bytes = [UInt8]()
        bytes.reserveCapacity(min(file.size, maxBytes) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxBytes {
                throw TabularError.fileTooLarge(path: path, size: bytes.count, limit: maxBytes)
            }
            if count < chunk.count { return bytes }
        }
    }

    /// The size of `path` when it is a regular file of at most `maxBytes` bytes (symbolic links followed).
    /// - Throws: ``TabularError/fileUnreadable(path:reason:)``, ``TabularError/notRegularFile(path:kind:)`` or
    ///   ``TabularError/fileTooLarge(path:size:limit:)``.
    static func regularFileSize(_ path: String, maxBytes: Int) throws -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw TabularError.fileUnreadable(path: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw TabularError.notRegularFile(path: path, kind: fileKind(status.st_mode))
        }
        let size = Int(status.st_size)
        guard size <= maxBytes else { throw TabularError.fileTooLarge(path: path, size: size, limit: maxBytes) }
        return size
    }

    /// What a file that is not a regular file is, for messages.
    static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
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

/// A regular file open for reading, closed when released.
final class ReadableFile {
    private let descriptor: Int32
    private let path: String
    /// The file's size when it was opened (it may grow meanwhile).
    let size: Int

    /// Opens `path` after checking that it is a regular file of at most `maxBytes` bytes.
    /// - Throws: as ``AtomicFile/read(_:maxBytes:)``.
    init(path: String, maxBytes: Int) throws {
        size = try AtomicFile.regularFileSize(path, maxBytes: maxBytes)
        self.path = path
        // O_NONBLOCK: should the path have been replaced by a FIFO since the check, opening it does not block.
        descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TabularError.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw TabularError.notRegularFile(path: path, kind: AtomicFile.fileKind(status.st_mode))
        }
    }

    deinit { close(descriptor) }

    /// Fills `buffer` from the file and returns how many bytes were read: fewer only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let count = systemRead(descriptor, buffer.baseAddress! + total, buffer.count - total)
            if count < 0 {
                if errno == EINTR { continue }
                throw TabularError.fileUnreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            total += count
        }
        return total
    }
}

/// `read(2)`, named so that a type's own `read` members do not hide it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
