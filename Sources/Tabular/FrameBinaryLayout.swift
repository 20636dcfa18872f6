/// Constants and documentation of the `KILNFRM1` binary frame format (version 1).
///
/// All integers are little-endian. Offsets are from the start of the file.
///
/// ```
/// offset  size  field
/// 0       8     magic, ASCII "KILNFRM1"
/// 8       4     u32 format version (= 1)
/// 12      4     u32 column count C
/// 16      8     u64 row count R
/// 24      ...   schema, C entries: u8 type code (1 double, 2 int, 3 string, 4 bool),
///               u32 name length N, N bytes UTF-8 name
///               zero padding to a multiple of 8
/// then C column sections in schema order, each starting 8-byte aligned:
///   validity bitmap  ceil(R/8) bytes, bit (r % 8) of byte (r / 8) is 1 when row r is non-null;
///                    zero padding to a multiple of 8
///   values           double: R x f64 (IEEE-754)      int: R x i64
///                    bool:   ceil(R/8)-byte bitmap, 1 = true
///                    string: (R+1) x u64 offsets (offsets[0] = 0, non-decreasing),
///                            then offsets[R] bytes of UTF-8 text; row r is bytes offsets[r]..<offsets[r+1]
///                    zero padding to a multiple of 8
/// end     8     trailer, ASCII "KILNEND1"; the file ends exactly here
/// ```
///
/// Null rows hold placeholders (0, 0.0, false, empty string), so equal frames encode to identical bytes;
/// the encoding is therefore a stable input for hashing.
public enum FrameBinaryLayout {
    /// The 8-byte magic at the start of every file.
    public static let magic: [UInt8] = Array("KILNFRM1".utf8)
    /// The 8-byte trailer at the end of every file.
    public static let trailer: [UInt8] = Array("KILNEND1".utf8)
    /// The format version written and accepted by this library.
    public static let version: UInt32 = 1

    /// The on-disk code of a column type.
    /// - Parameters:
    ///   - type: A column type.
    static func code(for type: ColumnType) -> UInt8 {
        switch type {
        case .double: return 1
        case .int: return 2
        case .string: return 3
        case .bool: return 4
        }
    }

    /// The column type for an on-disk code, or `nil` for an unknown code.
    /// - Parameters:
    ///   - code: A type code byte.
    static func type(for code: UInt8) -> ColumnType? {
        switch code {
        case 1: return .double
        case 2: return .int
        case 3: return .string
        case 4: return .bool
        default: return nil
        }
    }
}
