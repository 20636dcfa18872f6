/// The rules for model and alias names, shared by every store so they all accept and refuse the same names.
///
/// - Model names: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 100 characters
///   (`fraud`, `churn-v2`, `Recommendation.EU`).
/// - Alias names: `[a-z0-9][a-z0-9_-]*`, at most 64 characters, and not only digits — `name@3` means version 3,
///   so an alias `3` could never be referred to.
public enum RegistryNames {
    /// The alias that `name` alone refers to, and that promote and rollback move by default.
    public static let production = "production"

    /// Whether `name` can name a model.
    ///
    /// - Parameters:
    ///   - name: The candidate.
    /// - Returns: `true` when it follows the model name rules.
    public static func isValidModelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 100, isLetterOrDigit(first) else { return false }
        return name.utf8.allSatisfy {
            isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// Whether `name` can name an alias.
    ///
    /// - Parameters:
    ///   - name: The candidate.
    /// - Returns: `true` when it matches `[a-z0-9][a-z0-9_-]*`, has at most 64 characters and is not all digits.
    public static func isValidAliasName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, isLowerOrDigit(first) else { return false }
        guard name.utf8.allSatisfy({ isLowerOrDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
            return false
        }
        return !name.utf8.allSatisfy(isDigit)
    }

    /// Throws unless `name` is a valid model name.
    ///
    /// - Parameters:
    ///   - name: The candidate.
    /// - Throws: ``RegistryError/invalidModelName(_:)``.
    public static func checkModelName(_ name: String) throws {
        guard isValidModelName(name) else { throw RegistryError.invalidModelName(name) }
    }

    /// Throws unless `name` is a valid alias name.
    ///
    /// - Parameters:
    ///   - name: The candidate.
    /// - Throws: ``RegistryError/invalidAliasName(_:)``.
    public static func checkAliasName(_ name: String) throws {
        guard isValidAliasName(name) else { throw RegistryError.invalidAliasName(name) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLowerOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isLowerOrDigit(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
