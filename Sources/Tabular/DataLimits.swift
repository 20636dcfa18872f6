import Foundation

/// Resource limits for reading data files: how many bytes one file may have, and that it must be a regular file.
///
/// Devices (`/dev/zero`), FIFOs and sockets are refused before they are opened, since reading one may never end
/// or never stop growing; a regular file larger than ``maxFileBytes`` is refused before it is read.
public struct DataLimits: Sendable, Equatable {
    /// The default ``maxFileBytes``: 4 GiB (4,294,967,296 bytes).
    public static let defaultMaxFileBytes = 4 << 30

    /// The limits used when none are given: ``defaultMaxFileBytes``.
    public static let `default` = DataLimits()

    /// The most bytes one data file may have (≥ 1).
    public var maxFileBytes: Int

    /// Creates limits.
    /// - Parameter maxFileBytes: The most bytes one data file may have; values below 1 count as 1.
    public init(maxFileBytes: Int = DataLimits.defaultMaxFileBytes) {
        self.maxFileBytes = Swift.max(1, maxFileBytes)
    }

    /// Reads a whole data file after checking that it is a regular file within ``maxFileBytes``.
    /// - Parameter path: The file path.
    /// - Throws: ``TabularError/notRegularFile(path:kind:)``, ``TabularError/fileTooLarge(path:size:limit:)`` or
    ///   ``TabularError/fileUnreadable(path:reason:)``.
    public func read(_ path: String) throws -> [UInt8] {
        try AtomicFile.read(path, maxBytes: maxFileBytes)
    }

    /// Checks, without opening it, that `path` is a regular file of at most ``maxFileBytes`` bytes.
    /// - Throws: as ``read(_:)``.
    public func check(_ path: String) throws {
        _ = try AtomicFile.regularFileSize(path, maxBytes: maxFileBytes)
    }

    /// A byte count for messages: `4 GiB (4294967296 bytes)`.
    static func describe(bytes: Int) -> String {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (name, size) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            let text = value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
            return "\(text) \(name) (\(bytes) bytes)"
        }
        return "\(bytes) bytes"
    }
}
