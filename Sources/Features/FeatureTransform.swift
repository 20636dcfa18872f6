/// One declarative feature transform. Serves as the module's README.
///
/// # JSON shape
/// A transform is a JSON object with exactly one key naming it; a pipeline is `{"steps": [transform, ...]}`.
/// Unknown transform names and unknown keys are rejected.
///
/// ```json
/// {"steps": [
///   {"ratio":        {"numerator": "amount", "denominator": "count", "as": "amount_per_count"}},
///   {"product":      {"left": "price", "right": "qty", "as": "revenue"}},
///   {"difference":   {"left": "end", "right": "start", "as": "duration"}},
///   {"log1p":        {"column": "amount", "as": "log_amount"}},
///   {"standardize":  {"column": "age"}},
///   {"min_max":      {"column": "income", "as": "income_scaled"}},
///   {"bucketize":    {"column": "age", "boundaries": [18, 30, 65], "as": "age_band"}},
///   {"one_hot":      {"column": "color", "prefix": "color"}},
///   {"ordinal":      {"column": "size", "as": "size_code"}},
///   {"date_parts":   {"column": "signup", "parts": ["year", "month", "day", "weekday", "hour"], "prefix": "signup"}},
///   {"fill_missing": {"column": "amount", "strategy": "median"}},
///   {"fill_missing": {"column": "city", "strategy": "constant", "value": "unknown"}}
/// ]}
/// ```
///
/// # Semantics
/// - Output placement: `as` names the output column; when `as` is omitted the input column is replaced in
///   place. Writing to another existing column is an error. `one_hot` and `date_parts` add columns
///   `<prefix>_<name>` and drop their input column. `fill_missing` always fills in place.
/// - Numeric inputs may be `int` or `double` columns; numeric outputs are `double` columns, except
///   `bucketize`, `one_hot`, `ordinal` and `date_parts`, which produce `int` columns.
/// - Nulls propagate: a null input gives a null output (`one_hot`: all zeros, `ordinal`: -1).
/// - `ratio`: null when the denominator is 0 (or either side is null). `product`, `difference`: IEEE results.
/// - `log1p`: `log(1 + x)`; null for `x <= -1`.
/// - `standardize`: `(x - mean) / std` with the population standard deviation of the fit column's finite
///   values; 0 when `std` is 0. `min_max`: `(x - min) / (max - min)`, 0 when `max == min`, not clipped.
///   Both fail to fit when the column has no finite value. NaN / infinite inputs propagate through the formula.
/// - `bucketize`: the bucket of `x` is the number of boundaries `<= x` (so `0...n`); NaN gives null.
/// - `one_hot`: categories are the sorted distinct text values of the fit column; one `int` 0/1 column per
///   category. A category unseen at fit time (or null) gives all zeros.
/// - `ordinal`: the code of a value is its index in the sorted fit categories; unseen values and nulls get -1.
/// - `date_parts`: parses ISO-8601 `YYYY-MM-DD`, optionally followed by `T` or a space and
///   `HH:MM[:SS[.fff]]`, optionally `Z` or `±HH:MM`. Parts are taken from the written local time (the offset
///   is not applied). Unparseable text gives nulls. `weekday` is ISO: 1 = Monday ... 7 = Sunday.
/// - `fill_missing`: `constant` uses `value` (must match the column type: number for int/double, with a
///   whole number for int; string; bool); `mean` / `median` use finite values of the fit column and turn an
///   int column into a double column; `most_frequent` uses the most common fit value (ties: the smallest).
///
/// # Fit / apply
/// ``fit(on:)`` learns statistics only from the frame it is given and returns a ``FittedTransform``
/// whose Codable state can be stored in a model file; ``FittedTransform/apply(to:)`` uses only that state.
public enum FeatureTransform: Sendable, Equatable {
    /// `numerator / denominator`.
    case ratio(RatioSpec)
    /// `left * right`.
    case product(PairSpec)
    /// `left - right`.
    case difference(PairSpec)
    /// `log(1 + x)`.
    case log1p(ColumnSpec)
    /// `(x - mean) / std`.
    case standardize(ColumnSpec)
    /// `(x - min) / (max - min)`.
    case minMax(ColumnSpec)
    /// The bucket index of `x` between explicit boundaries.
    case bucketize(BucketizeSpec)
    /// One 0/1 column per category.
    case oneHot(OneHotSpec)
    /// An integer code per category.
    case ordinal(ColumnSpec)
    /// Calendar fields of ISO-8601 dates.
    case dateParts(DatePartsSpec)
    /// Replacement of nulls.
    case fillMissing(FillMissingSpec)

    /// The JSON key naming the transform, e.g. `min_max`.
    public var name: String {
        switch self {
        case .ratio: return "ratio"
        case .product: return "product"
        case .difference: return "difference"
        case .log1p: return "log1p"
        case .standardize: return "standardize"
        case .minMax: return "min_max"
        case .bucketize: return "bucketize"
        case .oneHot: return "one_hot"
        case .ordinal: return "ordinal"
        case .dateParts: return "date_parts"
        case .fillMissing: return "fill_missing"
        }
    }
}
