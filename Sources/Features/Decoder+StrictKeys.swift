extension Decoder {
    /// Throws when the current JSON object has keys outside `known`, so typos are not silently ignored.
    /// - Parameters:
    ///   - known: The accepted keys.
    ///   - context: The object's name for the message (e.g. `ratio`).
    /// - Throws: `DecodingError.dataCorrupted` naming the unknown keys and listing the known ones.
    func rejectUnknownKeys(_ known: [String], in context: String) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "unknown key \(unknown.map { "'\($0)'" }.joined(separator: ", ")) in \(context); "
                    + "known keys: \(known.joined(separator: ", "))"))
        }
    }
}
