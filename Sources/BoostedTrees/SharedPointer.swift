/// A raw pointer that may cross into worker threads.
///
/// `@unchecked Sendable` because every use gives each worker a disjoint index range to write
/// (or only reads), and all workers finish before the owning buffer is touched again.
struct SharedPointer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// Read-only counterpart of ``SharedPointer`` (same invariant).
struct SharedReadPointer<Element>: @unchecked Sendable {
    let base: UnsafePointer<Element>
    init(_ base: UnsafePointer<Element>) { self.base = base }
    subscript(i: Int) -> Element { base[i] }
}
