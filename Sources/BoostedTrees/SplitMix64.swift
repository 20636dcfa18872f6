/// A small, fast, seedable pseudo-random generator (SplitMix64, Steele et al. 2014).
///
/// All randomness in training (row subsampling, column sampling) comes from one of these, seeded from
/// ``BoostingParameters/seed``, so equal seeds give identical models.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator.
    /// - Parameter seed: Any 64-bit value; equal seeds produce equal sequences.
    public init(seed: UInt64) { state = seed }

    /// Returns the next 64 random bits.
    /// - Returns: A uniformly distributed `UInt64`.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    /// - Returns: The next uniform value.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
