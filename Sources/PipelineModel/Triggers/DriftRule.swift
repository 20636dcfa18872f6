/// `drift:` — fires when current data drifted from a production model's reference: its training data (input
/// columns), the scores it gave its test split (predictions), or both.
public struct DriftRule: Sendable, Hashable, Codable {
    /// What a drift rule compares.
    public enum Target: String, Sendable, Hashable, Codable, CaseIterable {
        /// The model's input columns: training data against current data (the default).
        case columns
        /// The production version's scores: on its test split (kept at registration) against on current data,
        /// plus the label when the current data has it.
        case predictions
        /// Both; the rule fires when either drifted.
        case both
    }

    /// The registered model whose production version's training data is the reference.
    public var model: String
    /// The current data: a CSV file, folder or glob relative to the pipeline file.
    public var current: String
    /// The statistical method: `auto` (Evidently's defaults), or a named test such as `ks`, `psi`.
    public var method: String
    /// The share of drifted columns (0–1) at which the dataset counts as drifted. Default 0.5.
    public var share: Double
    /// What is compared: input columns (default), predictions, or both.
    public var on: Target

    /// Creates a rule.
    public init(model: String, current: String, method: String = "auto", share: Double = 0.5, on: Target = .columns) {
        self.model = model
        self.current = current
        self.method = method
        self.share = share
        self.on = on
    }

    private enum CodingKeys: String, CodingKey {
        case model, current, method, share, on
    }

    /// Decodes a rule; `on` absent (a pipeline stored before it existed) is `columns`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        current = try container.decode(String.self, forKey: .current)
        method = try container.decode(String.self, forKey: .method)
        share = try container.decode(Double.self, forKey: .share)
        on = try container.decodeIfPresent(Target.self, forKey: .on) ?? .columns
    }

    /// Encodes a rule; `on` only when it is not `columns`, so snapshots of rules without it stay as they were.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(current, forKey: .current)
        try container.encode(method, forKey: .method)
        try container.encode(share, forKey: .share)
        if on != .columns { try container.encode(on, forKey: .on) }
    }
}
