/// Converts the fields of one column, across one or more tokenized files, into a typed ``Column``.
///
/// Inference (when no override is given) looks at non-missing fields and picks the first type that
/// fits every one of them: `int`, then `double`, then `bool` (`true`/`false`, any case), else `string`.
/// A column with no non-missing value becomes a `string` column of nulls.
struct CSVColumnBuilder {
    /// The tokenized files, in row order.
    let files: [CSVTokens]
    /// Unquoted field contents that mean null.
    let missingTokens: [[UInt8]]

    /// Where a conversion failed.
    private struct Failure: Error {
        let file: Int
        let row: Int
    }

    /// Builds the column at `position` with its override type or the inferred type.
    /// - Throws: ``TabularError/invalidValue(path:line:column:value:type:)`` when an override does not fit.
    func build(position: Int, name: String, override: ColumnType?) throws -> Column {
        if let override {
            do {
                return try column(position: position, name: name, type: override)
            } catch let failure as Failure {
                let tokens = files[failure.file]
                let field = tokens.field(row: failure.row, column: position)
                let text = tokens.bytes.withUnsafeBufferPointer { CSVTokenizer.text(of: field, in: $0) }
                throw TabularError.invalidValue(
                    path: tokens.path, line: tokens.rowLines[failure.row], column: name, value: text, type: override)
            }
        }
        guard let first = firstPresentField(position: position) else {
            return try column(position: position, name: name, type: .string)
        }
        let candidates: [ColumnType]
        if first.canBe(.int) {
            candidates = [.int, .double]
        } else if first.canBe(.double) {
            candidates = [.double]
        } else if first.canBe(.bool) {
            candidates = [.bool]
        } else {
            candidates = []
        }
        for candidate in candidates {
            if let built = try? column(position: position, name: name, type: candidate) { return built }
        }
        return try column(position: position, name: name, type: .string)
    }

    /// What inference has learnt of a column from the fields seen so far; ``type`` is the type ``build`` gives
    /// those fields.
    enum Inference: Sendable, Equatable {
        /// No non-missing field yet.
        case nothing
        /// Every field so far is an int (so also a double).
        case int
        /// Every field so far is a double, the first that was not an int included.
        case double
        /// Every field so far is a boolean.
        case bool
        /// Some field fits none of the above.
        case string

        /// The type the column gets.
        var type: ColumnType {
            switch self {
            case .nothing, .string: return .string
            case .int: return .int
            case .double: return .double
            case .bool: return .bool
            }
        }
    }

    /// Continues inference for the column at `position` over these files' fields, from `state` (what earlier
    /// fields gave). Reading a file's blocks in order this way ends where ``build`` would on the whole: `build` takes
    /// the first type that fits every field after the first present field's candidates, and every int is a double.
    func infer(position: Int, from state: Inference) -> Inference {
        var state = state
        for tokens in files {
            let fields = tokens.fields.buffer(position)
            tokens.bytes.withUnsafeBufferPointer { bytes in
                for field in fields where state != .string && !isMissing(field, bytes) {
                    let (start, end) = (field.start, field.end)
                    switch state {
                    case .nothing:
                        if ByteParsing.int(bytes, start, end) != nil {
                            state = .int
                        } else if ByteParsing.double(bytes, start, end) != nil {
                            state = .double
                        } else if ByteParsing.bool(bytes, start, end) != nil {
                            state = .bool
                        } else {
                            state = .string
                        }
                    case .int:
                        if ByteParsing.int(bytes, start, end) == nil {
                            state = ByteParsing.double(bytes, start, end) == nil ? .string : .double
                        }
                    case .double:
                        if ByteParsing.double(bytes, start, end) == nil { state = .string }
                    case .bool:
                        if ByteParsing.bool(bytes, start, end) == nil { state = .string }
                    case .string:
                        break
                    }
                }
            }
        }
        return state
    }

    /// The bytes of the first non-missing field of the column, with parse checks.
    private func firstPresentField(position: Int) -> FieldProbe? {
        for tokens in files {
            let found: FieldProbe? = tokens.bytes.withUnsafeBufferPointer { bytes in
                for row in 0..<tokens.rowCount {
                    let field = tokens.field(row: row, column: position)
                    if !isMissing(field, bytes) { return FieldProbe(field: field, bytes: Array(bytes[field.start..<field.end])) }
                }
                return nil
            }
            if let found { return found }
        }
        return nil
    }

    /// Builds a column of a given type, throwing ``Failure`` at the first field that does not parse.
    private func column(position: Int, name: String, type: ColumnType) throws -> Column {
        switch type {
        case .int:
            let (parsed, mask) = try values(position, 0) { ByteParsing.int($0, $1.start, $1.end) }
            return Column(uncheckedName: name, storage: .int(parsed), validity: mask)
        case .double:
            let (parsed, mask) = try values(position, 0) { ByteParsing.double($0, $1.start, $1.end) }
            return Column(uncheckedName: name, storage: .double(parsed), validity: mask)
        case .bool:
            let (parsed, mask) = try values(position, false) { ByteParsing.bool($0, $1.start, $1.end) }
            return Column(uncheckedName: name, storage: .bool(parsed), validity: mask)
        case .string:
            var interner = StringInterner()
            let (parsed, mask) = try values(position, "") { interner.text(of: $1, in: $0) }
            return Column(uncheckedName: name, storage: .string(parsed), validity: mask)
        }
    }

    /// Parses every field of the column; missing fields get `placeholder` and a `false` validity flag.
    ///
    /// Values and flags are written straight into arrays of the final size (no growth checks per field).
    private func values<T>(
        _ position: Int, _ placeholder: T, _ parse: (UnsafeBufferPointer<UInt8>, CSVField) -> T?
    ) throws -> ([T], [Bool]) {
        let total = files.reduce(0) { $0 + $1.rowCount }
        var mask = [Bool](repeating: false, count: total)
        let output = try mask.withUnsafeMutableBufferPointer { mask in
            try [T](unsafeUninitializedCapacity: total) { output, initialized in
                for (fileIndex, tokens) in files.enumerated() {
                    let fields = tokens.fields.buffer(position)
                    try tokens.bytes.withUnsafeBufferPointer { bytes in
                        for row in fields.indices {
                            let field = fields[row]
                            if isMissing(field, bytes) {
                                output.initializeElement(at: initialized, to: placeholder)
                            } else if let value = parse(bytes, field) {
                                output.initializeElement(at: initialized, to: value)
                                mask[initialized] = true
                            } else {
                                throw Failure(file: fileIndex, row: row)
                            }
                            initialized += 1
                        }
                    }
                }
            }
        }
        return (output, mask)
    }

    /// Whether an unquoted field equals one of the missing tokens.
    @inline(__always)
    private func isMissing(_ field: CSVField, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if field.isQuoted(in: bytes) { return false }
        let length = field.end - field.start
        if length == 0 { return missingTokens.contains { $0.isEmpty } }
        for token in missingTokens where token.count == length {
            var equal = true
            for offset in 0..<length where bytes[field.start + offset] != token[offset] {
                equal = false
                break
            }
            if equal { return true }
        }
        return false
    }
}

/// A copy of one field's bytes, used to choose which types inference should try.
private struct FieldProbe {
    let field: CSVField
    let bytes: [UInt8]

    /// Whether the field parses as the given type.
    func canBe(_ type: ColumnType) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            switch type {
            case .int: return ByteParsing.int(buffer, 0, buffer.count) != nil
            case .double: return ByteParsing.double(buffer, 0, buffer.count) != nil
            case .bool: return ByteParsing.bool(buffer, 0, buffer.count) != nil
            case .string: return true
            }
        }
    }
}
