import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Samples resident memory every `interval` on a thread of its own, while windows are open: the peak of this process
/// (from `/proc/self/statm`) for tasks that run in-process, and the peak of a child process (from `/proc/PID/statm`,
/// plus `getrusage(RUSAGE_CHILDREN)` once it was waited for) for command tasks.
///
/// A window's peak is the largest value sampled while it was open. On systems without `/proc` the in-process figure
/// falls back to `getrusage(RUSAGE_SELF)`'s peak, which never goes down.
final class MemorySampler: Sendable {
    private struct Window {
        var peak = 0
        var child: Int32?
        var childPeak = 0
        var childrenBefore = 0
    }

    private struct State {
        var windows: [Int: Window] = [:]
        var next = 0
        var running = true
    }

    private let state = Mutex(State())
    private let interval: Duration
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Starts the sampling thread.
    init(interval: Duration = .milliseconds(2)) {
        self.interval = interval
        let thread = Thread { [self] in loop() }
        thread.name = "kiln-memory-sampler"
        thread.start()
    }

    /// Stops the thread (after its current sample).
    func stop() { state.withLock { $0.running = false } }

    /// Opens a window and takes a first sample into it.
    func openWindow() -> Int {
        let current = Self.residentBytes(pid: nil) ?? 0
        let children = Self.waitedChildrenPeak()
        return state.withLock { state in
            state.next += 1
            state.windows[state.next] = Window(peak: current, childrenBefore: children)
            return state.next
        }
    }

    /// Also samples child process `pid` in window `id`.
    func follow(_ id: Int, child pid: Int32?) {
        state.withLock { $0.windows[id]?.child = pid }
    }

    /// Closes window `id`: the peak of the child it followed (when one was followed), else of this process.
    func closeWindow(_ id: Int) -> Int {
        sample()
        let window = state.withLock { $0.windows.removeValue(forKey: id) } ?? Window()
        guard window.child != nil else { return window.peak }
        // RUSAGE_CHILDREN is the largest child waited for so far: when it grew during the window, it was this
        // task's child (tasks are measured one at a time), which sampling may have missed at its peak.
        let waited = Self.waitedChildrenPeak()
        return max(window.childPeak, waited > window.childrenBefore ? waited : 0)
    }

    /// The peak resident bytes of the largest child process waited for so far.
    static func waitedChildrenPeak() -> Int {
        #if canImport(Glibc)
            peakBytes(of: __rusage_who_t(RUSAGE_CHILDREN.rawValue))
        #else
            peakBytes(of: RUSAGE_CHILDREN)
        #endif
    }

    /// `getrusage`'s peak resident size of `who`, in bytes (Linux reports KiB, Darwin bytes).
    #if canImport(Glibc)
        private static func peakBytes(of who: __rusage_who_t) -> Int { peakBytes { getrusage(who, $0) } }
    #else
        private static func peakBytes(of who: Int32) -> Int { peakBytes { getrusage(who, $0) } }
    #endif

    private static func peakBytes(_ read: (UnsafeMutablePointer<rusage>) -> Int32) -> Int {
        var usage = rusage()
        _ = read(&usage)
        #if canImport(Darwin)
            return Int(usage.ru_maxrss)
        #else
            return Int(usage.ru_maxrss) * 1024
        #endif
    }

    private func loop() {
        while state.withLock({ $0.running }) {
            sample()
            let (seconds, attoseconds) = interval.components
            usleep(useconds_t(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
    }

    private func sample() {
        let followed = state.withLock { state in state.windows.compactMapValues(\.child) }
        let own = Self.residentBytes(pid: nil) ?? 0
        var children: [Int: Int] = [:]
        for (id, pid) in followed { children[id] = Self.residentBytes(pid: pid) ?? 0 }
        state.withLock { state in
            for id in state.windows.keys {
                state.windows[id]!.peak = max(state.windows[id]!.peak, own)
                if let child = children[id] { state.windows[id]!.childPeak = max(state.windows[id]!.childPeak, child) }
            }
        }
    }

    /// Resident bytes of this process (`pid == nil`) or of `pid`, from `/proc/…/statm`.
    static func residentBytes(pid: Int32?) -> Int? {
        let path = pid.map { "/proc/\($0)/statm" } ?? "/proc/self/statm"
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            guard pid == nil else { return nil }
            #if canImport(Glibc)
                return peakBytes(of: __rusage_who_t(RUSAGE_SELF.rawValue))
            #else
                return peakBytes(of: RUSAGE_SELF)
            #endif
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        return pages * pageSize
    }
}
