import Foundation

/// Hyperparameters of gradient-boosted trees, with XGBoost's names and defaults.
///
/// The JSON (Codable) form uses the snake_case names listed in ``parameterNames``; they are a contract.
/// Missing keys take the defaults below; unknown keys are rejected with ``BoostingError/unknownParameter(name:)``.
public struct BoostingParameters: Sendable, Equatable {
    /// The loss being minimised.
    public enum Objective: String, Sendable, Codable, CaseIterable {
        /// Logistic loss for 0/1 labels; predictions are probabilities of class 1.
        case binaryLogistic = "binary:logistic"
        /// Squared error for real-valued labels.
        case squaredError = "reg:squarederror"
    }

    /// `objective`: the loss. Default `binary:logistic`.
    public var objective: Objective = .binaryLogistic
    /// `n_estimators`: number of boosting rounds (trees), 1…``maxEstimators``. Default 100.
    public var nEstimators = 100
    /// `max_depth`: maximum tree depth (root = depth 0), 1…16. Default 6.
    public var maxDepth = 6
    /// `learning_rate` (eta): shrinkage applied to every leaf value, in (0, 1]. Default 0.3.
    public var learningRate = 0.3
    /// `min_child_weight`: minimum hessian sum in each child of a split. Default 1.
    public var minChildWeight = 1.0
    /// `lambda` (reg_lambda): L2 penalty on leaf values. Default 1.
    public var lambda = 1.0
    /// `gamma` (min_split_loss): minimum loss reduction G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) to split. Default 0.
    public var gamma = 0.0
    /// `subsample`: fraction of rows drawn (Bernoulli, per tree), in (0, 1]. Default 1.
    public var subsample = 1.0
    /// `colsample_bytree`: fraction of features drawn per tree, in (0, 1]. Default 1.
    public var colsampleBytree = 1.0
    /// `scale_pos_weight`: weight multiplier for rows with label 1 (logistic only). Default 1.
    public var scalePosWeight = 1.0
    /// `early_stopping_rounds`: stop when the validation loss has not improved for this many rounds
    /// (1…``maxEstimators``); `nil` = off.
    public var earlyStoppingRounds: Int?
    /// `seed`: seed of all random draws. Default 0.
    public var seed: UInt64 = 0
    /// `threads`: worker threads, 0…``maxThreads``; 0 = all active processors. Results do not depend on it. Default 0.
    public var threads = 0
    /// `max_bin`: maximum histogram bins per numeric feature, 2…256 (one fewer when the feature has missing
    /// values, whose bin takes the last 8-bit code). Default 256.
    public var maxBin = 256
    /// `base_score`: initial prediction (probability for logistic, value for regression);
    /// `nil` = 0.5 for logistic, the weighted label mean for regression.
    public var baseScore: Double?

    /// Creates parameters with XGBoost's defaults; change fields afterwards.
    public init() {}

    /// The largest accepted `n_estimators` and `early_stopping_rounds`: 100,000 rounds. Every round keeps a tree
    /// in memory, so a larger number only exhausts memory and time.
    public static let maxEstimators = 100_000
    /// The largest accepted `max_depth`: 16 (a tree of depth 16 has up to 131,071 nodes).
    public static let maxDepthLimit = 16
    /// The largest accepted `threads`: 1,024.
    public static let maxThreads = 1_024

    /// The JSON names of all parameters.
    public static let parameterNames = CodingKeys.allCases.map(\.rawValue)

    /// Checks every parameter's range.
    /// - Throws: ``BoostingError/invalidParameter(name:value:expected:)`` for the first bad value.
    public func validate() throws {
        func check(_ ok: Bool, _ name: CodingKeys, _ value: Any, _ expected: String) throws {
            if !ok { throw BoostingError.invalidParameter(name: name.rawValue, value: "\(value)", expected: expected) }
        }
        try check((1...Self.maxEstimators).contains(nEstimators), .nEstimators, nEstimators,
                  "an integer in 1…100000 (at most \(Self.maxEstimators) rounds; lower it, or set early_stopping_rounds)")
        try check((1...Self.maxDepthLimit).contains(maxDepth), .maxDepth, maxDepth, "an integer in 1…\(Self.maxDepthLimit)")
        try check(learningRate > 0 && learningRate <= 1, .learningRate, learningRate, "a number in (0, 1]")
        try check(minChildWeight >= 0 && minChildWeight.isFinite, .minChildWeight, minChildWeight, "a finite number ≥ 0")
        try check(lambda >= 0 && lambda.isFinite, .lambda, lambda, "a finite number ≥ 0")
        try check(gamma >= 0 && gamma.isFinite, .gamma, gamma, "a finite number ≥ 0")
        try check(subsample > 0 && subsample <= 1, .subsample, subsample, "a number in (0, 1]")
        try check(colsampleBytree > 0 && colsampleBytree <= 1, .colsampleBytree, colsampleBytree, "a number in (0, 1]")
        try check(scalePosWeight > 0 && scalePosWeight.isFinite, .scalePosWeight, scalePosWeight, "a finite number > 0")
        try check((1...Self.maxEstimators).contains(earlyStoppingRounds ?? 1), .earlyStoppingRounds,
                  earlyStoppingRounds ?? 0, "an integer in 1…\(Self.maxEstimators) or null")
        try check((0...Self.maxThreads).contains(threads), .threads, threads,
                  "an integer in 0…\(Self.maxThreads) (0 = all processors)")
        try check((2...256).contains(maxBin), .maxBin, maxBin, "an integer in 2…256")
        if let b = baseScore {
            let ok = objective == .binaryLogistic ? (b > 0 && b < 1) : b.isFinite
            try check(ok, .baseScore, b, objective == .binaryLogistic ? "a probability in (0, 1)" : "a finite number")
        }
    }

    /// The number of worker threads to use: ``threads``, or all active processors when it is 0.
    var effectiveThreads: Int { threads > 0 ? threads : Self.processors }

    /// The active processors, read once: on Linux each read of `activeProcessorCount` opens cgroup files, which a
    /// served model scoring one row per request must not do.
    static let processors = max(1, ProcessInfo.processInfo.activeProcessorCount)
}

extension BoostingParameters: Codable {
    /// JSON names of the parameters.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case objective, nEstimators = "n_estimators", maxDepth = "max_depth", learningRate = "learning_rate"
        case minChildWeight = "min_child_weight", lambda, gamma, subsample, colsampleBytree = "colsample_bytree"
        case scalePosWeight = "scale_pos_weight", earlyStoppingRounds = "early_stopping_rounds", seed, threads
        case maxBin = "max_bin", baseScore = "base_score"
    }

    /// A key that accepts any string, used to detect unknown parameter names.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes parameters from their snake_case JSON names, taking defaults for missing keys.
    /// - Parameter decoder: The decoder.
    /// - Throws: ``BoostingError/unknownParameter(name:)`` for an unknown key, ``BoostingError/invalidParameter(name:value:expected:)``
    ///   for an out-of-range value, or a `DecodingError` for a wrongly typed one.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.container(keyedBy: AnyKey.self)
        for key in raw.allKeys where CodingKeys(rawValue: key.stringValue) == nil {
            throw BoostingError.unknownParameter(name: key.stringValue)
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var p = BoostingParameters()
        p.objective = try c.decodeIfPresent(Objective.self, forKey: .objective) ?? p.objective
        p.nEstimators = try c.decodeIfPresent(Int.self, forKey: .nEstimators) ?? p.nEstimators
        p.maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth) ?? p.maxDepth
        p.learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? p.learningRate
        p.minChildWeight = try c.decodeIfPresent(Double.self, forKey: .minChildWeight) ?? p.minChildWeight
        p.lambda = try c.decodeIfPresent(Double.self, forKey: .lambda) ?? p.lambda
        p.gamma = try c.decodeIfPresent(Double.self, forKey: .gamma) ?? p.gamma
        p.subsample = try c.decodeIfPresent(Double.self, forKey: .subsample) ?? p.subsample
        p.colsampleBytree = try c.decodeIfPresent(Double.self, forKey: .colsampleBytree) ?? p.colsampleBytree
        p.scalePosWeight = try c.decodeIfPresent(Double.self, forKey: .scalePosWeight) ?? p.scalePosWeight
        p.earlyStoppingRounds = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingRounds)
        p.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? p.seed
        p.threads = try c.decodeIfPresent(Int.self, forKey: .threads) ?? p.threads
        p.maxBin = try c.decodeIfPresent(Int.self, forKey: .maxBin) ?? p.maxBin
        p.baseScore = try c.decodeIfPresent(Double.self, forKey: .baseScore)
        try p.validate()
        self = p
    }

    /// Encodes all parameters under their snake_case names (`early_stopping_rounds`/`base_score` as null when unset).
    /// - Parameter encoder: The encoder.
    /// - Throws: Whatever the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(objective, forKey: .objective)
        try c.encode(nEstimators, forKey: .nEstimators)
        try c.encode(maxDepth, forKey: .maxDepth)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(minChildWeight, forKey: .minChildWeight)
        try c.encode(lambda, forKey: .lambda)
        try c.encode(gamma, forKey: .gamma)
        try c.encode(subsample, forKey: .subsample)
        try c.encode(colsampleBytree, forKey: .colsampleBytree)
        try c.encode(scalePosWeight, forKey: .scalePosWeight)
        try c.encode(earlyStoppingRounds, forKey: .earlyStoppingRounds)
        try c.encode(seed, forKey: .seed)
        try c.encode(threads, forKey: .threads)
        try c.encode(maxBin, forKey: .maxBin)
        try c.encode(baseScore, forKey: .baseScore)
    }
}
