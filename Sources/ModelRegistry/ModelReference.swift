/// A reference to one model version as pipelines and the CLI write it: `NAME` (its `production` version),
/// `NAME@ALIAS` or `NAME@VERSION`.
///
/// ```swift
/// let reference = try ModelReference(parsing: "recommendation@production")
/// // reference.model == "recommendation", reference.selector == .alias("production")
/// ```
public struct ModelReference: Sendable, Hashable, CustomStringConvertible {
    /// Which version of the model a reference picks.
    public enum Selector: Sendable, Hashable {
        /// The version an alias points at.
        case alias(String)
        /// A version by number.
        case version(Int)
    }

    /// The model's name.
    public var model: String
    /// Which of its versions.
    public var selector: Selector

    /// Creates a reference.
    ///
    /// - Parameters:
    ///   - model: The model's name.
    ///   - selector: Which version; by default the one `production` points at.
    public init(model: String, selector: Selector = .alias(RegistryNames.production)) {
        self.model = model
        self.selector = selector
    }

    /// Parses `NAME`, `NAME@ALIAS` or `NAME@VERSION`.
    ///
    /// After `@`, digits are a version number (from 1) and anything else an alias name.
    ///
    /// - Parameters:
    ///   - text: The reference.
    /// - Throws: ``RegistryError/invalidReference(_:)`` when it has no name, several `@`, an empty or malformed
    ///   selector, or version 0.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, RegistryNames.isValidModelName(parts[0]) else { throw RegistryError.invalidReference(text) }
        guard parts.count == 2 else {
            self.init(model: parts[0])
            return
        }
        let selector = parts[1]
        if !selector.isEmpty, selector.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let number = Int(selector), number >= 1 else { throw RegistryError.invalidReference(text) }
            self.init(model: parts[0], selector: .version(number))
        } else {
            guard RegistryNames.isValidAliasName(selector) else { throw RegistryError.invalidReference(text) }
            self.init(model: parts[0], selector: .alias(selector))
        }
    }

    /// The text form: `NAME@ALIAS` or `NAME@VERSION` (always with the selector).
    public var description: String {
        switch selector {
        case .alias(let alias): return "\(model)@\(alias)"
        case .version(let number): return "\(model)@\(number)"
        }
    }
}
