public import PipelineModel
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one successful attempt of a task depended on besides its resolved inputs: enough to run it again and tell
/// whether anything changed since (see `kiln reproduce`).
///
/// The engine records it on the task's record when an attempt succeeds (or is served from the cache): the Kiln
/// version, platform and host of the process that ran it, the time the attempt started (the one time kinds write into
/// what they produce, see ``TaskContext/startedAt``), every file its resolved inputs or command name (read before the
/// attempt, as the cache key reads them), and the seeds of its randomness.
///
/// Stored form (`task_runs.lineage`, compact JSON with sorted keys; `started_at` is nanoseconds since 1970 as a
/// decimal string, since a JSON number cannot hold them exactly):
/// `{"files": {"data/x.csv": {"bytes": 1180839, "digest": "sha256:…", "rows": 20000}}, "host": "gpu-1",
///   "kiln": "0.1.0", "platform": "linux-x86_64", "seeds": [42], "started_at": "1764979200000000000"}` (`host` is
/// absent from lineage recorded before Kiln kept it).
public struct TaskLineage: Sendable, Hashable, Codable {
    /// The Kiln version that ran the attempt (``TaskLineage/currentKilnVersion`` of that process).
    public var kiln: String
    /// The operating system and processor of the process that ran it (`linux-x86_64`, `macos-arm64`).
    public var platform: String
    /// The host name of the machine that ran it — a `kiln worker`'s for a task run on workers; `nil` when recorded
    /// before Kiln kept it.
    public var host: String?
    /// When the attempt started, as the kind saw it in ``TaskContext/startedAt``.
    public var startedAt: Timestamp
    /// The regular files the task's resolved inputs, arguments or script named, by the name they were given
    /// (relative names resolve against the working directory), as they were before the attempt; and those the kind
    /// reported reading (``TaskContext/recordRead(_:)``: the files of a folder or glob), relative to the working
    /// directory when inside it.
    public var files: [String: FileFacts]
    /// The seeds the attempt used: every `seed` in its resolved inputs, and those the kind reported
    /// (``TaskContext/recordSeed(_:)``), sorted, without repeats.
    public var seeds: [Int64]

    /// The version of Kiln this build is.
    public static let currentKilnVersion = "0.1.0"

    /// The platform this process runs on: `<os>-<machine>` (`linux-x86_64`, `macos-arm64`).
    public static let currentPlatform: String = {
        #if os(Linux)
            let os = "linux"
        #elseif os(macOS)
            let os = "macos"
        #else
            let os = "unknown"
        #endif
        var names = utsname()
        guard uname(&names) == 0 else { return os }
        let machine = withUnsafeBytes(of: names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(os)-\(machine)"
    }()

    /// Creates a lineage.
    public init(
        kiln: String = TaskLineage.currentKilnVersion, platform: String = TaskLineage.currentPlatform,
        host: String? = nil, startedAt: Timestamp, files: [String: FileFacts] = [:], seeds: [Int64] = []
    ) {
        self.kiln = kiln
        self.platform = platform
        self.host = host
        self.startedAt = startedAt
        self.files = files
        self.seeds = Array(Set(seeds)).sorted()
    }

    /// The stored JSON form (see the type's documentation).
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "kiln": .string(kiln), "platform": .string(platform),
            "started_at": .string(String(startedAt.nanosecondsSince1970)),
            "files": .object(files.mapValues(\.json)), "seeds": .array(seeds.map { .number(Double($0)) }),
        ]
        if let host { members["host"] = .string(host) }
        return .object(members)
    }

    /// The stored form as text: exactly ``json``'s `compactJSON`, written straight out (a run stores one for every
    /// task that succeeds; building the object first and sorting its keys cost about twice as much).
    public var storedText: String {
        // Keys in sorted order: files, host, kiln, platform, seeds, started_at. Bytes, then one string: appending to
        // a `String` piece by piece cost twice as much.
        var out: [UInt8] = []
        out.reserveCapacity(160)
        out.append(contentsOf: #"{"files":"#.utf8)
        if files.isEmpty {
            out.append(contentsOf: "{}".utf8)
        } else {
            JSONValue.object(files.mapValues(\.json)).write(into: &out)
        }
        if let host {
            out.append(contentsOf: #","host":"#.utf8)
            JSONValue.writeQuoted(host, into: &out)
        }
        out.append(contentsOf: #","kiln":"#.utf8)
        JSONValue.writeQuoted(kiln, into: &out)
        out.append(contentsOf: #","platform":"#.utf8)
        JSONValue.writeQuoted(platform, into: &out)
        out.append(contentsOf: #","seeds":"#.utf8)
        if seeds.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            JSONValue.array(seeds.map { .number(Double($0)) }).write(into: &out)
        }
        out.append(contentsOf: #","started_at":""#.utf8)
        JSONValue.writeDecimal(startedAt.nanosecondsSince1970, into: &out)
        out.append(contentsOf: #""}"#.utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the stored JSON form; `nil` when it is malformed.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, let kiln = members["kiln"]?.stringValue,
            let platform = members["platform"]?.stringValue,
            let started = members["started_at"]?.stringValue.flatMap({ Int64($0) }),
            case .object(let files) = members["files"] ?? .object([:]), case .array(let seeds) = members["seeds"] ?? .array([])
        else { return nil }
        var facts: [String: FileFacts] = [:]
        for (name, value) in files {
            guard let fact = FileFacts(json: value) else { return nil }
            facts[name] = fact
        }
        let numbers = seeds.compactMap { $0.numberValue.flatMap { Int64(exactly: $0) } }
        guard numbers.count == seeds.count else { return nil }
        let host: String?
        switch members["host"] {
        case nil: host = nil
        case .string(let name)?: host = name
        default: return nil
        }
        self.init(kiln: kiln, platform: platform, host: host, startedAt: Timestamp(nanosecondsSince1970: started),
                  files: facts, seeds: numbers)
    }

    // `Codable` goes through the stored JSON form, so every store and document spells it the same way.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        guard let lineage = TaskLineage(json: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a task lineage object"))
        }
        self = lineage
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The lineage of an attempt about to start: the named files as they are now and the seeds of its inputs.
    static func before(_ context: TaskContext) async -> TaskLineage {
        let (paths, bytes) = namedFiles(context)
        // Hashing large files takes a while: on a thread of its own, so it holds no thread of the cooperative pool
        // (the engine's loop, timers and commands stay responsive).
        let files = bytes < largeFiles ? read(paths) : await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: read(paths)) }
        }
        return TaskLineage(context, files: files)
    }

    /// ``before(_:)`` on the calling thread, when the named files fit in `budget` bytes (which they then use up);
    /// `nil` otherwise.
    static func beforeAtOnce(_ context: TaskContext, budget: inout Int64) -> TaskLineage? {
        let (paths, bytes) = namedFiles(context)
        guard bytes <= budget else { return nil }
        budget -= bytes
        return TaskLineage(context, files: read(paths))
    }

    private init(_ context: TaskContext, files: [String: FileFacts]) {
        var seeds: [Int64] = []
        Self.collectSeeds(.object(context.inputs), into: &seeds)
        self.init(host: RunOwner.thisHost, startedAt: context.startedAt, files: files, seeds: seeds)
    }

    /// The regular files the attempt names (by name as written and by path), and their total size.
    private static func namedFiles(_ context: TaskContext) -> (paths: [(name: String, path: String)], bytes: Int64) {
        var paths: [(name: String, path: String)] = []
        var bytes: Int64 = 0
        for name in Set(CacheKey.namedFiles(context.action, inputs: context.inputs, environment: context.environment)) {
            guard !name.isEmpty, name.utf8.count < 4096 else { continue }
            let path = name.hasPrefix("/") ? name : context.workingDirectory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            paths.append((name, path))
            bytes += Int64(info.st_size)
        }
        return (paths, bytes)
    }

    private static func read(_ paths: [(name: String, path: String)]) -> [String: FileFacts] {
        var files: [String: FileFacts] = [:]
        for (name, path) in paths { files[name] = FileFacts.read(path) }
        return files
    }

    /// The total size of the named files from which they are hashed on a thread of their own: 4 MiB.
    static let largeFiles: Int64 = 4 << 20

    /// Adds the files a kind reported reading (``TaskContext/recordRead(_:)``) that are not recorded yet, by their
    /// path relative to `workingDirectory` when they are inside it.
    mutating func addReads(_ paths: [String], workingDirectory: String) {
        let prefix = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        for path in Set(paths) {
            let absolute = path.hasPrefix("/") ? path : prefix + path
            let name = absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
            guard files[name] == nil, let facts = FileFacts.read(absolute) else { continue }
            files[name] = facts
        }
    }

    private static func collectSeeds(_ value: JSONValue, into seeds: inout [Int64]) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                if key == "seed", let number = member.numberValue, number.rounded() == number, abs(number) < 9e18 {
                    seeds.append(Int64(number))
                } else {
                    collectSeeds(member, into: &seeds)
                }
            }
        case .array(let values): values.forEach { collectSeeds($0, into: &seeds) }
        case .null, .bool, .number, .string: break
        }
    }
}

/// A file as a task found it: its content hash, size and, for `.csv`/`.tsv` files, its rows.
public struct FileFacts: Sendable, Hashable, Codable {
    /// `sha256:` and the hex SHA-256 of the content.
    public var digest: String
    /// The size in bytes.
    public var bytes: Int64
    /// For a `.csv` or `.tsv` file: its lines after the header line (a quoted field with a line break counts one
    /// line more); `nil` for other files.
    public var rows: Int?

    /// Creates facts.
    public init(digest: String, bytes: Int64, rows: Int? = nil) {
        self.digest = digest
        self.bytes = bytes
        self.rows = rows
    }

    /// `{"digest", "bytes", "rows"?}`.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["digest": .string(digest), "bytes": .number(Double(bytes))]
        if let rows { members["rows"] = .number(Double(rows)) }
        return .object(members)
    }

    /// Reads the JSON form; `nil` when it is malformed.
    public init?(json: JSONValue) {
        guard case .object(let members) = json, let digest = members["digest"]?.stringValue,
            let bytes = members["bytes"]?.numberValue.flatMap({ Int64(exactly: $0) })
        else { return nil }
        self.init(digest: digest, bytes: bytes, rows: members["rows"]?.numberValue.flatMap { Int(exactly: $0) })
    }

    /// What ``digest`` starts with: `sha256:`.
    static let digestPrefix = "sha256:"

    /// The facts of the regular file at `path`, or `nil` when there is none (or it cannot be read).
    public static func read(_ path: String) -> FileFacts? {
        guard let (digest, bytes, lines, endsWithNewline) = try? CacheKey.hashFile(path) else { return nil }
        let lower = path.lowercased()
        let tabular = lower.hasSuffix(".csv") || lower.hasSuffix(".tsv")
        let rows = tabular ? max(0, lines + (bytes > 0 && !endsWithNewline ? 1 : 0) - 1) : nil
        return FileFacts(digest: digestPrefix + digest, bytes: bytes, rows: rows)
    }
}
