import Foundation
import PipelineModel

/// Compares expected and actual JSON values, numbers within a tolerance, and lists every difference.
enum ValueComparison {
    /// One difference: where (`rows`, `metrics.f1`, `[2]`), and both values.
    struct Difference: Hashable {
        var path: String
        var expected: JSONValue?
        var actual: JSONValue?
    }

    /// The differences between `expected` and `actual`; empty when they agree.
    static func differences(expected: JSONValue, actual: JSONValue?, tolerance: Double, path: String = "") -> [Difference] {
        guard let actual else { return [Difference(path: path, expected: expected, actual: nil)] }
        switch (expected, actual) {
        case (.number(let left), .number(let right)):
            return equal(left, right, tolerance: tolerance) ? [] : [Difference(path: path, expected: expected, actual: actual)]
        case (.array(let left), .array(let right)):
            guard left.count == right.count else {
                return [Difference(path: path, expected: expected, actual: actual)]
            }
            return zip(left, right).enumerated().flatMap { index, pair in
                differences(expected: pair.0, actual: pair.1, tolerance: tolerance, path: "\(path)[\(index)]")
            }
        case (.object(let left), .object(let right)):
            var found: [Difference] = []
            for key in left.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                found += differences(expected: left[key]!, actual: right[key], tolerance: tolerance, path: child)
            }
            return found
        default:
            return expected == actual ? [] : [Difference(path: path, expected: expected, actual: actual)]
        }
    }

    /// Whether two numbers agree within `tolerance` (absolute); NaN equals NaN.
    static func equal(_ left: Double, _ right: Double, tolerance: Double) -> Bool {
        if left.isNaN || right.isNaN { return left.isNaN && right.isNaN }
        if left == right { return true }
        return abs(left - right) <= tolerance
    }

    /// A value as it is written in a test file: `20.0`, `"text"`, `[1, 2]`, `null`; `(missing)` for none.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(missing)" }
        switch value {
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return String(format: "%.1f", number) }
            return "\(number)"
        default: return value.compactJSON
        }
    }

    /// A list shown on one line, cut after `limit` items.
    static func show(_ values: [JSONValue], limit: Int = 20) -> String {
        let shown = values.prefix(limit).map { show($0) }.joined(separator: ", ")
        return "[\(shown)\(values.count > limit ? ", … (\(values.count) values)" : "")]"
    }
}
