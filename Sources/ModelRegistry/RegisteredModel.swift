public import PipelineModel

/// A model with everything the registry knows about it: its versions, where its aliases point, and their history.
public struct RegisteredModel: Sendable, Hashable {
    /// The model's name.
    public var name: String
    /// Every version, oldest (1) first.
    public var versions: [ModelVersion]
    /// Where each alias points: alias name → version number.
    public var aliases: [String: Int]
    /// Every alias move, oldest first.
    public var history: [AliasChange]

    /// Creates a model.
    ///
    /// - Parameters:
    ///   - name: The model's name.
    ///   - versions: Its versions, oldest first.
    ///   - aliases: Alias name → version number.
    ///   - history: Every alias move, oldest first.
    public init(name: String, versions: [ModelVersion], aliases: [String: Int], history: [AliasChange]) {
        self.name = name
        self.versions = versions
        self.aliases = aliases
        self.history = history
    }

    /// The newest version, or `nil` for a model without versions (stores never return one).
    public var latest: ModelVersion? { versions.last }

    /// The version number `production` points at, if any.
    public var production: Int? { aliases[RegistryNames.production] }

    /// Version `number`, if the model has it.
    ///
    /// - Parameters:
    ///   - number: The version number.
    /// - Returns: The version, or `nil`.
    public func version(_ number: Int) -> ModelVersion? {
        // Versions are consecutive from 1, so the number is the position (with a search as a fallback).
        if number >= 1, number <= versions.count, versions[number - 1].version == number { return versions[number - 1] }
        return versions.first { $0.version == number }
    }

    /// The aliases that point at version `number`, sorted.
    ///
    /// - Parameters:
    ///   - number: The version number.
    /// - Returns: Alias names, possibly none.
    public func aliases(of number: Int) -> [String] {
        aliases.filter { $0.value == number }.map(\.key).sorted()
    }

    /// When the model's first version was registered.
    public var createdAt: Timestamp? { versions.first?.createdAt }
}
