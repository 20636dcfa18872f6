/// A coding key for any string: lets a decoder list an object's keys (unknown-key checks, single-key objects).
public struct AnyCodingKey: CodingKey, Sendable {
    /// The key.
    public let stringValue: String
    /// Always `nil`: these keys are names.
    public let intValue: Int? = nil

    /// A key named `stringValue`.
    public init(stringValue: String) { self.stringValue = stringValue }

    /// Not supported: returns `nil`.
    public init?(intValue: Int) { nil }
}

extension Decoder {
    /// Throws when the current JSON object has keys outside `known`, so a typo like `min_row` is not silently ignored.
    /// Shared by the rule and transform decoders of `DataValidation` and `Features`.
    /// - Parameters:
    ///   - known: The accepted keys.
    ///   - context: Where the object sits, for the message (e.g. `rules`, `columns.age`, `ratio`).
    /// - Throws: `DecodingError.dataCorrupted` naming the unknown keys and listing the known ones.
    public func rejectUnknownKeys(_ known: [String], in context: String) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        let unknown = container.allKeys.map(\.stringValue).filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "unknown key \(unknown.map { "'\($0)'" }.joined(separator: ", ")) in \(context); "
                    + "known keys: \(known.joined(separator: ", "))"))
        }
    }

    /// Throws a `DecodingError.dataCorrupted` with `message` when `condition` is false.
    /// - Parameters:
    ///   - condition: The requirement.
    ///   - message: What is wrong and how to fix it.
    /// - Throws: `DecodingError.dataCorrupted`.
    public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard condition else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: message()))
        }
    }
}
