import Foundation
import PipelineModel

extension RowCounter {
    /// The modification times of the CSV files `path` names (for replaying data arrival).
    static func modificationTimes(path: String) -> [Timestamp] {
        files(path).compactMap { file in
            guard let date = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
            else { return nil }
            return Timestamp(nanosecondsSince1970: Int64(date.timeIntervalSince1970 * 1e9))
        }
    }
}
