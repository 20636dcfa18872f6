/// Checks ``YAMLBlockComposer`` against libyaml: the tests and the `pipeline-file` fuzz target compose texts both ways.
@_spi(Testing)
public enum YAMLComposerCheck {
    /// How `text` composed both ways compares.
    public enum Outcome: Equatable, Sendable {
        /// The block composer declined the text (libyaml composes it).
        case declined
        /// Both composed the same nodes, with the same marks, styles and tags.
        case same
        /// They differ; the text says where.
        case different(String)
    }

    /// Composes `text` with the block composer and with libyaml, and compares.
    public static func compare(_ text: String) -> Outcome {
        var text = text
        text.makeContiguousUTF8()
        guard let fast = text.utf8.withContiguousStorageIfAvailable({ YAMLBlockComposer.compose($0) }) ?? nil else {
            return .declined
        }
        switch YAMLComposer.compose(text, blockComposer: false) {
        case .failure(let error):
            return .different("libyaml refuses the text (\(error.finding.message)), the block composer reads it")
        case .success(nil):
            return .different("libyaml finds an empty document, the block composer a root")
        case .success(let reference?):
            return difference(fast, reference, at: "root").map(Outcome.different) ?? .same
        }
    }

    /// The first difference between `node` (block composer) and `reference` (libyaml), or `nil`.
    static func difference(_ node: YAMLNode, _ reference: YAMLNode, at path: String) -> String? {
        guard node.mark == reference.mark else {
            let (mark, expected) = (node.mark, reference.mark)
            return "\(path): mark \(mark.line):\(mark.column), libyaml \(expected.line):\(expected.column)"
        }
        switch (node, reference) {
        case (.scalar(let scalar), .scalar(let expected)):
            if scalar.string != expected.string {
                return "\(path): \(scalar.string.debugDescription), libyaml \(expected.string.debugDescription)"
            }
            if scalar.style != expected.style { return "\(path): style \(scalar.style), libyaml \(expected.style)" }
            if scalar.tag != expected.tag { return "\(path): tag \(scalar.tag), libyaml \(expected.tag)" }
            return nil
        case (.sequence(let items), .sequence(let expected)):
            guard items.count == expected.count else {
                return "\(path): \(items.count) items, libyaml \(expected.count)"
            }
            for index in items.indices {
                if let found = difference(items[index], expected[index], at: "\(path)[\(index)]") { return found }
            }
            return nil
        case (.mapping(let pairs), .mapping(let expected)):
            guard pairs.count == expected.count else {
                return "\(path): \(pairs.count) keys, libyaml \(expected.count)"
            }
            for index in pairs.indices {
                let key = pairs[index].key.scalarValue?.string ?? "#\(index)"
                if let found = difference(pairs[index].key, expected[index].key, at: "\(path) key \(key)")
                    ?? difference(pairs[index].value, expected[index].value, at: "\(path).\(key)")
                {
                    return found
                }
            }
            return nil
        default:
            return "\(path): \(node.kindDescription), libyaml \(reference.kindDescription)"
        }
    }
}
