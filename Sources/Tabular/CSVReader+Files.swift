import Foundation

extension CSVReader {
    /// The files a path stands for: the file itself, the `*.csv` files of a directory, or the files
    /// matching a glob in the last path component; sorted by name.
    /// - Parameters:
    ///   - path: A file path, a directory path or a glob pattern such as `data/incoming/*.csv`.
    /// - Throws: ``TabularError/noFilesMatched(pattern:)`` when nothing matches.
    public static func files(matching path: String) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        let url = URL(fileURLWithPath: path)
        let directory: String
        let pattern: WildcardPattern
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { return [path] }
            directory = path
            pattern = WildcardPattern("*.csv", caseInsensitive: true)
        } else if WildcardPattern.hasWildcards(url.lastPathComponent) {
            directory = url.deletingLastPathComponent().path
            pattern = WildcardPattern(url.lastPathComponent)
        } else {
            throw TabularError.fileUnreadable(path: path, reason: "no such file or directory")
        }
        let names = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        let matched = names.filter { name in
            var entryIsDirectory: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(name)
            return pattern.matches(name) && manager.fileExists(atPath: full, isDirectory: &entryIsDirectory)
                && !entryIsDirectory.boolValue
        }.sorted()
        guard !matched.isEmpty else { throw TabularError.noFilesMatched(pattern: path) }
        return matched.map { (directory as NSString).appendingPathComponent($0) }
    }
}
