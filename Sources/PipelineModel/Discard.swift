import Dispatch

/// Frees large values off the caller's path.
///
/// Tearing down a read file's tree (its YAML nodes, field locations and entries) costs about a tenth of reading it:
/// 5 M instructions for a 1,000-task file, all of it on the path of `kiln run` and `kiln validate` before they go
/// on; a 1,000-task plan costs 2.6 M more. Such values are released on a background queue instead, on another
/// core; a short-lived command may exit first, and the system takes the memory back at once. Small values are freed
/// in place: waking a thread would cost more.
public enum Discard {
    /// Below this many tasks, a file's tree or a plan is freed in place.
    public static let threshold = 128

    private static let queue = DispatchQueue(label: "kiln.discard", qos: .utility)

    /// Releases `value`, a file's tree or a plan of `tasks` tasks, on the background queue from ``threshold`` tasks
    /// on, else in place.
    public static func inBackground<Value>(_ value: consuming Value, tasks: Int) {
        guard tasks >= threshold else { return }
        let box = Box(value)
        queue.async { box.value = nil }
    }

    /// Holds the value until the queue lets it go; only that queue touches it after the hand-off.
    private final class Box<Wrapped>: @unchecked Sendable {
        var value: Wrapped?
        init(_ value: consuming Wrapped) { self.value = value }
    }
}
