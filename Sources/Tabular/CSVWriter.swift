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
        let newline = Array(lineEnding.utf8)
        for (index, name) in frame.columnNames.enumerated() {
            if index > 0 { output.append(delimiter) }
            // An empty name is quoted: alone on the header line it would be a blank line, which readers skip.
            appendText(name, to: &output, forceQuotes: name.isEmpty)
        }
        output.append(contentsOf: newline)
        // Column by column, each cell's text goes into one buffer per column (one switch on the storage per column,
        // not per cell); then the rows are stitched together from those buffers.
        let rendered = frame.columns.map(render)
        output.reserveCapacity(output.count + rendered.reduce(0) { $0 + $1.bytes.count }
            + frame.rowCount * (frame.columnCount + newline.count))
        for row in 0..<frame.rowCount {
            for (index, column) in rendered.enumerated() {
                if index > 0 { output.append(delimiter) }
                output.append(contentsOf: column.bytes[column.ends[row]..<column.ends[row + 1]])
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

    /// Appends one field of a record written cell by cell (without a frame), as ``encode(_:)`` writes a cell of
    /// its type: null empty, doubles in shortest form (NaN as `NaN`), text quoted when it must be.
    /// - Parameters:
    ///   - cell: The value.
    ///   - first: Whether it starts the record (no delimiter before it).
    ///   - output: The bytes to append to.
    public func appendField(_ cell: CellValue, first: Bool, to output: inout [UInt8]) {
        if !first { output.append(delimiter) }
        switch cell {
        case .null: break
        case .double(let value): Self.appendDouble(value, to: &output)
        case .int(let value): Self.appendDecimal(value, to: &output)
        case .bool(let value): output.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        case .string(let text): appendText(text, to: &output, forceQuotes: true)
        }
    }

    /// Appends a header field (a column name), quoted when it must be, as ``encode(_:)`` writes the header.
    public func appendName(_ name: String, first: Bool, to output: inout [UInt8]) {
        if !first { output.append(delimiter) }
        appendText(name, to: &output, forceQuotes: name.isEmpty)
    }

    /// Writes CSV bytes (built with ``appendName(_:first:to:)``, ``appendField(_:first:to:)`` and
    /// ``endRecord(_:)``) to a file atomically (temporary file, then rename).
    /// - Throws: ``TabularError/fileUnwritable(path:reason:)``.
    public func write(bytes: [UInt8], to path: String) throws {
        try AtomicFile.write(bytes, to: path)
    }

    /// Ends a record written with ``appendField(_:first:to:)`` or ``appendName(_:first:to:)``.
    public func endRecord(_ output: inout [UInt8]) {
        output.append(contentsOf: lineEnding.utf8)
    }

    /// The text of every cell of a column, back to back: cell `row` is `bytes[ends[row]..<ends[row + 1]]`.
    private func render(_ column: Column) -> (bytes: [UInt8], ends: [Int]) {
        var bytes: [UInt8] = []
        var ends = [0]
        ends.reserveCapacity(column.count + 1)
        let validity = column.validity
        func each(_ body: (Int, inout [UInt8]) -> Void) {
            for row in 0..<column.count {
                if validity[row] { body(row, &bytes) }  // a null is an empty field
                ends.append(bytes.count)
            }
        }
        switch column.storage {
        case .double(let values):
            bytes.reserveCapacity(values.count * 8)
            each { row, out in Self.appendDouble(values[row], to: &out) }
        case .int(let values):
            bytes.reserveCapacity(values.count * 4)
            each { row, out in Self.appendDecimal(values[row], to: &out) }
        case .bool(let values):
            bytes.reserveCapacity(values.count * 5)
            each { row, out in out.append(contentsOf: values[row] ? Self.trueBytes : Self.falseBytes) }
        case .string(let values):
            bytes.reserveCapacity(values.count * 8)
            each { row, out in appendText(values[row], to: &out, forceQuotes: true) }
        }
        return (bytes, ends)
    }

    /// The length of the longest default missing token: longer text is never one.
    private static let longestMissingToken = CSVReadOptions.defaultMissingTokens.map(\.utf8.count).max() ?? 0
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    /// Appends a double in Swift's shortest round-tripping form; NaN as `NaN` (read back as null).
    static func appendDouble(_ value: Double, to output: inout [UInt8]) {
        output.append(contentsOf: (value.isNaN ? "NaN" : value.description).utf8)
    }

    /// Appends `value` in decimal, as `String(value)` would, without making a string.
    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = output.count
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        output[start...].reverse()
    }

    /// Appends text, quoting it when needed.
    private func appendText(_ text: String, to output: inout [UInt8], forceQuotes: Bool) {
        let quote = UInt8(ascii: "\"")
        let utf8 = text.utf8
        var needsQuotes = forceQuotes && utf8.count <= Self.longestMissingToken && CSVReadOptions.defaultMissingTokens.contains(text)
        if !needsQuotes, let first = utf8.first, let last = utf8.last {
            // A leading U+FEFF (EF BB BF) is quoted: first in the file, readers would take it for a byte order mark
            // and drop it.
            needsQuotes = first == 0x20 || last == 0x20 || utf8.starts(with: [0xEF, 0xBB, 0xBF])
                || utf8.contains { $0 == delimiter || $0 == quote || $0 == 0x0A || $0 == 0x0D }
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
