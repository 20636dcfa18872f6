import Synchronization

/// Thread-safe slots collecting one result per column from worker threads.
final class ResultSlots: Sendable {
    private let slots: Mutex<[Result<ColumnDriftResult, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ result: Result<ColumnDriftResult, any Error>) {
        slots.withLock { $0[index] = result }
    }

    /// All results in order; rethrows the first column's error.
    func values() throws -> [ColumnDriftResult] {
        try slots.withLock { $0 }.map { try $0!.get() }
    }
}
