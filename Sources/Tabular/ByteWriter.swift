/// An append-only little-endian byte buffer used by the binary frame encoder.
struct ByteWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Reserves room for `count` bytes.
    mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }

    /// Appends raw bytes.
    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Appends an integer in little-endian order.
    mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends zero bytes until the length is a multiple of 8.
    mutating func padToEight() {
        while bytes.count % 8 != 0 { bytes.append(0) }
    }

    /// Appends a bitmap with bit `i` set when `flags[i]` is true, then pads to 8 bytes.
    mutating func appendBitmap(_ flags: [Bool]) {
        var byte: UInt8 = 0
        for (index, flag) in flags.enumerated() {
            if flag { byte |= 1 << UInt8(index & 7) }
            if index & 7 == 7 {
                bytes.append(byte)
                byte = 0
            }
        }
        if flags.count & 7 != 0 { bytes.append(byte) }
        padToEight()
    }

    /// Appends fixed-width integers as little-endian values (a straight copy on little-endian hosts).
    mutating func appendArray<T: FixedWidthInteger>(_ values: [T]) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for value in values { append(littleEndian: value) }
        #endif
    }
}
