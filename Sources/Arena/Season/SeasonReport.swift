import ArenaCore
import Foundation

/// The season's report: a self-contained HTML page (the equity chart as inline SVG, the ranking
/// with intervals, every entrant's and model's metrics, the comparisons with the baselines, costs
/// and failures; no external resource) and the same chart as a PNG.
enum SeasonReport {
    static let chartWidth = 960
    static let chartHeight = 480
    /// The plot area inside the chart: room for the axis labels on the left and below.
    static let plotLeft = 70.0, plotTop = 20.0, plotRight = 20.0, plotBottom = 40.0

    static var plotWidth: Double { Double(chartWidth) - plotLeft - plotRight }
    static var plotHeight: Double { Double(chartHeight) - plotTop - plotBottom }

    /// The hour axis's labels: about eight, in whole days when the season is longer than two.
    static func hourTicks(_ span: Int) -> [(hour: Int, label: String)] {
        let unit = span > 48 ? 24 : 1
        let rough = max(1, span / unit / 8)
        let step = [1, 2, 5, 7, 10, 14, 30, 60, 90, 180, 365].first { $0 >= rough } ?? rough
        return stride(from: 0, through: span, by: step * unit).map { ($0, unit == 24 ? "\($0 / 24)D" : "\($0)H") }
    }

    // MARK: SVG

    /// The chart as an SVG element.
    static func svg(_ chart: SeasonChart) -> String {
        var out = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(chartWidth) \#(chartHeight)" width="\#(chartWidth)" height="\#(chartHeight)" role="img" aria-label="Return over the season: mean of the repeats with the band from the lowest to the highest">"#
        out += #"<rect x="0" y="0" width="\#(chartWidth)" height="\#(chartHeight)" fill="white"/>"#
        for value in chart.gridLines {
            let y = chart.point(hour: 0, percent: value, left: plotLeft, top: plotTop, width: plotWidth, height: plotHeight).y
            let stroke = value == 0 ? "rgb(85,85,85)" : "rgb(221,221,221)"
            out += #"<line x1="\#(fixed(plotLeft, 1))" y1="\#(fixed(y, 1))" x2="\#(fixed(plotLeft + plotWidth, 1))" y2="\#(fixed(y, 1))" stroke="\#(stroke)" stroke-width="1"/>"#
            out += #"<text x="\#(fixed(plotLeft - 6, 1))" y="\#(fixed(y + 4, 1))" font-size="11" text-anchor="end" font-family="sans-serif">\#(percentLabel(value))</text>"#
        }
        for tick in hourTicks(chart.hourSpan) {
            let x = chart.point(hour: tick.hour, percent: 0, left: plotLeft, top: plotTop, width: plotWidth, height: plotHeight).x
            out += #"<line x1="\#(fixed(x, 1))" y1="\#(fixed(plotTop + plotHeight, 1))" x2="\#(fixed(x, 1))" y2="\#(fixed(plotTop + plotHeight + 4, 1))" stroke="rgb(85,85,85)"/>"#
            out += #"<text x="\#(fixed(x, 1))" y="\#(fixed(plotTop + plotHeight + 18, 1))" font-size="11" text-anchor="middle" font-family="sans-serif">\#(tick.label.lowercased())</text>"#
        }
        for series in chart.series {
            let upper = zip(series.hours, series.high).map { chart.point(hour: $0, percent: $1, left: plotLeft, top: plotTop, width: plotWidth, height: plotHeight) }
            let lower = zip(series.hours, series.low).map { chart.point(hour: $0, percent: $1, left: plotLeft, top: plotTop, width: plotWidth, height: plotHeight) }
            let band = (upper + lower.reversed()).map { "\(fixed($0.x, 1)),\(fixed($0.y, 1))" }.joined(separator: " ")
            out += #"<polygon points="\#(band)" fill="\#(series.color.hex)" fill-opacity="0.15" stroke="none"><title>\#(escape(series.name)): lowest to highest repeat</title></polygon>"#
        }
        for series in chart.series {
            let line = zip(series.hours, series.mean).map { chart.point(hour: $0, percent: $1, left: plotLeft, top: plotTop, width: plotWidth, height: plotHeight) }
                .map { "\(fixed($0.x, 1)),\(fixed($0.y, 1))" }.joined(separator: " ")
            out += #"<polyline points="\#(line)" fill="none" stroke="\#(series.color.hex)" stroke-width="2"><title>\#(escape(series.name)): mean of the repeats</title></polyline>"#
        }
        out += #"<rect x="\#(fixed(plotLeft, 1))" y="\#(fixed(plotTop, 1))" width="\#(fixed(plotWidth, 1))" height="\#(fixed(plotHeight, 1))" fill="none" stroke="rgb(85,85,85)"/>"#
        return out + "</svg>"
    }

    // MARK: PNG

    /// The chart drawn into an RGBA image, with the legend in its top left corner.
    static func raster(_ chart: SeasonChart) -> RasterImage {
        let grey = RGBColor(red: 0x55, green: 0x55, blue: 0x55), light = RGBColor(red: 0xDD, green: 0xDD, blue: 0xDD)
        var image = RasterImage(width: chartWidth, height: chartHeight, background: RGBColor(red: 255, green: 255, blue: 255))
        func point(_ hour: Int, _ percent: Double) -> (x: Double, y: Double) {
            chart.point(hour: hour, percent: percent, left: plotLeft, top: plotTop, width: plotWidth, height: plotHeight)
        }
        for value in chart.gridLines {
            let y = point(0, value).y
            image.line(from: (plotLeft, y), to: (plotLeft + plotWidth, y), color: value == 0 ? grey : light)
            let label = percentLabel(value)
            image.text(label, x: Int(plotLeft) - 6 - RasterImage.textWidth(label), y: Int(y) - 3, color: grey)
        }
        for tick in hourTicks(chart.hourSpan) {
            let x = point(tick.hour, 0).x
            image.line(from: (x, plotTop + plotHeight), to: (x, plotTop + plotHeight + 4), color: grey)
            image.text(tick.label, x: Int(x) - RasterImage.textWidth(tick.label) / 2, y: Int(plotTop + plotHeight) + 10, color: grey)
        }
        for series in chart.series {
            let xs = series.hours.map { point($0, 0).x }
            image.band(xs, lower: series.low.map { point(0, $0).y }, upper: series.high.map { point(0, $0).y }, color: series.color, opacity: 0.15)
        }
        for series in chart.series {
            let points = zip(series.hours, series.mean).map { point($0, $1) }
            if points.count == 1, let only = points.first { image.line(from: only, to: only, color: series.color, thickness: 2) }
            for (a, b) in zip(points, points.dropFirst()) { image.line(from: a, to: b, color: series.color, thickness: 2) }
        }
        let (left, top, right, bottom) = (plotLeft, plotTop, plotLeft + plotWidth, plotTop + plotHeight)
        image.line(from: (left, top), to: (right, top), color: grey)
        image.line(from: (left, bottom), to: (right, bottom), color: grey)
        image.line(from: (left, top), to: (left, bottom), color: grey)
        image.line(from: (right, top), to: (right, bottom), color: grey)
        for (index, series) in chart.series.prefix(12).enumerated() {
            let y = Int(plotTop) + 8 + index * 12
            image.fill(x: Int(plotLeft) + 8, y: y, width: 10, height: 7, color: series.color)
            image.text(series.name, x: Int(plotLeft) + 22, y: y, color: grey)
        }
        return image
    }

    // MARK: HTML

    /// The report page.
    static func html(_ statistics: SeasonStatistics, chart: SeasonChart) -> String {
        var page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Season \(escape(statistics.season))</title>
        <style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}\
        th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}\
        .legend span{display:inline-block;margin-right:16px}.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}\
        .ns{color:#888}</style></head><body>
        <h1>Season \(escape(statistics.season))</h1>
        <p>\(statistics.repeats) repeats, \(statistics.entrants.count) entrants, \(statistics.failures.count) failed runs.</p>
        <h2>Return over the season</h2>
        <p>Each line is the mean over the completed repeats of the return on the initial capital (a model: its variants averaged); the band runs from the lowest to the highest repeat.</p>

        """
        page += svg(chart) + "\n<p class=\"legend\">"
        for series in chart.series {
            page += #"<span><span class="swatch" style="background:\#(series.color.hex)"></span>\#(escape(series.name))</span>"#
        }
        page += "</p>\n<h2>Ranking</h2>\n<table><tr><th>name</th><th>rank</th><th>tier</th><th>kind</th><th>repeats</th>"
            + "<th>mean return %</th><th>95% interval</th><th>not significantly different from</th></tr>\n"
        for row in statistics.ranking {
            page += "<tr><td>\(escape(row.name))</td><td>\(row.rank)</td><td>\(row.tier)</td><td>\(row.kind)</td><td>\(row.repeats)</td>"
                + "<td>\(number(row.mean_return_pct))</td><td>\(interval(row.ci_low, row.ci_high))</td>"
                + "<td class=\"ns\">\(row.not_significantly_different_from.map(escape).joined(separator: ", "))</td></tr>\n"
        }
        page += "</table>\n<h2>Models (variants averaged)</h2>\n" + metricsHeader(first: "model")
        for model in statistics.models {
            page += metricsRow(name: "\(model.model) (\(model.variants.count) variants, repeats \(model.repeats_used.map(String.init).joined(separator: " ")))",
                               model.metrics, fees: model.total_fees, cost: model.total_model_cost_usd, decisions: model.decisions)
        }
        page += "</table>\n<h2>Entrants</h2>\n" + metricsHeader(first: "entrant")
        for entrant in statistics.entrants {
            page += metricsRow(name: "\(entrant.name) (\(entrant.completed_repeats) completed, \(entrant.failed_repeats) failed)",
                               entrant.metrics, fees: entrant.total_fees, cost: entrant.total_model_cost_usd, decisions: entrant.decisions)
        }
        page += "</table>\n<h2>Models against baselines</h2>\n<table><tr><th>model − baseline</th><th>pairs</th><th>mean difference (pp)</th>"
            + "<th>95% interval</th><th>p-value</th><th>significant</th></tr>\n"
        for comparison in statistics.comparisons {
            page += "<tr><td>\(escape(comparison.model)) − \(escape(comparison.baseline))</td><td>\(comparison.pairs)</td>"
                + "<td>\(number(comparison.mean_difference_pct))</td><td>\(interval(comparison.ci_low, comparison.ci_high))</td>"
                + "<td>\(number(comparison.p_value, decimals: 4))</td><td>\(comparison.significant ? "yes" : "no")</td></tr>\n"
        }
        page += "</table>\n<h2>Failures</h2>\n"
        if statistics.failures.isEmpty {
            page += "<p>None: every run completed.</p>\n"
        } else {
            page += "<table><tr><th>entrant</th><th>repeat</th><th>seed</th><th>reason</th></tr>\n"
            for failure in statistics.failures {
                page += "<tr><td>\(escape(failure.entrant))</td><td>\(failure.repeat)</td><td>\(failure.seed)</td><td>\(escape(failure.reason))</td></tr>\n"
            }
            page += "</table>\n"
        }
        let method = statistics.method
        page += "<h2>Method</h2>\n<ul>"
        for line in [method.sharpe_basis, method.intervals, method.p_values, method.significance, method.model_index, method.failures] {
            page += "<li>\(escape(line))</li>"
        }
        return page + "</ul>\n</body></html>\n"
    }

    static func metricsHeader(first: String) -> String {
        "<table><tr><th>\(first)</th><th>return %</th><th>Sharpe</th><th>Sortino</th><th>max drawdown %</th><th>win rate %</th>"
            + "<th>fees (mean, USD)</th><th>model cost (mean, USD)</th><th>fees (total)</th><th>model cost (total)</th><th>decisions</th></tr>\n"
    }

    static func metricsRow(name: String, _ metrics: SeasonStatistics.Metrics, fees: String, cost: String, decisions: Int) -> String {
        let cells = [metrics.return_pct, metrics.sharpe, metrics.sortino, metrics.max_drawdown_pct, metrics.win_rate_pct,
                     metrics.fees_usd, metrics.model_cost_usd].map { estimate -> String in
            guard let estimate else { return "<td>–</td>" }
            return "<td>\(fixed(estimate.mean, 2)) <span class=\"ns\">[\(fixed(estimate.ci_low, 2)), \(fixed(estimate.ci_high, 2))]</span></td>"
        }
        return "<tr><td>\(escape(name))</td>" + cells.joined() + "<td>\(fees)</td><td>\(cost)</td><td>\(decisions)</td></tr>\n"
    }

    // MARK: Formatting

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    static func number(_ value: Double?, decimals: Int = 2) -> String { value.map { fixed($0, decimals) } ?? "–" }

    static func interval(_ low: Double?, _ high: Double?) -> String {
        guard let low, let high else { return "–" }
        return "[\(fixed(low, 2)), \(fixed(high, 2))]"
    }

    static func percentLabel(_ value: Double) -> String {
        let decimals = abs(value) >= 10 || value == value.rounded() ? 0 : (abs(value) >= 1 ? 1 : 2)
        return fixed(value, decimals) + "%"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
