/// The engine's only source of randomness: run ids and retry jitter both draw from it, so tests swap in
/// `SeededRandomSource` (from `PipelineTesting`) and get the same ids and delays on every run.
///
/// One source is shared by every run an executor performs, concurrently: an implementation with state keeps it
/// behind a lock (reference semantics), so two draws never return the same step of the sequence.
///
/// ```swift
/// let executor = PipelineExecutor(store: store, kinds: kinds, clock: clock, random: SeededRandomSource(seed: 42))
/// ```
public protocol RandomSource: Sendable {
    /// The next 64 uniformly distributed random bits.
    func next() -> UInt64
}

/// The real source: the system's cryptographically secure generator (`SystemRandomNumberGenerator`).
public struct SystemRandomSource: RandomSource {
    /// Creates the system source.
    public init() {}

    /// The next 64 random bits from the system generator.
    public func next() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

/// Lets the standard library's `random(in:using:)` APIs draw from a ``RandomSource``.
public struct RandomSourceGenerator: RandomNumberGenerator {
    /// The source every draw comes from.
    public let source: any RandomSource

    /// Draws from `source`.
    public init(source: any RandomSource) { self.source = source }

    /// The next 64 random bits of the source.
    public mutating func next() -> UInt64 { source.next() }
}
