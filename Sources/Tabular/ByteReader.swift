/// A bounds-checked little-endian cursor over the bytes of a binary frame file.
struct ByteReader {
    /// The whole file.
    let bytes: [UInt8]
    /// The name used in error messages.
    let path: String
    /// The current read position.
    private(set) var offset = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    /// Fails with a truncation error unless `count` more bytes are available.
    func require(_ count: Int, for what: String) throws {
        guard count >= 0, count <= bytes.count - offset else {
            throw TabularError.binaryTruncated(
                path: path, detail: "\(what) needs \(count) bytes at offset \(offset), file has \(bytes.count) bytes")
        }
    }

    /// Reads `count` raw bytes.
    mutating func read(count: Int, for what: String) throws -> ArraySlice<UInt8> {
        try require(count, for: what)
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// Reads a little-endian integer.
    mutating func readInteger<T: FixedWidthInteger>(_: T.Type, for what: String) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size, for: what)
        var value: T = 0
        for index in 0..<size {
            value |= T(truncatingIfNeeded: bytes[offset + index]) << (8 * index)
        }
        offset += size
        return value
    }

    /// Skips zero padding up to the next multiple of 8.
    mutating func skipPadding() throws {
        let padding = (8 - offset % 8) % 8
        try require(padding, for: "padding")
        offset += padding
    }

    /// Reads a bitmap of `count` flags and the padding after it.
    mutating func readBitmap(count: Int, for what: String) throws -> [Bool] {
        let byteCount = (count + 7) / 8
        try require(byteCount, for: what)
        let start = offset
        let flags = bytes.withUnsafeBufferPointer { buffer in
            (0..<count).map { buffer[start + $0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
        }
        offset += byteCount
        try skipPadding()
        return flags
    }

    /// Reads `count` little-endian fixed-width integers (a straight copy on little-endian hosts).
    mutating func readArray<T: FixedWidthInteger>(_: T.Type, count: Int, for what: String) throws -> [T] {
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard !overflow else { throw TabularError.binaryCorrupt(path: path, detail: "\(what): impossible size") }
        try require(byteCount, for: what)
        let start = offset
        let values = [T](unsafeUninitializedCapacity: count) { output, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(output).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[start..<start + byteCount]))
            }
            initialized = count
        }
        offset += byteCount
        #if _endian(little)
        return values
        #else
        return values.map { T(littleEndian: $0) }
        #endif
    }
}
