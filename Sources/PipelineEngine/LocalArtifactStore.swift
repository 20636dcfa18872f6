import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Artifacts as files under one folder: `ROOT/sha256/ab/cdef…`, written to a temporary file and renamed into
/// place, so a reader never sees a partial artifact.
public struct LocalArtifactStore: ArtifactStore {
    /// The folder holding the artifacts.
    public let root: String

    /// Uses (and creates when needed) `root`.
    public init(root: String) { self.root = root }

    /// Stores a copy of the file at `path`; returns `sha256:<hex>`.
    public func put(file path: String) async throws -> String {
        let input = open(path, O_RDONLY)
        guard input >= 0 else { throw ArtifactStoreError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        try makeDirectories(root + "/tmp")
        let temporary = root + "/tmp/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
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
        close(output)
        if failed {
            unlink(temporary)
            throw ArtifactStoreError("copying \(path) into the artifact store failed: \(String(cString: strerror(errno)))")
        }
        let hex = String(hex: hasher.finalize())
        let folder = root + "/sha256/" + hex.prefix(2)
        try makeDirectories(folder)
        let final = folder + "/" + hex.dropFirst(2)
        if rename(temporary, final) != 0 {
            unlink(temporary)
            throw ArtifactStoreError("cannot store artifact \(hex): \(String(cString: strerror(errno)))")
        }
        return "sha256:" + hex
    }

    /// The local path of `reference`.
    public func path(for reference: String) throws -> String {
        guard reference.hasPrefix("sha256:"), reference.count == 71,
            reference.dropFirst(7).allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else {
            throw ArtifactStoreError("'\(reference)' is not an artifact reference (expected sha256: and 64 hex digits)")
        }
        let hex = reference.dropFirst(7)
        let path = root + "/sha256/" + hex.prefix(2) + "/" + hex.dropFirst(2)
        guard access(path, R_OK) == 0 else {
            throw ArtifactStoreError("artifact \(reference) is not in \(root); was the state folder moved or cleaned?")
        }
        return path
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
