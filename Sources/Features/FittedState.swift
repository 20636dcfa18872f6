/// Statistics learned by ``FeatureTransform/fit(on:)``; encoded as snake_case JSON with only the fields a
/// transform uses: `mean`, `std`, `min`, `max`, `categories`, `fill`.
public struct FittedState: Codable, Sendable, Equatable {
    /// The mean (`standardize`).
    public var mean: Double?
    /// The population standard deviation (`standardize`).
    public var std: Double?
    /// The minimum (`min_max`).
    public var min: Double?
    /// The maximum (`min_max`).
    public var max: Double?
    /// The sorted categories (`one_hot`, `ordinal`).
    public var categories: [String]?
    /// The replacement for nulls (`fill_missing`).
    public var fill: FillValue?

    /// Creates a state.
    /// - Parameters:
    ///   - mean: The mean.
    ///   - std: The standard deviation.
    ///   - min: The minimum.
    ///   - max: The maximum.
    ///   - categories: The categories.
    ///   - fill: The fill value.
    public init(mean: Double? = nil, std: Double? = nil, min: Double? = nil, max: Double? = nil,
                categories: [String]? = nil, fill: FillValue? = nil) {
        self.mean = mean
        self.std = std
        self.min = min
        self.max = max
        self.categories = categories
        self.fill = fill
    }
}
