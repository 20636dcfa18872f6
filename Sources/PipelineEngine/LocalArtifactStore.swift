import Crypto
import PipelineModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Artifacts as files under one folder: `ROOT/sha256/ab/cdef…`, written to a temporary file and renamed into
/// place, so a reader never sees a partial artifact. The folder may be shared by several machines (NFS and the
/// like): rename is atomic there too, and every read checks the file's content against its reference.
public struct LocalArtifactStore: ArtifactStore {
    /// The folder holding the artifacts.
    public let root: String

    /// Uses (and creates when needed) `root`.
    public init(root: String) { self.root = root }

    /// The folder.
    public var location: String { root }

    /// Stores a copy of the file at `path`; returns `sha256:<hex>`.
    public func put(file path: String) async throws -> String {
        let input = open(path, O_RDONLY)
        guard input >= 0 else { throw ArtifactStoreError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let temporary = try makeTemporaryFile()
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard output >= 0 else { throw ArtifactStoreError("cannot write under \(root): \(String(cString: strerror(errno)))") }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var failed = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count <= 0 {
                failed = count < 0
                break
            }
            hasher.update(data: buffer[0..<count])
            let written = buffer.withUnsafeBytes { write(output, $0.baseAddress, count) }
            if written != count {
                failed = true
                break
            }
        }
        if !failed && fsync(output) != 0 { failed = true }
        close(output)
        if failed {
            unlink(temporary)
            throw ArtifactStoreError("copying \(path) into the artifact store failed: \(String(cString: strerror(errno)))")
        }
        let reference = "sha256:" + ArtifactDigest.hex(hasher.finalize())
        try install(temporary, as: reference)
        return reference
    }

    /// Moves the complete file `temporary` (under ``temporaryFolder``) into place as `reference`, replacing the file
    /// there (which refreshes its age).
    /// - Throws: ``ArtifactStoreError`` when the folder cannot be created or the rename fails.
    public func install(_ temporary: String, as reference: String) throws {
        let final = try file(for: reference)
        try makeDirectories(String(final[..<final.lastIndex(of: "/")!]))
        if rename(temporary, final) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ArtifactStoreError("cannot store artifact \(reference) in \(root): \(reason)")
        }
    }

    /// A new, unused path under ``temporaryFolder`` (the folder is created when missing).
    public func makeTemporaryFile() throws -> String {
        try makeDirectories(temporaryFolder)
        return temporaryFolder + "/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// Where files being written wait, on the same file system as the artifacts.
    public var temporaryFolder: String { root + "/tmp" }

    /// The path of `reference`, after checking that the file there holds exactly the bytes it names.
    public func localPath(for reference: String) async throws -> String {
        let path = try file(for: reference)
        guard access(path, R_OK) == 0 else {
            throw ArtifactStoreError("artifact \(reference) is not in \(root); was the state folder moved or cleaned?")
        }
        let (digest, size) = try ArtifactDigest.sha256(ofFile: path)
        guard "sha256:" + digest == reference else {
            throw ArtifactStoreError(
                "artifact \(reference) in \(root) is corrupt: \(path) (\(size) bytes) hashes to sha256:\(digest); "
                    + "delete it and run the task that produced it again")
        }
        return path
    }

    /// The path `reference` has in this store, whether or not it exists.
    /// - Throws: ``ArtifactStoreError`` for a malformed reference.
    public func file(for reference: String) throws -> String {
        let hex = try ArtifactReference.digest(of: reference)
        return root + "/sha256/" + hex.prefix(2) + "/" + hex.dropFirst(2)
    }

    /// Whether the file of `reference` exists.
    public func contains(_ reference: String) async throws -> Bool {
        access(try file(for: reference), F_OK) == 0
    }

    /// Every file under `ROOT/sha256/` whose name is a digest.
    public func list() async throws -> [StoredArtifact] {
        var found: [StoredArtifact] = []
        for prefix in try entries(of: root + "/sha256") where prefix.utf8.count == 2 {
            for rest in try entries(of: root + "/sha256/" + prefix) {
                let reference = "sha256:" + prefix + rest
                guard ArtifactReference.isValid(reference) else { continue }
                var info = stat()
                guard stat(root + "/sha256/" + prefix + "/" + rest, &info) == 0 else { continue }
                #if canImport(Darwin)
                    let modified = info.st_mtimespec
                #else
                    let modified = info.st_mtim
                #endif
                found.append(StoredArtifact(
                    reference: reference, size: Int64(info.st_size),
                    modifiedAt: Timestamp(nanosecondsSince1970: Int64(modified.tv_sec) * 1_000_000_000 + Int64(modified.tv_nsec))))
            }
        }
        return found
    }

    /// Removes the file of `reference`.
    public func delete(_ reference: String) async throws {
        let path = try file(for: reference)
        if unlink(path) != 0 && errno != ENOENT {
            throw ArtifactStoreError("cannot delete \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func entries(of folder: String) throws -> [String] {
        guard let directory = opendir(folder) else {
            if errno == ENOENT { return [] }
            throw ArtifactStoreError("cannot list \(folder): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ArtifactStoreError("cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// SHA-256 digests of files, as artifact references name them.
public enum ArtifactDigest {
    /// The lowercase hex SHA-256 of the file at `path` and its size.
    /// - Throws: ``ArtifactStoreError`` when the file cannot be read.
    public static func sha256(ofFile path: String) throws -> (digest: String, size: Int64) {
        let input = open(path, O_RDONLY)
        guard input >= 0 else { throw ArtifactStoreError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var size: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 { throw ArtifactStoreError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            size += Int64(count)
            hasher.update(data: buffer[0..<count])
        }
        return (hex(hasher.finalize()), size)
    }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: some Sequence<UInt8>) -> String { String(hex: digest) }
}
