/// An exact decimal number with eight fractional digits, stored as a scaled 64-bit integer.
///
/// Money, prices, sizes and rates are all `FixedDecimal`: arithmetic is exact for addition and
/// subtraction, and multiplication and division round half away from zero to eight digits, which
/// is finer than any Hyperliquid price, size or USDC amount. The range is about ±92 billion;
/// inputs from outside are bounded well inside it by `FixedDecimal(parsing:)` callers.
public struct FixedDecimal: Sendable, Hashable, Comparable, Codable {
    /// The number of fractional digits.
    public static let scale = 8
    /// `10^scale`, the raw value of one.
    public static let unit: Int64 = 100_000_000

    /// The value times `10^scale`.
    public var raw: Int64

    /// Creates a value from its scaled representation.
    @inlinable public init(raw: Int64) { self.raw = raw }

    /// Creates a whole number.
    @inlinable public init(_ integer: Int) { self.raw = Int64(integer) * Self.unit }

    /// Creates `mantissa × 10^-exponent`, for example `FixedDecimal(45, exponent: 5)` is 0.00045.
    public init(_ mantissa: Int64, exponent: Int) {
        precondition(exponent >= 0 && exponent <= Self.scale, "exponent out of range")
        var factor: Int64 = 1
        for _ in 0..<(Self.scale - exponent) { factor *= 10 }
        self.raw = mantissa * factor
    }

    public static let zero = FixedDecimal(raw: 0)
    public static let one = FixedDecimal(raw: unit)

    @inlinable public static func + (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal { FixedDecimal(raw: a.raw + b.raw) }
    @inlinable public static func - (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal { FixedDecimal(raw: a.raw - b.raw) }
    @inlinable public static prefix func - (a: FixedDecimal) -> FixedDecimal { FixedDecimal(raw: -a.raw) }
    @inlinable public static func += (a: inout FixedDecimal, b: FixedDecimal) { a.raw += b.raw }
    @inlinable public static func -= (a: inout FixedDecimal, b: FixedDecimal) { a.raw -= b.raw }
    @inlinable public static func < (a: FixedDecimal, b: FixedDecimal) -> Bool { a.raw < b.raw }

    /// The product, rounded half away from zero to eight fractional digits.
    @inlinable public static func * (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal {
        let product = a.raw.multipliedFullWidth(by: b.raw)
        return FixedDecimal(raw: Self.divideRounded(high: product.high, low: product.low, by: unit))
    }

    /// The quotient, rounded half away from zero to eight fractional digits.
    /// - Precondition: `b` is not zero.
    @inlinable public static func / (a: FixedDecimal, b: FixedDecimal) -> FixedDecimal {
        precondition(b.raw != 0, "division by zero")
        let scaled = a.raw.multipliedFullWidth(by: unit)
        return FixedDecimal(raw: Self.divideRounded(high: scaled.high, low: scaled.low, by: b.raw))
    }

    @inlinable static func divideRounded(high: Int64, low: UInt64, by divisor: Int64) -> Int64 {
        let (quotient, remainder) = divisor.dividingFullWidth((high: high, low: low))
        // Round half away from zero: compare twice the remainder's magnitude to the divisor's.
        let twiceRemainder = remainder.magnitude.multipliedFullWidth(by: 2)
        let divisorMagnitude = divisor.magnitude
        let roundsAway = twiceRemainder.high > 0 || twiceRemainder.low >= divisorMagnitude
        guard remainder != 0, roundsAway else { return quotient }
        let negative = (high < 0) != (divisor < 0)
        return negative ? quotient - 1 : quotient + 1
    }

    /// Multiplies by a whole number.
    @inlinable public static func * (a: FixedDecimal, b: Int) -> FixedDecimal { FixedDecimal(raw: a.raw * Int64(b)) }

    @inlinable public var isZero: Bool { raw == 0 }
    @inlinable public var isNegative: Bool { raw < 0 }
    @inlinable public var isPositive: Bool { raw > 0 }
    @inlinable public var magnitude: FixedDecimal { FixedDecimal(raw: raw < 0 ? -raw : raw) }
    /// -1, 0 or 1.
    @inlinable public var signum: Int { raw > 0 ? 1 : (raw < 0 ? -1 : 0) }

    /// A `Double` approximation, for statistics and display only: never feed it back into money.
    public var doubleValue: Double { Double(raw) / Double(Self.unit) }

    /// How values are rounded to a number of decimals.
    public enum RoundingRule: Sendable { case down, up, towardZero, halfAwayFromZero }

    /// Rounds to `decimals` fractional digits (0...8).
    public func rounded(decimals: Int, _ rule: RoundingRule = .halfAwayFromZero) -> FixedDecimal {
        precondition(decimals >= 0 && decimals <= Self.scale)
        var step: Int64 = 1
        for _ in 0..<(Self.scale - decimals) { step *= 10 }
        return rounded(toMultipleOf: step, rule)
    }

    /// Rounds to a multiple of `step` raw units.
    func rounded(toMultipleOf step: Int64, _ rule: RoundingRule) -> FixedDecimal {
        let remainder = raw % step
        if remainder == 0 { return self }
        let truncated = raw - remainder  // toward zero
        switch rule {
        case .towardZero:
            return FixedDecimal(raw: truncated)
        case .down:
            return FixedDecimal(raw: raw < 0 ? truncated - step : truncated)
        case .up:
            return FixedDecimal(raw: raw > 0 ? truncated + step : truncated)
        case .halfAwayFromZero:
            if remainder.magnitude * 2 >= step.magnitude {
                return FixedDecimal(raw: raw < 0 ? truncated - step : truncated + step)
            }
            return FixedDecimal(raw: truncated)
        }
    }

    /// The number of significant figures in the value (0 for zero).
    public var significantFigures: Int {
        var digits = raw.magnitude
        if digits == 0 { return 0 }
        while digits % 10 == 0 { digits /= 10 }
        var count = 0
        while digits > 0 { count += 1; digits /= 10 }
        return count
    }

    /// The number of fractional digits needed to write the value exactly.
    public var fractionalDigits: Int {
        var digits = raw.magnitude
        var trailing = 0
        while trailing < Self.scale, digits % 10 == 0, digits != 0 { digits /= 10; trailing += 1 }
        return raw == 0 ? 0 : Self.scale - trailing
    }

    @inlinable public static func min(_ a: FixedDecimal, _ b: FixedDecimal) -> FixedDecimal { a < b ? a : b }
    @inlinable public static func max(_ a: FixedDecimal, _ b: FixedDecimal) -> FixedDecimal { a < b ? b : a }
}

extension FixedDecimal: CustomStringConvertible, LosslessStringConvertible {
    /// The shortest exact decimal text: no exponent, no trailing zeros ("0.00045", "-12", "3450.5").
    public var description: String {
        // Written right to left into one buffer: the ledger formats several values per fill.
        let negative = raw < 0
        let magnitude = raw.magnitude
        let whole = magnitude / UInt64(Self.unit)
        var fraction = magnitude % UInt64(Self.unit)
        var fractionDigits = 0
        if fraction != 0 {
            fractionDigits = Self.scale
            while fraction % 10 == 0 { fraction /= 10; fractionDigits -= 1 }
        }
        var wholeDigits = 1
        var rest = whole / 10
        while rest > 0 { wholeDigits += 1; rest /= 10 }
        let length = (negative ? 1 : 0) + wholeDigits + (fractionDigits > 0 ? 1 + fractionDigits : 0)
        return String(unsafeUninitializedCapacity: length) { buffer in
            var position = length
            var digits = fraction
            for _ in 0..<fractionDigits {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: digits % 10)
                digits /= 10
            }
            if fractionDigits > 0 {
                position -= 1
                buffer[position] = UInt8(ascii: ".")
            }
            digits = whole
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: digits % 10)
                digits /= 10
            } while digits > 0
            if negative { buffer[0] = UInt8(ascii: "-") }
            return length
        }
    }

    /// Parses plain decimal text such as `"12"`, `"-0.5"`, `"3450.25"` or `"1e-3"`.
    ///
    /// Returns nil for anything else: empty text, more than eight fractional digits that are not
    /// zeros, values beyond ±10^10, `NaN` or `inf`.
    public init?(_ text: String) {
        guard let value = Self.parse(Substring(text)) else { return nil }
        self = value
    }

    /// The largest magnitude accepted from text: far inside the representable range, so that
    /// products of two parsed values in the engine (price × size) cannot overflow.
    public static let parseLimit: Int64 = 10_000_000_000

    static func parse(_ text: Substring) -> FixedDecimal? {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var exponent = 0
        if let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            guard let parsed = Int(String(decoding: bytes[(e + 1)...], as: UTF8.self)), abs(parsed) <= 30 else { return nil }
            exponent = parsed
            bytes = Array(bytes[..<e])
        }
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                seenDigit = true
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            } else {
                return nil
            }
            index += 1
        }
        guard seenDigit else { return nil }
        // value = digits × 10^(exponent - fractionDigits); we want raw = value × 10^scale.
        let shift = exponent - fractionDigits + Self.scale
        var raw: Int64 = 0
        if shift >= 0 {
            for digit in digits {
                let (times10, o1) = raw.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                guard !o1, !o2, sum <= Self.parseLimit * Self.unit else { return nil }
                raw = sum
            }
            for _ in 0..<shift {
                let (times10, overflow) = raw.multipliedReportingOverflow(by: 10)
                guard !overflow, times10 <= Self.parseLimit * Self.unit else { return nil }
                raw = times10
            }
        } else {
            // Digits beyond the eighth fractional place must all be zero: exact or refused.
            let kept = digits.count + shift
            guard digits[Swift.max(kept, 0)...].allSatisfy({ $0 == 0 }) else { return nil }
            for digit in digits.prefix(Swift.max(kept, 0)) {
                let (times10, o1) = raw.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
                guard !o1, !o2, sum <= Self.parseLimit * Self.unit else { return nil }
                raw = sum
            }
        }
        return FixedDecimal(raw: negative ? -raw : raw)
    }

    /// Converts a finite `Double`, rounding to eight digits; nil for NaN, infinities or values out
    /// of the parse range. For values that arrive as JSON numbers.
    public init?(approximating value: Double) {
        guard value.isFinite, value.magnitude <= Double(Self.parseLimit) else { return nil }
        self.raw = Int64((value * Double(Self.unit)).rounded())
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = FixedDecimal(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal number: \(text.prefix(40))")
            }
            self = value
        } else {
            let number = try container.decode(Double.self)
            guard let value = FixedDecimal(approximating: number) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "number out of range")
            }
            self = value
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension FixedDecimal: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
