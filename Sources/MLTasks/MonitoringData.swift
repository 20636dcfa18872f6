/// The data sources `kiln serve` records for monitoring rules: `predictions:NAME` (the prediction log of model NAME)
/// and `feedback:NAME` (its predictions joined with the labels fed back), folders of CSV files under the home
/// (``PredictionLog``).
public enum MonitoringData {
    /// The folder `text` names when it is `predictions:NAME` or `feedback:NAME`, else `text` unchanged.
    /// - Parameters:
    ///   - text: A rule's `current:` or `data:`.
    ///   - home: The home folder, or `nil` when the process has none (`text` is then returned unchanged).
    public static func resolve(_ text: String, home: String?) -> String {
        guard let home else { return text }
        for (prefix, folder) in [("predictions:", PredictionLog.predictionsFolder), ("feedback:", PredictionLog.feedbackFolder)]
        where text.hasPrefix(prefix) {
            let model = String(text.dropFirst(prefix.count))
            if !model.isEmpty, !model.contains("/"), !model.hasPrefix(".") { return folder(home, model) }
        }
        return text
    }
}
