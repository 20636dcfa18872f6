import Foundation

extension DataFrame {
    /// The exact `KILNFRM1` encoding of this frame (see ``FrameBinaryLayout``).
    ///
    /// Equal frames produce identical bytes, so this is the stable input for hashing a dataset.
    public func binaryEncoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.reserve(64 + columns.count * (rowCount * 9 + 64))
        writer.append(FrameBinaryLayout.magic)
        writer.append(littleEndian: FrameBinaryLayout.version)
        writer.append(littleEndian: UInt32(columns.count))
        writer.append(littleEndian: UInt64(rowCount))
        for column in columns {
            let name = Array(column.name.utf8)
            writer.append(littleEndian: FrameBinaryLayout.code(for: column.type))
            writer.append(littleEndian: UInt32(name.count))
            writer.append(name)
        }
        writer.padToEight()
        for column in columns {
            writer.appendBitmap(column.validity)
            switch column.storage {
            case .double(let values): writer.appendArray(values.map(\.bitPattern))
            case .int(let values): writer.appendArray(values.map(Int64.init))
            case .bool(let values): writer.appendBitmap(values)
            case .string(let values):
                var offsets: [UInt64] = [0]
                offsets.reserveCapacity(values.count + 1)
                var blob: [UInt8] = []
                for value in values {
                    blob.append(contentsOf: value.utf8)
                    offsets.append(UInt64(blob.count))
                }
                writer.appendArray(offsets)
                writer.append(blob)
                writer.padToEight()
            }
        }
        writer.append(FrameBinaryLayout.trailer)
        return writer.bytes
    }

    /// Decodes a frame from its `KILNFRM1` encoding, validating magic, version, sizes and contents.
    /// - Parameters:
    ///   - bytes: The encoded frame.
    ///   - path: A name for error messages (the file path when read from disk).
    /// - Throws: ``TabularError/binaryBadMagic(path:)``, ``TabularError/binaryUnsupportedVersion(path:version:)``,
    ///   ``TabularError/binaryTruncated(path:detail:)`` or ``TabularError/binaryCorrupt(path:detail:)``.
    public init(binaryEncoded bytes: [UInt8], path: String = "<memory>") throws {
        var reader = ByteReader(bytes: bytes, path: path)
        guard bytes.count >= 8, Array(bytes[0..<8]) == FrameBinaryLayout.magic else {
            throw TabularError.binaryBadMagic(path: path)
        }
        _ = try reader.read(count: 8, for: "magic")
        let version = try reader.readInteger(UInt32.self, for: "version")
        guard version == FrameBinaryLayout.version else {
            throw TabularError.binaryUnsupportedVersion(path: path, version: version)
        }
        let columnCount = Int(try reader.readInteger(UInt32.self, for: "column count"))
        let rawRows = try reader.readInteger(UInt64.self, for: "row count")
        guard rawRows <= UInt64(bytes.count) * 8 else {
            throw TabularError.binaryCorrupt(path: path, detail: "row count \(rawRows) exceeds what the file can hold")
        }
        let rows = Int(rawRows)
        var schema: [(String, ColumnType)] = []
        for index in 0..<columnCount {
            let code = try reader.readInteger(UInt8.self, for: "type of column \(index)")
            guard let type = FrameBinaryLayout.type(for: code) else {
                throw TabularError.binaryCorrupt(path: path, detail: "unknown type code \(code) for column \(index)")
            }
            let length = Int(try reader.readInteger(UInt32.self, for: "name length of column \(index)"))
            let nameBytes = try reader.read(count: length, for: "name of column \(index)")
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw TabularError.binaryCorrupt(path: path, detail: "column \(index) name is not UTF-8")
            }
            schema.append((name, type))
        }
        try reader.skipPadding()
        var columns: [Column] = []
        for (name, type) in schema {
            let validity = try reader.readBitmap(count: rows, for: "validity of \(name)")
            let storage: Column.Storage
            switch type {
            case .double:
                storage = .double(try reader.readArray(UInt64.self, count: rows, for: "values of \(name)")
                    .map(Double.init(bitPattern:)))
            case .int:
                storage = .int(try reader.readArray(Int64.self, count: rows, for: "values of \(name)").map { Int($0) })
            case .bool:
                storage = .bool(try reader.readBitmap(count: rows, for: "values of \(name)"))
            case .string:
                storage = .string(try Self.readStrings(&reader, rows: rows, name: name))
            }
            columns.append(try Column(name: name, storage: storage, validity: validity))
        }
        let end = try reader.read(count: 8, for: "trailer")
        guard Array(end) == FrameBinaryLayout.trailer else {
            throw TabularError.binaryCorrupt(path: path, detail: "trailer KILNEND1 missing at offset \(reader.offset - 8)")
        }
        guard reader.offset == bytes.count else {
            throw TabularError.binaryCorrupt(path: path, detail: "\(bytes.count - reader.offset) unexpected bytes after trailer")
        }
        do {
            try self.init(columns: columns)
        } catch {
            throw TabularError.binaryCorrupt(path: path, detail: "\(error)")
        }
        if columns.isEmpty, rows != 0 {
            throw TabularError.binaryCorrupt(path: path, detail: "\(rows) rows declared without columns")
        }
    }

    /// Reads the offsets and UTF-8 blob of a string column; the blob is validated once and every
    /// string boundary must fall on a character boundary.
    private static func readStrings(_ reader: inout ByteReader, rows: Int, name: String) throws -> [String] {
        let offsets = try reader.readArray(UInt64.self, count: rows + 1, for: "string offsets of \(name)")
        guard offsets[0] == 0, let total = offsets.last, total <= UInt64(reader.bytes.count) else {
            throw TabularError.binaryCorrupt(path: reader.path, detail: "bad string offsets in column \(name)")
        }
        let blob = try reader.read(count: Int(total), for: "string bytes of \(name)")
        try reader.skipPadding()
        return try blob.withUnsafeBufferPointer { bytes in
            if let bad = UTF8Validation.firstInvalidOffset(in: bytes) {
                throw TabularError.binaryCorrupt(path: reader.path, detail: "invalid UTF-8 at byte \(bad) of column \(name) strings")
            }
            var interner = StringInterner()
            var strings: [String] = []
            strings.reserveCapacity(rows)
            for row in 0..<rows {
                let start = offsets[row], end = offsets[row + 1]
                guard start <= end, end <= total,
                      end == total || bytes[Int(end)] & 0xC0 != 0x80 else {
                    throw TabularError.binaryCorrupt(path: reader.path, detail: "bad string at row \(row) of column \(name)")
                }
                strings.append(interner.string(UnsafeBufferPointer(rebasing: bytes[Int(start)..<Int(end)])))
            }
            return strings
        }
    }

    /// Writes the binary encoding atomically: to a temporary file in the same directory, then renamed.
    /// - Parameters:
    ///   - path: The destination file path.
    /// - Throws: ``TabularError/fileUnwritable(path:reason:)``.
    public func writeBinary(to path: String) throws {
        try AtomicFile.write(binaryEncoded(), to: path)
    }

    /// Loads a frame written by ``writeBinary(to:)``.
    /// - Parameters:
    ///   - path: The file path.
    ///   - limits: The most bytes the file may have; it must be a regular file.
    /// - Throws: ``TabularError/fileUnreadable(path:reason:)``, ``TabularError/notRegularFile(path:kind:)``,
    ///   ``TabularError/fileTooLarge(path:size:limit:)`` or any binary decoding error.
    public init(binaryFile path: String, limits: DataLimits = .default) throws {
        try self.init(binaryEncoded: try limits.read(path), path: path)
    }
}
