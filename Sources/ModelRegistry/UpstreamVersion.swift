/// A model version that another version was built from (for example the embedding model a ranker consumed).
public struct UpstreamVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The upstream model's name.
    public var name: String
    /// The upstream version number (from 1).
    public var version: Int

    /// Creates a reference to version `version` of model `name`.
    ///
    /// - Parameters:
    ///   - name: The upstream model's name.
    ///   - version: Its version number, from 1.
    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    /// Orders by name, then version.
    public static func < (lhs: UpstreamVersion, rhs: UpstreamVersion) -> Bool {
        (lhs.name, lhs.version) < (rhs.name, rhs.version)
    }

    /// `name@version`, the reference syntax that resolves back to this version.
    public var description: String { "\(name)@\(version)" }
}
