import ArenaCore

/// The season's equity chart, shared by the report's SVG and its PNG: for each model (its variants
/// averaged) and each baseline, the return on the initial capital at every hour of the season, as
/// the mean over the completed repeats and the band from the lowest to the highest repeat.
struct SeasonChart: Sendable {
    /// One line and its band.
    struct Series: Sendable {
        var name: String
        var color: RGBColor
        /// Hours since the start, ascending.
        var hours: [Int]
        var mean: [Double]
        var low: [Double]
        var high: [Double]
    }

    var series: [Series]
    /// The longest series' last hour (at least 1).
    var hourSpan: Int
    /// The return range shown, in percent, always including 0.
    var lowest: Double
    var highest: Double

    /// Points drawn per series at most; longer seasons are thinned evenly.
    static let maximumPoints = 600

    /// The palette, in ranking order.
    static let palette: [RGBColor] = [
        RGBColor(red: 0x1F, green: 0x77, blue: 0xB4), RGBColor(red: 0xD6, green: 0x27, blue: 0x28),
        RGBColor(red: 0x2C, green: 0xA0, blue: 0x2C), RGBColor(red: 0xFF, green: 0x7F, blue: 0x0E),
        RGBColor(red: 0x94, green: 0x67, blue: 0xBD), RGBColor(red: 0x8C, green: 0x56, blue: 0x4B),
        RGBColor(red: 0xE3, green: 0x77, blue: 0xC2), RGBColor(red: 0x7F, green: 0x7F, blue: 0x7F),
        RGBColor(red: 0xBC, green: 0xBD, blue: 0x22), RGBColor(red: 0x17, green: 0xBE, blue: 0xCF),
    ]

    /// The chart of `runs`, its series in the order of `ranking`.
    init(runs: [SeasonEntrantRun], ranking: [SeasonStatistics.RankingRow]) {
        let completed = runs.filter { $0.failure == nil }
        var built: [Series] = []
        for (index, row) in ranking.enumerated() {
            // Per repeat, the return at each hour index: a model's variants averaged, a baseline's own.
            let members = completed.filter { row.kind == "model" ? $0.model == row.name : ($0.model == nil && $0.entrant == row.name) }
            let variants = Set(members.map(\.entrant)).count
            var curves: [[Double]] = []
            for (_, inRepeat) in Dictionary(grouping: members, by: \.repeatIndex).sorted(by: { $0.key < $1.key }) {
                guard inRepeat.count == variants else { continue }
                let length = inRepeat.map(\.hourlyEquity.count).min() ?? 0
                guard length > 0 else { continue }
                let sorted = inRepeat.sorted { $0.entrant < $1.entrant }
                curves.append((0..<length).map { hour in
                    sorted.reduce(0.0) { sum, run in
                        let capital = run.initialCapital.doubleValue
                        return sum + (capital > 0 ? (run.hourlyEquity[hour].equity.doubleValue / capital - 1) * 100 : 0)
                    } / Double(sorted.count)
                })
            }
            let length = curves.map(\.count).max() ?? 0
            let step = max(1, (length + Self.maximumPoints - 1) / Self.maximumPoints)
            var hours: [Int] = []
            var mean: [Double] = [], low: [Double] = [], high: [Double] = []
            var hour = 0
            while hour < length {
                let values = curves.compactMap { hour < $0.count ? $0[hour] : nil }
                hours.append(hour)
                mean.append(values.reduce(0, +) / Double(values.count))
                low.append(values.min() ?? 0)
                high.append(values.max() ?? 0)
                hour = hour + step >= length && hour != length - 1 ? length - 1 : hour + step
            }
            built.append(Series(name: row.name, color: Self.palette[index % Self.palette.count], hours: hours, mean: mean, low: low, high: high))
        }
        series = built
        hourSpan = max(1, built.compactMap(\.hours.last).max() ?? 1)
        let values = built.flatMap { $0.low + $0.high }
        let lowest = min(0, values.min() ?? 0), highest = max(0, values.max() ?? 0)
        let margin = max(0.5, (highest - lowest) * 0.05)
        self.lowest = lowest - margin
        self.highest = highest + margin
    }

    /// Where `hour` and `percent` fall in a plot area of `width` × `height` from (`left`, `top`).
    func point(hour: Int, percent: Double, left: Double, top: Double, width: Double, height: Double) -> (x: Double, y: Double) {
        (left + Double(hour) / Double(hourSpan) * width, top + (highest - percent) / (highest - lowest) * height)
    }

    /// Round values for the return axis's grid lines: about five, at 1, 2 or 5 times a power of ten.
    var gridLines: [Double] {
        let range = highest - lowest
        guard range > 0, range.isFinite else { return [0] }
        let rough = range / 5
        let power = pow10(floorLog10(rough))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? rough
        var lines: [Double] = []
        var value = (lowest / step).rounded(.up) * step
        while value <= highest && lines.count < 20 {
            lines.append(abs(value) < step / 1e6 ? 0 : value)
            value += step
        }
        return lines
    }

    private func floorLog10(_ value: Double) -> Int {
        var exponent = 0
        var scaled = value
        while scaled >= 10 { scaled /= 10; exponent += 1 }
        while scaled < 1 && exponent > -12 { scaled *= 10; exponent -= 1 }
        return exponent
    }

    private func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        if exponent >= 0 { for _ in 0..<exponent { result *= 10 } } else { for _ in 0..<(-exponent) { result /= 10 } }
        return result
    }
}

/// An opaque colour.
struct RGBColor: Sendable, Hashable {
    var red: UInt8
    var green: UInt8
    var blue: UInt8

    /// `#rrggbb`.
    var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + [red, green, blue].map { "\(digits[Int($0 >> 4)])\(digits[Int($0 & 15)])" }.joined()
    }
}
