public import PipelineModel
import Synchronization

/// A ``RandomSource`` with a fixed sequence, for executors whose run ids and retry jitter tests must predict.
///
/// Draws come from one ``SeededRandomNumberGenerator`` behind a lock, so every run of an executor continues the
/// same sequence (two runs created at the same instant still get different ids).
///
/// ```swift
/// let executor = PipelineExecutor(store: store, kinds: kinds, clock: clock, random: SeededRandomSource(seed: 42))
/// ```
public final class SeededRandomSource: RandomSource {
    private let generator: Mutex<SeededRandomNumberGenerator>

    /// A source whose sequence is that of `SeededRandomNumberGenerator(seed: seed)`.
    public init(seed: UInt64) {
        generator = Mutex(SeededRandomNumberGenerator(seed: seed))
    }

    /// The next 64 bits of the sequence.
    public func next() -> UInt64 {
        generator.withLock { $0.next() }
    }
}
