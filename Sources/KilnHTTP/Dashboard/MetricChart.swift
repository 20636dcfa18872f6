import Foundation

/// A small SVG line chart of one metric across a model's versions, with the production version marked.
enum MetricChart {
    static let width = 420
    static let height = 160
    static let padding = (left: 44, right: 12, top: 12, bottom: 24)

    /// The chart of `points` (version, value), or `nil` with fewer than one point.
    static func svg(metric: String, points: [(version: Int, value: Double)], production: Int?) -> String? {
        guard !points.isEmpty else { return nil }
        let values = points.map(\.value)
        var low = values.min()!, high = values.max()!
        if high - low < 1e-9 {
            let pad = max(abs(high) * 0.05, 0.01)
            low -= pad
            high += pad
        }
        let plotWidth = Double(width - padding.left - padding.right)
        let plotHeight = Double(height - padding.top - padding.bottom)
        func x(_ index: Int) -> Double {
            points.count == 1 ? Double(padding.left) + plotWidth / 2 : Double(padding.left) + plotWidth * Double(index) / Double(points.count - 1)
        }
        func y(_ value: Double) -> Double { Double(padding.top) + plotHeight * (1 - (value - low) / (high - low)) }
        let line = points.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element.value)) }.joined(separator: " ")
        var marks = ""
        for (index, point) in points.enumerated() {
            let isProduction = point.version == production
            marks += String(
                format: "<circle class=\"%@\" cx=\"%.1f\" cy=\"%.1f\" r=\"%d\"><title>v%d: %@</title></circle>",
                isProduction ? "point production" : "point", x(index), y(point.value), isProduction ? 5 : 3, point.version,
                format(point.value))
            marks += String(format: "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">v%d</text>", x(index), height - 6, point.version)
        }
        let axis = """
            <text class="tick" x="\(padding.left - 6)" y="\(padding.top + 4)" text-anchor="end">\(format(high))</text>\
            <text class="tick" x="\(padding.left - 6)" y="\(height - padding.bottom)" text-anchor="end">\(format(low))</text>\
            <line class="axis" x1="\(padding.left)" y1="\(height - padding.bottom)" x2="\(width - padding.right)" y2="\(height - padding.bottom)"/>
            """
        return """
            <figure class="chart" data-metric="\(HTML.escape(metric))"><figcaption>\(HTML.escape(metric))</figcaption>\
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" \
            role="img" aria-label="\(HTML.escape(metric)) by version">\(axis)<polyline class="series" points="\(line)"/>\(marks)</svg></figure>
            """
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 1000 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.4g", value)
    }
}
