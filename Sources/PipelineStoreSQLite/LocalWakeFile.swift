@preconcurrency internal import Dispatch
public import PipelineScheduler

#if canImport(Glibc)
    import Glibc
#endif

/// Scheduler wake-ups between processes sharing one SQLite file: `<database>-wake`, a file of a few bytes that a
/// writer rewrites after a change the scheduler reads (a metric, an alias move, a queued or ended run), and that
/// every `kiln serve` on the database watches with inotify.
///
/// Posting costs one `open` that fails when no daemon ever watched the database (the file is created by the first
/// watcher). A signal is a hint: watchers read the file when it changes, so two signals posted at once may arrive as
/// one, which is enough to wake a scheduler.
public struct LocalWakeFile: SchedulerSignalSource {
    /// The watched file.
    public let path: String

    /// The wake-up file of the database at `databasePath`.
    public init(databasePath: String) {
        self.path = databasePath + "-wake"
    }

    /// Tells the watchers of the database that `signal` happened; does nothing when nobody ever watched it.
    public func post(_ signal: SchedulerSignal) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(signal.rawValue.utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        _ = ftruncate(descriptor, off_t(bytes.count))
    }

    /// The signals posted from now on (creating the file when missing). The stream finishes at once when the file
    /// cannot be created or watched; the scheduler then keeps to its timers.
    public func signals() -> AsyncStream<SchedulerSignal> {
        AsyncStream(bufferingPolicy: .bufferingNewest(8)) { continuation in
            let created = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard created >= 0 else { return continuation.finish() }
            close(created)
            let watch = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard watch >= 0 else { return continuation.finish() }
            guard inotify_add_watch(watch, path, UInt32(IN_CLOSE_WRITE)) >= 0 else {
                close(watch)
                return continuation.finish()
            }
            let source = DispatchSource.makeReadSource(fileDescriptor: watch, queue: DispatchQueue(label: "kiln.wake"))
            source.setEventHandler { [path] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                var events = 0
                while buffer.withUnsafeMutableBytes({ Glibc.read(watch, $0.baseAddress, $0.count) }) > 0 { events += 1 }
                guard events > 0 else { return }
                continuation.yield(Self.signal(in: path) ?? .run)
            }
            source.setCancelHandler { close(watch) }
            continuation.onTermination = { _ in source.cancel() }
            source.resume()
        }
    }

    /// The signal last written to the file, if it names one.
    static func signal(in path: String) -> SchedulerSignal? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return SchedulerSignal(rawValue: String(decoding: buffer.prefix(count), as: UTF8.self))
    }
}
