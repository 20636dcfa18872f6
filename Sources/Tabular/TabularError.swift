/// An error from building, reading or writing a ``DataFrame``.
///
/// Each `description` says what is wrong, where (`path:line` when there is one) and how to fix it.
public enum TabularError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file has no bytes (or only line breaks), so there is no header.
    case emptyFile(path: String)
    /// The file could not be read.
    case fileUnreadable(path: String, reason: String)
    /// The path is a device, FIFO, socket or directory where a regular file is needed.
    case notRegularFile(path: String, kind: String)
    /// The file has more bytes than ``DataLimits/maxFileBytes`` allows.
    case fileTooLarge(path: String, size: Int, limit: Int)
    /// Reading stopped because the caller's `shouldStop` returned true (e.g. the task was cancelled).
    case cancelled(path: String)
    /// The file could not be written.
    case fileUnwritable(path: String, reason: String)
    /// No file matched a directory or glob pattern.
    case noFilesMatched(pattern: String)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(path: String, line: Int, byteOffset: Int)
    /// A data row has a different number of fields than the header.
    case raggedRow(path: String, line: Int, fields: Int, expected: Int)
    /// A quoted field is never closed.
    case unterminatedQuote(path: String, line: Int)
    /// A closing quote is followed by something other than a delimiter or line break.
    case unexpectedCharacterAfterQuote(path: String, line: Int)
    /// The header repeats a column name.
    case duplicateHeader(path: String, name: String)
    /// A field cannot be converted to the type requested for its column.
    case invalidValue(path: String, line: Int, column: String, value: String, type: ColumnType)
    /// A type override names a column that the header does not have.
    case unknownOverrideColumn(path: String, column: String, available: [String])
    /// Two files read together have different headers.
    case headerMismatch(path: String, expected: [String], found: [String])
    /// A column name is not in the frame.
    case columnNotFound(name: String, available: [String])
    /// A column name is used twice.
    case duplicateColumn(name: String)
    /// A column does not have the expected number of rows.
    case lengthMismatch(column: String, expected: Int, actual: Int)
    /// A row index is outside `0..<rowCount`.
    case rowIndexOutOfRange(index: Int, rowCount: Int)
    /// A column has a different type than an operation needs.
    case typeMismatch(column: String, expected: ColumnType, actual: ColumnType)
    /// Frames combined row-wise do not have the same column names and types.
    case schemaMismatch(detail: String)
    /// A binary frame file does not start with the `KILNFRM1` magic.
    case binaryBadMagic(path: String)
    /// A binary frame file has a format version this library cannot read.
    case binaryUnsupportedVersion(path: String, version: UInt32)
    /// A binary frame file ends before all declared data was read.
    case binaryTruncated(path: String, detail: String)
    /// A binary frame file contains inconsistent data.
    case binaryCorrupt(path: String, detail: String)

    /// A message with what went wrong, where, and how to fix it.
    public var description: String {
        switch self {
        case .emptyFile(let path):
            return "\(path): file is empty; expected a header row. Fix: write a header line with the column names."
        case .fileUnreadable(let path, let reason):
            return "\(path): cannot read file (\(reason)). Fix: check that the path exists and is readable."
        case .notRegularFile(let path, let kind):
            return "\(path): is \(kind), not a regular file; data is read only from regular files, since reading a device or a pipe may never end. Fix: write the data to a file and pass that file's path."
        case .fileTooLarge(let path, let size, let limit):
            return "\(path): file has \(size) bytes, more than the limit of \(DataLimits.describe(bytes: limit)) per data file. Fix: split the data into several files of a folder, or raise the limit (kiln: environment variable KILN_MAX_DATA_FILE_BYTES)."
        case .cancelled(let path):
            return "\(path): reading was cancelled. Fix: run the task again."
        case .fileUnwritable(let path, let reason):
            return "\(path): cannot write file (\(reason)). Fix: check that the directory exists and is writable."
        case .noFilesMatched(let pattern):
            return "\(pattern): no CSV files found. Fix: check the directory or glob pattern (e.g. data/incoming/*.csv)."
        case .invalidUTF8(let path, let line, let offset):
            return "\(path):\(line): invalid UTF-8 byte at offset \(offset). Fix: re-export the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)."
        case .raggedRow(let path, let line, let fields, let expected):
            return "\(path):\(line): row has \(fields) fields, header has \(expected). Fix: quote fields that contain the delimiter, or add/remove fields so every row matches the header."
        case .unterminatedQuote(let path, let line):
            return "\(path):\(line): quoted field is never closed. Fix: close the quote, and double any quote inside a quoted field (\"\")."
        case .unexpectedCharacterAfterQuote(let path, let line):
            return "\(path):\(line): unexpected character after a closing quote. Fix: a quote inside a quoted field must be doubled (\"\")."
        case .duplicateHeader(let path, let name):
            return "\(path):1: column name '\(name)' appears twice in the header. Fix: give every column a unique name."
        case .invalidValue(let path, let line, let column, let value, let type):
            return "\(path):\(line): column \(column): '\(value)' is not a valid \(type). Fix: correct the value, mark it missing (empty or NA), or change the type override for \(column)."
        case .unknownOverrideColumn(let path, let column, let available):
            return "\(path): type override for unknown column '\(column)'. Fix: use one of \(available.joined(separator: ", "))."
        case .headerMismatch(let path, let expected, let found):
            return "\(path):1: header [\(found.joined(separator: ","))] differs from the first file's [\(expected.joined(separator: ","))]. Fix: read files with the same columns in the same order together."
        case .columnNotFound(let name, let available):
            return "column '\(name)' not found. Fix: use one of \(available.isEmpty ? "(no columns)" : available.joined(separator: ", "))."
        case .duplicateColumn(let name):
            return "column '\(name)' already exists. Fix: rename one of the columns first."
        case .lengthMismatch(let column, let expected, let actual):
            return "column \(column): has \(actual) rows, expected \(expected). Fix: make all columns the same length."
        case .rowIndexOutOfRange(let index, let rowCount):
            return "row index \(index) is out of range 0..<\(rowCount). Fix: select only existing rows."
        case .typeMismatch(let column, let expected, let actual):
            return "column \(column): has type \(actual), expected \(expected). Fix: convert the column or use a column of type \(expected)."
        case .schemaMismatch(let detail):
            return "schemas differ: \(detail). Fix: make the frames have the same column names, order and types."
        case .binaryBadMagic(let path):
            return "\(path): not a Kiln frame file (magic KILNFRM1 missing). Fix: pass a file written by DataFrame.writeBinary(to:)."
        case .binaryUnsupportedVersion(let path, let version):
            return "\(path): frame format version \(version) is not supported (this library reads version \(FrameBinaryLayout.version)). Fix: rewrite the file with this library version."
        case .binaryTruncated(let path, let detail):
            return "\(path): frame file is truncated (\(detail)). Fix: rewrite the file; it was probably copied or written incompletely."
        case .binaryCorrupt(let path, let detail):
            return "\(path): frame file is corrupt (\(detail)). Fix: rewrite the file from its source data."
        }
    }
}
