import Tabular
extension FeatureTransform: Codable {
    /// The accepted parameter keys of each transform name.
    static let parameterKeys: [String: [String]] = [
        "ratio": ["numerator", "denominator", "as"],
        "product": ["left", "right", "as"],
        "difference": ["left", "right", "as"],
        "log1p": ["column", "as"],
        "standardize": ["column", "as"],
        "min_max": ["column", "as"],
        "bucketize": ["column", "boundaries", "as"],
        "one_hot": ["column", "prefix"],
        "ordinal": ["column", "as"],
        "date_parts": ["column", "parts", "prefix"],
        "fill_missing": ["column", "strategy", "value"],
    ]

    /// Decodes `{"<name>": {parameters}}`.
    /// - Parameters:
    ///   - decoder: The decoder.
    /// - Throws: `DecodingError` for zero or several keys, an unknown name, unknown parameters or bad values.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let known = Self.parameterKeys.keys.sorted().joined(separator: ", ")
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "a transform is an object with exactly one key naming it (one of \(known)), "
                    + "found \(container.allKeys.count) keys"))
        }
        guard let parameters = Self.parameterKeys[key.stringValue] else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "unknown transform '\(key.stringValue)'; known transforms: \(known)"))
        }
        let inner = try container.superDecoder(forKey: key)
        try inner.rejectUnknownKeys(parameters, in: key.stringValue)
        switch key.stringValue {
        case "ratio": self = .ratio(try RatioSpec(from: inner))
        case "product": self = .product(try PairSpec(from: inner))
        case "difference": self = .difference(try PairSpec(from: inner))
        case "log1p": self = .log1p(try ColumnSpec(from: inner))
        case "standardize": self = .standardize(try ColumnSpec(from: inner))
        case "min_max": self = .minMax(try ColumnSpec(from: inner))
        case "bucketize": self = .bucketize(try BucketizeSpec(from: inner))
        case "one_hot": self = .oneHot(try OneHotSpec(from: inner))
        case "ordinal": self = .ordinal(try ColumnSpec(from: inner))
        case "date_parts": self = .dateParts(try DatePartsSpec(from: inner))
        default: self = .fillMissing(try FillMissingSpec(from: inner))
        }
    }

    /// Encodes `{"<name>": {parameters}}`.
    /// - Parameters:
    ///   - encoder: The encoder.
    /// - Throws: `EncodingError` for non-finite numbers.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        let key = AnyCodingKey(stringValue: name)
        switch self {
        case .ratio(let spec): try container.encode(spec, forKey: key)
        case .product(let spec), .difference(let spec): try container.encode(spec, forKey: key)
        case .log1p(let spec), .standardize(let spec), .minMax(let spec), .ordinal(let spec):
            try container.encode(spec, forKey: key)
        case .bucketize(let spec): try container.encode(spec, forKey: key)
        case .oneHot(let spec): try container.encode(spec, forKey: key)
        case .dateParts(let spec): try container.encode(spec, forKey: key)
        case .fillMissing(let spec): try container.encode(spec, forKey: key)
        }
    }
}
