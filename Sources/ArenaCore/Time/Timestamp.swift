/// A moment as milliseconds since 1970-01-01T00:00:00Z: the engine's only notion of time, always
/// passed in, never read from the system inside ArenaCore or PaperExchange.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }
    public func adding(milliseconds delta: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + delta) }
    public var description: String { ISO8601.format(self) }

    public init(from decoder: any Decoder) throws { milliseconds = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

/// ISO 8601 formatting and parsing in UTC without Foundation, so the core stays dependency-free.
public enum ISO8601 {
    /// Formats as `2026-11-21T23:52:35.123Z`.
    public static func format(_ time: Timestamp) -> String {
        let ms = time.milliseconds
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let (y, m, d) = civil(fromDays: days)
        let h = msOfDay / 3_600_000, mi = (msOfDay / 60_000) % 60, s = (msOfDay / 1000) % 60, milli = msOfDay % 1000
        guard (0...9999).contains(y) else {
            func pad(_ v: Int64, _ n: Int) -> String { let t = String(v); return String(repeating: "0", count: max(0, n - t.count)) + t }
            return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(milli, 3))Z"
        }
        // Four-digit years, every date the arena meets, written into one fixed-width buffer: every
        // prompt and feed message carries a time.
        return String(unsafeUninitializedCapacity: 24) { text in
            for (index, byte) in "0000-00-00T00:00:00.000Z".utf8.enumerated() { text[index] = byte }
            for (value, digits, offset) in [(y, 4, 0), (m, 2, 5), (d, 2, 8), (h, 2, 11), (mi, 2, 14), (s, 2, 17), (milli, 3, 20)] {
                var rest = value
                for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                    text[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            return 24
        }
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `+HH:MM` or no zone (UTC);
    /// a space may stand for `T`. Returns nil for anything else.
    public static func parse(_ text: String) -> Timestamp? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 10, b[4] == 45, b[7] == 45,
              let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var ms = civilDays(year: y, month: mo, day: d) * 86_400_000
        var i = 10
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") {
            guard let h = num(i + 1, 2), b.count > i + 3, b[i + 3] == 58, let mi = num(i + 4, 2), h < 24, mi < 60 else { return nil }
            ms += h * 3_600_000 + mi * 60_000
            i += 6
            if i < b.count, b[i] == 58 {
                guard let s = num(i + 1, 2), s < 61 else { return nil }
                ms += s * 1000
                i += 3
                if i < b.count, b[i] == 46 {
                    i += 1
                    var fraction: Int64 = 0, digits = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if digits < 3 { fraction = fraction * 10 + Int64(b[i] - 48); digits += 1 }
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    while digits < 3 { fraction *= 10; digits += 1 }
                    ms += fraction
                }
            }
        }
        if i < b.count {
            if b[i] == UInt8(ascii: "Z"), i + 1 == b.count {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), let oh = num(i + 1, 2), b.count == i + 6, b[i + 3] == 58, let om = num(i + 4, 2) {
                let offset = (oh * 60 + om) * 60_000
                ms += b[i] == UInt8(ascii: "+") ? -offset : offset
                i = b.count
            } else {
                return nil
            }
        }
        return Timestamp(milliseconds: ms)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    // Howard Hinnant's days-from-civil algorithm.
    static func civilDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
