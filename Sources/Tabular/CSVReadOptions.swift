/// Settings for ``CSVReader``.
public struct CSVReadOptions: Sendable, Equatable {
    /// The field delimiter, an ASCII byte (default `,`).
    public var delimiter: UInt8
    /// Column types to use instead of inference, keyed by header name.
    public var typeOverrides: [String: ColumnType]
    /// Unquoted field texts that mean "missing" (default: empty, `NA`, `null`, `NaN`). Matching is exact
    /// and case-sensitive; a quoted field (`""`, `"NA"`) is always a value, never missing.
    public var missingTokens: [String]
    /// The most bytes one file may have, and regular files only (default ``DataLimits/default``: 4 GiB).
    public var limits: DataLimits

    /// The default missing tokens: empty, `NA`, `null`, `NaN`.
    public static let defaultMissingTokens = ["", "NA", "null", "NaN"]

    /// Creates options.
    /// - Parameters:
    ///   - delimiter: The field delimiter as an ASCII byte; must not be `"`, CR or LF.
    ///   - typeOverrides: Column types to use instead of inference.
    ///   - missingTokens: Unquoted texts read as null.
    ///   - limits: The most bytes one file may have.
    public init(
        delimiter: UInt8 = UInt8(ascii: ","),
        typeOverrides: [String: ColumnType] = [:],
        missingTokens: [String] = CSVReadOptions.defaultMissingTokens,
        limits: DataLimits = .default
    ) {
        precondition(delimiter < 0x80 && delimiter != 0x22 && delimiter != 0x0A && delimiter != 0x0D,
                     "CSV delimiter must be an ASCII byte other than quote, CR and LF")
        self.delimiter = delimiter
        self.typeOverrides = typeOverrides
        self.missingTokens = missingTokens
        self.limits = limits
    }
}
