import Foundation
import PipelineEngine
import PipelineModel

/// A run's timeline as SVG: one row per task that started, one bar per attempt (earlier attempts from the times of
/// their log lines, the last from the task's start and finish), coloured by outcome.
enum Timeline {
    static let labelWidth = 150
    static let plotWidth = 560
    static let rowHeight = 20

    static func svg(run: RunRecord, tasks: [TaskRecord], logs: [LogLine]) -> String {
        let started = tasks.filter { $0.startedAt != nil }
        guard let origin = run.startedAt ?? started.compactMap(\.startedAt).min() else {
            return "<p class=\"muted\">No task has started yet.</p>"
        }
        var spans: [String: [Int: (Timestamp, Timestamp)]] = [:]
        for line in logs {
            var span = spans[line.taskID, default: [:]][line.attempt] ?? (line.at, line.at)
            span = (min(span.0, line.at), max(span.1, line.at))
            spans[line.taskID, default: [:]][line.attempt] = span
        }
        let latest = ([run.finishedAt].compactMap { $0 } + started.compactMap { $0.finishedAt ?? $0.startedAt } + logs.map(\.at)).max() ?? origin
        let total = max(Double(latest.nanosecondsSince1970 - origin.nanosecondsSince1970), 1)
        func x(_ time: Timestamp) -> Double {
            Double(labelWidth) + Double(plotWidth) * Double(time.nanosecondsSince1970 - origin.nanosecondsSince1970) / total
        }
        var rows = ""
        for (index, task) in started.enumerated() {
            let y = index * rowHeight
            rows += "<text class=\"tick\" x=\"0\" y=\"\(y + 14)\">\(HTML.escape(task.taskID.count > 20 ? String(task.taskID.prefix(19)) + "…" : task.taskID))</text>"
            for attempt in 1...max(task.attempts, 1) {
                let last = attempt == max(task.attempts, 1)
                let span: (Timestamp, Timestamp)?
                if last, let start = task.startedAt {
                    span = (start, task.finishedAt ?? spans[task.taskID]?[attempt]?.1 ?? latest)
                } else {
                    span = spans[task.taskID]?[attempt]
                }
                guard let (start, end) = span else { continue }
                let state = last ? task.state.rawValue : "retried"
                let width = max(x(end) - x(start), 2)
                rows += String(
                    format: "<rect class=\"bar state-%@\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\"><title>%@ attempt %d: %@</title></rect>",
                    state, x(start), y + 3, width, rowHeight - 6, HTML.escape(task.taskID), attempt, HTML.duration(start, end))
            }
        }
        let height = max(started.count, 1) * rowHeight + 18
        let axis = "<text class=\"tick\" x=\"\(labelWidth)\" y=\"\(height - 2)\">0</text>"
            + "<text class=\"tick\" x=\"\(labelWidth + plotWidth)\" y=\"\(height - 2)\" text-anchor=\"end\">\(HTML.duration(origin, latest))</text>"
        return """
            <svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(labelWidth + plotWidth + 4) \(height)" \
            width="\(labelWidth + plotWidth + 4)" height="\(height)" role="img" aria-label="timeline of attempts">\(rows)\(axis)</svg>
            """
    }
}
