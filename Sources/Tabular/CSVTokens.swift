/// One tokenized CSV file, or one chunk of a large file: its bytes, header and the byte ranges of every data field.
struct CSVTokens: @unchecked Sendable {
    /// The file name used in error messages.
    let path: String
    /// The file contents (the whole file, shared by its chunks).
    let bytes: [UInt8]
    /// The header names.
    let header: [String]
    /// Data fields per column (column-major), so each column is converted from one contiguous buffer.
    let fields: FieldColumns
    /// The 1-based line on which each data row starts.
    let rowLines: [Int]

    /// The number of data rows.
    var rowCount: Int { rowLines.count }

    /// The field of `row` in `column`.
    func field(row: Int, column: Int) -> CSVField { fields.buffer(column)[row] }
}

/// Growable column-major field buffers, appended one field at a time by the tokenizer without the checks an array of
/// arrays makes on every append; read-only once tokenizing is done.
final class FieldColumns {
    // Unchecked: a tokenizer owns its columns alone, and a dynamic exclusivity check per field was a sixth of the
    // tokenizer's time.
    @exclusivity(unchecked) private var storage: [UnsafeMutablePointer<CSVField>]
    @exclusivity(unchecked) private var counts: [Int]
    @exclusivity(unchecked) private var capacity: Int

    init(width: Int, capacity: Int = 64) {
        self.capacity = Swift.max(1, capacity)
        storage = (0..<width).map { _ in UnsafeMutablePointer<CSVField>.allocate(capacity: Swift.max(1, capacity)) }
        counts = [Int](repeating: 0, count: width)
    }

    deinit {
        for pointer in storage { pointer.deallocate() }
    }

    /// Appends `field` to `column`.
    @inline(__always)
    func append(_ field: CSVField, to column: Int) {
        let count = counts[column]
        if count == capacity { grow(to: capacity * 2) }
        (storage[column] + count).initialize(to: field)
        counts[column] = count + 1
    }

    /// Makes room for at least `minimum` fields per column.
    func reserve(_ minimum: Int) {
        if minimum > capacity { grow(to: minimum) }
    }

    private func grow(to newCapacity: Int) {
        for column in storage.indices {
            let larger = UnsafeMutablePointer<CSVField>.allocate(capacity: newCapacity)
            larger.moveInitialize(from: storage[column], count: counts[column])
            storage[column].deallocate()
            storage[column] = larger
        }
        capacity = newCapacity
    }

    /// The fields of `column`.
    func buffer(_ column: Int) -> UnsafeBufferPointer<CSVField> {
        UnsafeBufferPointer(start: storage[column], count: counts[column])
    }
}
