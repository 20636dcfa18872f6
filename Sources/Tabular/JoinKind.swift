/// How ``DataFrame/joined(with:on:kind:rightSuffix:)`` treats left rows without a matching key.
public enum JoinKind: String, Sendable, Hashable, Codable {
    /// Keep only left rows whose key matches at least one right row.
    case inner
    /// Keep every left row; right columns are null where no key matches.
    case left
}
