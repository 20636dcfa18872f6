import Crypto
import PipelineModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Computes a task's cache key: a SHA-256 over everything its result depends on.
///
/// The key covers the pipeline name, the task id, the action (kind name, or the resolved argv / shell script),
/// the resolved `with:` inputs, the resolved `env:`, the working directory, the cache `version`, and the content
/// hash of every file that a resolved argument or input names (relative paths resolve against the working
/// directory; a directory contributes its file names, sizes and modification times).
enum CacheKey {
    ///
    /// `known` holds facts already read of some named files (the attempt's lineage, read just before): their digests
    /// are reused instead of hashing the files a second time.
    static func compute(
        pipeline: String, task: TaskSpec, context: TaskContext, version: String?, known: [String: FileFacts] = [:]
    ) throws -> String {
        var material: [String: JSONValue] = [
            "pipeline": .string(pipeline),
            "task": .string(task.id),
            "inputs": .object(context.inputs),
            "env": .object(context.environment.mapValues(JSONValue.string)),
            "workdir": .string(context.workingDirectory),
            "version": version.map(JSONValue.string) ?? .null,
        ]
        switch context.action {
        case .run(let argv): material["run"] = .array(argv.map(JSONValue.string))
        case .shell(let script): material["shell"] = .string(script)
        case .uses(let kind): material["uses"] = .string(kind)
        }
        let candidates = namedFiles(context.action, inputs: context.inputs, environment: context.environment)
        var files: [String: JSONValue] = [:]
        for candidate in Set(candidates) where !candidate.isEmpty && candidate.utf8.count < 4096 {
            if let facts = known[candidate], facts.digest.hasPrefix(FileFacts.digestPrefix) {
                files[candidate] = .string(String(facts.digest.dropFirst(FileFacts.digestPrefix.count)))
                continue
            }
            let path = candidate.hasPrefix("/") ? candidate : context.workingDirectory + "/" + candidate
            if let digest = try fileDigest(path) { files[candidate] = .string(digest) }
        }
        material["files"] = .object(files)
        let digest = SHA256.hash(data: Array(JSONValue.object(material).compactJSON.utf8))
        return String(hex: digest)
    }

    /// Every word that may name a file the task reads: each `run:` argument, each whitespace-separated word of a
    /// `shell:` script and each value of its `${{ }}` expressions, and each string in the resolved inputs.
    static func namedFiles(_ action: ResolvedAction, inputs: [String: JSONValue], environment: [String: String]) -> [String] {
        var candidates: [String] = []
        switch action {
        case .run(let argv):
            candidates = argv
        case .shell(let script):
            candidates = script.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
            // Values of `${{ }}` reach the script as variables (`KILN_VALUE_n`): each may name a file too.
            for (name, value) in environment where name.hasPrefix(Template.shellValuePrefix) {
                candidates.append(value)
            }
        case .uses:
            break
        }
        collectStrings(.object(inputs), into: &candidates)
        return candidates
    }

    private static func collectStrings(_ value: JSONValue, into out: inout [String]) {
        switch value {
        case .string(let text): out.append(text)
        case .array(let values): values.forEach { collectStrings($0, into: &out) }
        case .object(let members): members.values.forEach { collectStrings($0, into: &out) }
        case .null, .bool, .number: break
        }
    }

    /// The SHA-256 of a regular file, a listing digest for a directory, or `nil` when nothing is there.
    static func fileDigest(_ path: String) throws -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard let directory = opendir(path) else { return nil }
            defer { closedir(directory) }
            var entries: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name == "." || name == ".." { continue }
                var child = stat()
                guard stat(path + "/" + name, &child) == 0 else { continue }
                entries.append("\(name):\(child.st_size):\(child.st_mtim.tv_sec).\(child.st_mtim.tv_nsec)")
            }
            let digest = SHA256.hash(data: Array(entries.sorted().joined(separator: "\n").utf8))
            return "dir:" + String(hex: digest)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return try hashFile(path)?.digest
    }

    /// The hex SHA-256 of the regular file at `path`, its size, its number of line feeds and whether its last byte
    /// is one; `nil` when no regular file is there.
    static func hashFile(_ path: String) throws -> (digest: String, bytes: Int64, lines: Int, endsWithNewline: Bool)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var (bytes, lines, last): (Int64, Int, UInt8) = (0, 0, 0)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { throw TaskFailure("could not read \(path) to compute its content hash (errno \(errno))") }
            if count == 0 { break }
            hasher.update(data: buffer[0..<count])
            for byte in buffer[0..<count] where byte == 0x0A { lines += 1 }
            bytes += Int64(count)
            last = buffer[count - 1]
        }
        return (String(hex: hasher.finalize()), bytes, lines, last == 0x0A)
    }
}

extension String {
    /// Lowercase hex digits, two per byte (a digest's usual text), built in one buffer.
    init(hex bytes: some Sequence<UInt8>) {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0xF)])
        }
        self = String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
