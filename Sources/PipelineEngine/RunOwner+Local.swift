import PipelineModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RunOwner {
    /// This process, as the owner of the runs it executes.
    /// - Parameter label: What the process is, for messages (`kiln run`, `kiln serve`).
    public static func current(label: String) -> RunOwner {
        let pid = getpid()
        return RunOwner(label: label, host: thisHost, pid: pid, started: processStart(pid) ?? 0)
    }

    /// This machine's host name, as it was when the process first asked (every attempt's lineage names it).
    public static let thisHost: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Whether this owner is a process of this host that no longer runs (its pid is gone or now belongs to a process
    /// started at another time). `false` for another host's owner: only its lease expiry tells.
    public var isGoneFromThisHost: Bool {
        guard host == Self.thisHost else { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return true }
        if Self.processState(pid) == "Z" { return true }  // killed, not yet reaped by its parent
        guard started != 0, let current = Self.processStart(pid) else { return false }
        return current != started
    }

    /// When process `pid` started, in clock ticks since boot (`/proc/PID/stat` field 22); `nil` when unknown.
    public static func processStart(_ pid: Int32) -> Int64? {
        statFields(pid).flatMap { $0.count > 19 ? Int64($0[19]) : nil }
    }

    /// The state letter of process `pid` (`R`, `S`, `Z` for a zombie, …; `/proc/PID/stat` field 3); `nil` when unknown.
    public static func processState(_ pid: Int32) -> Character? {
        statFields(pid)?.first?.first
    }

    /// The fields of `/proc/PID/stat` after the command name: element 0 is field 3.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 1024)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        return fields
    }
}
