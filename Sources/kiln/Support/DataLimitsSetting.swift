import Foundation
import Tabular

/// The data limits `kiln` applies, read from the environment once.
///
/// `KILN_MAX_DATA_FILE_BYTES` sets the most bytes one data file may have (CSV, binary frame, model or config
/// file): a whole number, optionally with a `K`, `M` or `G` suffix (binary multiples), e.g. `8G`. Default 4 GiB.
enum DataLimitsSetting {
    /// The environment variable.
    static let variable = "KILN_MAX_DATA_FILE_BYTES"

    /// The limits from the environment; an invalid value is reported on stderr and the default is used.
    static let current: DataLimits = {
        guard let text = Execution.variable(variable) else { return .default }
        guard let bytes = parse(text) else {
            Terminal.err("kiln: warning: \(variable)=\(text) is not a byte count; using the "
                + "default of \(DataLimits.defaultMaxFileBytes) bytes. Fix: write a whole number of bytes, "
                + "optionally with K, M or G (e.g. 8G).")
            return .default
        }
        return DataLimits(maxFileBytes: bytes)
    }()

    /// `123`, `64K`, `512M`, `8G` → bytes; `nil` when not a positive whole number or too large.
    static func parse(_ text: String) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        var multiplier = 1
        for (suffix, factor) in [("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)] where digits.hasSuffix(suffix) {
            digits.removeLast()
            multiplier = factor
        }
        guard let value = Int(digits), value >= 1 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}
