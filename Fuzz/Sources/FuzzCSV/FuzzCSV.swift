import FuzzSupport
import Tabular

/// One input: CSV bytes after a first byte that is the delimiter (`,` `;` tab `|`; any other byte picks one of them).
/// Whatever reads is written back out and read again with the same types; that must give the same shape.
func fuzzCSV(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
    let delimiter = delimiters.contains(bytes[0]) ? bytes[0] : delimiters[Int(bytes[0]) % delimiters.count]
    var options = CSVReadOptions()
    options.delimiter = delimiter
    let reader = CSVReader(options: options)
    let frame: DataFrame
    do {
        frame = try reader.read(bytes: Array(bytes.dropFirst()), name: "fuzz.csv")
    } catch {
        precondition(!"\(error)".isEmpty)
        return
    }
    options.typeOverrides = Dictionary(frame.schema.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
    let written = CSVWriter(delimiter: delimiter).encode(frame)
    do {
        let again = try CSVReader(options: options).read(bytes: written, name: "rewritten.csv")
        precondition(
            again.rowCount == frame.rowCount && again.columnNames == frame.columnNames,
            "read as \(frame.rowCount)x\(frame.columnCount), written and read back as \(again.rowCount)x\(again.columnCount)")
    } catch {
        preconditionFailure("a frame CSVWriter wrote does not read back: \(error)")
    }
}

/// libFuzzer's name for the function under test (its runtime refers to it even when `main` below runs the driver).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzCSV(fuzzInput(data, count))
    return 0
}

@main
enum FuzzCSVMain {
    static func main() { runFuzzer(fuzzerTestOneInput) }
}
