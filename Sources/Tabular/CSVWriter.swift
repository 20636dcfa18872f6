/// Writes a ``DataFrame`` as RFC 4180 CSV with a header row.
///
/// - Nulls are written as empty unquoted fields.
/// - An empty column name is written as `""`; text that starts with U+FEFF is quoted (it is not a byte order mark).
/// - Strings are quoted when they contain the delimiter, a quote, CR or LF, when they are empty, when
///   they start or end with a space, or when they equal a default missing token (`NA`, `null`, `NaN`),
///   so ``CSVReader`` reads them back as the same strings.
/// - Doubles use Swift's shortest round-tripping form (`0.1`, `1e-05`, `inf`); NaN is written as `NaN`
///   and is therefore read back as null.
/// - Bools are written as `true` / `false`.
/// - CSV carries no types: to read a frame back with identical column types, pass its schema as
///   ``CSVReadOptions/typeOverrides`` (or use the binary format, ``DataFrame/binaryEncoded()``).
public struct CSVWriter: Sendable {
    /// The field delimiter, an ASCII byte.
    public var delimiter: UInt8
    /// The line terminator, `"\n"` or `"\r\n"`.
    public var lineEnding: String

    /// Creates a writer.
    /// - Parameters:
    ///   - delimiter: The field delimiter (default `,`).
    ///   - lineEnding: The line terminator (default LF).
    public init(delimiter: UInt8 = UInt8(ascii: ","), lineEnding: String = "\n") {
        self.delimiter = delimiter
        self.lineEnding = lineEnding
    }

    /// The CSV encoding of a frame as UTF-8 bytes.
    /// - Parameters:
    ///   - frame: The frame to write.
    public func encode(_ frame: DataFrame) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(frame.rowCount * frame.columnCount * 8 + 64)
        let newline = Array(lineEnding.utf8)
        for (index, name) in frame.columnNames.enumerated() {
            if index > 0 { output.append(delimiter) }
            // An empty name is quoted: alone on the header line it would be a blank line, which readers skip.
            appendText(name, to: &output, forceQuotes: name.isEmpty)
        }
        output.append(contentsOf: newline)
        for row in 0..<frame.rowCount {
            for (index, column) in frame.columns.enumerated() {
                if index > 0 { output.append(delimiter) }
                appendCell(column, row, to: &output)
            }
            output.append(contentsOf: newline)
        }
        return output
    }

    /// The CSV encoding of a frame as a string.
    /// - Parameters:
    ///   - frame: The frame to write.
    public func string(_ frame: DataFrame) -> String {
        String(decoding: encode(frame), as: UTF8.self)
    }

    /// Writes a frame to a file atomically (temporary file, then rename).
    /// - Parameters:
    ///   - frame: The frame to write.
    ///   - path: The destination path.
    /// - Throws: ``TabularError/fileUnwritable(path:reason:)``.
    public func write(_ frame: DataFrame, to path: String) throws {
        try AtomicFile.write(encode(frame), to: path)
    }

    /// Appends one cell.
    private func appendCell(_ column: Column, _ row: Int, to output: inout [UInt8]) {
        guard !column.isNull(at: row) else { return }
        switch column.storage {
        case .double(let values):
            let value = values[row]
            output.append(contentsOf: (value.isNaN ? "NaN" : value.description).utf8)
        case .int(let values): output.append(contentsOf: values[row].description.utf8)
        case .bool(let values): output.append(contentsOf: (values[row] ? "true" : "false").utf8)
        case .string(let values): appendText(values[row], to: &output, forceQuotes: true)
        }
    }

    /// Appends text, quoting it when needed.
    private func appendText(_ text: String, to output: inout [UInt8], forceQuotes: Bool) {
        let quote = UInt8(ascii: "\"")
        var needsQuotes = forceQuotes && (text.isEmpty || CSVReadOptions.defaultMissingTokens.contains(text))
        if !needsQuotes {
            // A leading U+FEFF is quoted: first in the file, readers would take it for a byte order mark and drop it.
            needsQuotes = text.first == " " || text.last == " " || text.unicodeScalars.first == "\u{FEFF}"
                || text.utf8.contains { $0 == delimiter || $0 == quote || $0 == 0x0A || $0 == 0x0D }
        }
        guard needsQuotes else { return output.append(contentsOf: text.utf8) }
        output.append(quote)
        for byte in text.utf8 {
            output.append(byte)
            if byte == quote { output.append(quote) }
        }
        output.append(quote)
    }
}
