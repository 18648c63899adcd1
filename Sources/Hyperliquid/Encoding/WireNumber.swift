import ArenaCore

/// Decimal numbers in the forms the venue hashes: text for prices and sizes, scaled integers for
/// a few amounts.
public enum WireNumber {
    /// Returns the SDK's `float_to_wire` text: plain decimal, no exponent, no trailing zeros, no
    /// trailing point ("2000", "0.2", "0.000123"), and "0" rather than "-0".
    ///
    /// A `FixedDecimal` never needs rounding at eight digits, so this cannot fail.
    public static func string(_ value: FixedDecimal) -> String {
        value.description
    }

    /// Returns the wire text of a decimal written as text (such as "1100.0" or "3e-09").
    /// - Throws: `HyperliquidError.numberNeedsRounding` when the value has more than eight
    ///   significant fractional digits, as the SDK's "float_to_wire causes rounding";
    ///   `HyperliquidError.invalidAction` when the text is not a number.
    public static func string(parsing text: String, field: String = "number") throws(HyperliquidError) -> String {
        string(try decimal(parsing: text, field: field))
    }

    /// Returns `value × 10^decimals` as an integer, as the SDK's `float_to_int` (8 decimals for
    /// hashing, 6 for USD amounts).
    /// - Throws: `HyperliquidError.numberNeedsRounding` when the value has more than `decimals`
    ///   fractional digits.
    public static func scaledInteger(_ value: FixedDecimal, decimals: Int, field: String = "number") throws(HyperliquidError) -> Int64 {
        precondition(decimals >= 0 && decimals <= FixedDecimal.scale, "decimals out of range")
        var divisor: Int64 = 1
        for _ in 0..<(FixedDecimal.scale - decimals) { divisor *= 10 }
        guard value.raw % divisor == 0 else { throw .numberNeedsRounding(field: field) }
        return value.raw / divisor
    }

    /// Parses decimal text exactly.
    /// - Throws: `HyperliquidError.numberNeedsRounding` beyond eight fractional digits,
    ///   `HyperliquidError.invalidAction` for text that is not a number in range.
    public static func decimal(parsing text: String, field: String = "number") throws(HyperliquidError) -> FixedDecimal {
        if let value = FixedDecimal(text) { return value }
        // FixedDecimal refuses both garbage and inexact values; tell them apart for the message.
        if FixedDecimal(approximating: Double(text) ?? .nan) != nil {
            throw .numberNeedsRounding(field: field)
        }
        throw .invalidAction("\(field) is not a decimal number within range")
    }
}
