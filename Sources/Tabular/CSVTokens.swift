/// One tokenized CSV file: its bytes, header and the byte ranges of every data field.
struct CSVTokens {
    /// The file name used in error messages.
    let path: String
    /// The file contents.
    let bytes: [UInt8]
    /// The header names.
    let header: [String]
    /// Data fields per column (column-major: `fields[column][row]`), so each column is converted from
    /// one contiguous array.
    let fields: [[CSVField]]
    /// The 1-based line on which each data row starts.
    let rowLines: [Int]

    /// The number of data rows.
    var rowCount: Int { rowLines.count }
}
