/// A node of a composed YAML document, with where it starts in the source.
///
/// ``YAMLComposer`` builds these straight from libyaml's events. Aliases are resolved as they are read (an alias is
/// the node its anchor names), so the tree holds only scalars, sequences and mappings.
enum YAMLNode: Sendable {
    case scalar(Scalar)
    case sequence(Sequence)
    case mapping(Mapping)

    /// A 1-based position: line, and column in Unicode scalars (as libyaml counts them).
    struct Mark: Sendable, Hashable {
        var line: Int
        var column: Int
    }

    /// A scalar's text, how it was written, and its explicit tag if any.
    struct Scalar: Sendable {
        /// How the scalar was written.
        enum Style: Sendable {
            case plain, singleQuoted, doubleQuoted, literal, folded
        }

        /// The tag that decides what a scalar means (see ``ScalarKind``).
        enum Tag: Sendable {
            /// No tag: a plain scalar's text decides; other styles are text.
            case implicit
            /// The non-specific tag `!`: as ``implicit``.
            case nonSpecific
            case string, integer, float, bool, null
            /// Any other tag (`!custom`, `!!binary`, …): read as text.
            case other
        }

        var string: String
        var style: Style
        var tag: Tag
        var mark: Mark
    }

    /// A list, in order.
    struct Sequence: Sendable, RandomAccessCollection {
        var items: [YAMLNode]
        var mark: Mark

        var startIndex: Int { items.startIndex }
        var endIndex: Int { items.endIndex }
        subscript(position: Int) -> YAMLNode { items[position] }
    }

    /// A mapping's entries, in the file's order (repeated keys are kept: readers report them).
    struct Mapping: Sendable, RandomAccessCollection {
        var pairs: [(key: YAMLNode, value: YAMLNode)]
        var mark: Mark

        var startIndex: Int { pairs.startIndex }
        var endIndex: Int { pairs.endIndex }
        subscript(position: Int) -> (key: YAMLNode, value: YAMLNode) { pairs[position] }
    }

    /// Where the node starts: its first character (the opening quote or block indicator for such scalars).
    var mark: Mark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(let sequence): sequence.mark
        case .mapping(let mapping): mapping.mark
        }
    }
}
