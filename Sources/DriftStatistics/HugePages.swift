#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel for transparent huge pages for the whole 2 MiB blocks of a large, not yet touched buffer.
///
/// A sort writes tens of megabytes into fresh buffers; with 4 KiB pages the page faults were about a fifth of it.
/// Where the kernel leaves huge pages to `madvise` (the common default), one fault then maps 2 MiB. Advice only:
/// nothing changes where it is refused or unsupported.
enum HugePages {
    private static let size = 2 << 20

    /// Advises `bytes` bytes from `start` (only the 2 MiB blocks wholly inside, so nothing else shares the advice).
    static func advise(_ start: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        guard bytes >= 2 * size else { return }
        let address = UInt(bitPattern: start)
        let first = (address + UInt(size - 1)) & ~UInt(size - 1)
        let last = (address + UInt(bytes)) & ~UInt(size - 1)
        guard last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, Int(last - first), MADV_HUGEPAGE)
        #endif
    }

    /// Advises the storage of `buffer`.
    static func advise<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        guard let base = buffer.baseAddress else { return }
        advise(UnsafeMutableRawPointer(base), bytes: buffer.count * MemoryLayout<T>.stride)
    }
}
