import Foundation

/// Parsing of numbers and booleans directly from UTF-8 bytes, without creating strings.
enum ByteParsing {
    /// Exact powers of ten representable as `Double` (10^0 ... 10^22).
    private static let powersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// Parses `[+-]digits` into an `Int`; `nil` on any other text or on overflow.
    static func int(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var index = start
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < end else { return nil }
        var value = 0
        while index < end {
            let digit = Int(bytes[index]) &- 48
            guard digit >= 0, digit <= 9 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// Parses `true` / `false` (ASCII case-insensitive).
    static func bool(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool? {
        if matches(bytes, start, end, "true") { return true }
        if matches(bytes, start, end, "false") { return false }
        return nil
    }

    /// Parses a decimal floating point number (`-1.5`, `.5`, `2e-3`) or `inf` / `infinity` with an optional sign.
    ///
    /// `nan` is not accepted (the CSV missing token `NaN` means null); hexadecimal floats and spaces are rejected.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var index = start
        var negative = false
        if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        if matches(bytes, index, end, "inf") || matches(bytes, index, end, "infinity") {
            return negative ? -.infinity : .infinity
        }
        var mantissa: UInt64 = 0
        var exponent = 0
        var sawDigit = false
        var exact = true
        while index < end, let digit = digitValue(bytes[index]) {
            sawDigit = true
            if mantissa < 100_000_000_000_000_000 { mantissa = mantissa * 10 + digit } else { exponent += 1; exact = false }
            index += 1
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, let digit = digitValue(bytes[index]) {
                sawDigit = true
                if mantissa < 100_000_000_000_000_000 { mantissa = mantissa * 10 + digit; exponent -= 1 } else { exact = false }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end else { return nil }
            var written = 0
            while index < end, let digit = digitValue(bytes[index]) {
                written = min(written * 10 + Int(digit), 100_000)
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard index == end else { return nil }
        if exact, mantissa <= 1 << 53, abs(exponent) <= 22 {
            let magnitude = exponent < 0 ? Double(mantissa) / powersOfTen[-exponent] : Double(mantissa) * powersOfTen[exponent]
            return negative ? -magnitude : magnitude
        }
        return slowDouble(bytes, start, end)
    }

    /// Correctly rounded conversion through `strtod` for text already checked to be a decimal number.
    private static func slowDouble(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) { text in
            for offset in 0..<(end - start) { text[offset] = CChar(bitPattern: bytes[start + offset]) }
            text[end - start] = 0
            return strtod(text.baseAddress!, nil)
        }
    }

    /// The value of an ASCII digit, or `nil`.
    @inline(__always)
    private static func digitValue(_ byte: UInt8) -> UInt64? {
        byte >= 48 && byte <= 57 ? UInt64(byte - 48) : nil
    }

    /// Whether the bytes equal an ASCII word, ignoring ASCII case.
    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        guard end - start == word.utf8CodeUnitCount else { return false }
        let pointer = word.utf8Start
        for offset in 0..<(end - start) where bytes[start + offset] | 0x20 != pointer[offset] { return false }
        return true
    }
}
