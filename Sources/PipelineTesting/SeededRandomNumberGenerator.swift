/// A deterministic random number generator (SplitMix64): the same seed gives the same numbers on every platform.
///
/// For code that takes `inout some RandomNumberGenerator`, such as `RetryPolicy.delay(beforeRetry:using:)`:
///
/// ```swift
/// var random = SeededRandomNumberGenerator(seed: 7)
/// let delay = policy.delay(beforeRetry: 1, using: &random)   // the same on every run
/// ```
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 bits of the sequence.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
