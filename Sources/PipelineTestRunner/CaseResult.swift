import Foundation
public import PipelineModel

/// The outcome of one test case.
public struct CaseResult: Sendable, Hashable {
    /// A check that did not hold, with what was expected and what was found.
    public struct Failure: Sendable, Hashable {
        /// What was checked: `outputs.rows`, `values of amount_ratio`, `state`, ….
        public var check: String
        /// The expected value, as written in a test file.
        public var expected: String
        /// The actual value.
        public var actual: String
        /// Further lines: the rows that differ, the task's error.
        public var details: [String]

        /// Creates a failure.
        public init(check: String, expected: String, actual: String, details: [String] = []) {
            self.check = check
            self.expected = expected
            self.actual = actual
            self.details = details
        }
    }

    /// The case.
    public var testCase: PipelineTestCase
    /// The checks that failed; empty when the case passed.
    public var failures: [Failure]
    /// Wall time of the case, in seconds (sandbox included).
    public var seconds: Double
    /// The checked task's final state, when it ran.
    public var state: TaskState?

    /// Creates a result.
    public init(testCase: PipelineTestCase, failures: [Failure], seconds: Double, state: TaskState?) {
        self.testCase = testCase
        self.failures = failures
        self.seconds = seconds
        self.state = state
    }

    /// Whether every check held.
    public var passed: Bool { failures.isEmpty }

    /// The report of the case: `PASS name (unit: task) 12ms`, and for a failure the diff of each check:
    ///
    /// ```
    /// FAIL amount-ratio (unit: amount-features) 14ms
    ///   values of amount_ratio:
    ///     expected: [20.0, 20.0]
    ///     actual:   [20.0, 21.0]
    ///     row 1: expected 20.0, actual 21.0
    /// ```
    public var lines: [String] {
        let scope = testCase.to.map { "\(testCase.task) → \($0)" } ?? testCase.task
        var lines = ["\(passed ? "PASS" : "FAIL") \(testCase.name) (\(testCase.layer): \(scope)) \(Self.format(seconds))"]
        for failure in failures {
            lines.append("  \(failure.check):")
            lines.append("    expected: \(failure.expected)")
            lines.append("    actual:   \(failure.actual)")
            lines += failure.details.map { "    \($0)" }
        }
        return lines
    }

    /// `850µs`, `12ms`, `1.42s`.
    public static func format(_ seconds: Double) -> String {
        if seconds < 0.001 { return "\(Int((seconds * 1_000_000).rounded()))µs" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        return String(format: "%.2fs", seconds)
    }
}
