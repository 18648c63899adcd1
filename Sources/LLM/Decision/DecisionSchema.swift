import ArenaCore
import JSONCore

/// The JSON a model must answer with, and its schema (the forced tool's parameters, or the
/// response format's schema).
///
/// ```json
/// {"decisions": [{"symbol": "BTC", "action": "open_long", "size": 500, "size_unit": "usd", "leverage": 3,
///   "take_profit": 71000, "stop_loss": 66500, "invalidation_condition": "4h close below 66000",
///   "confidence": 0.62, "justification": "..."}],
///  "reasoning": "..."}
/// ```
///
/// Every instruction requires `size`, `size_unit` and `leverage`, whatever its action, so that an
/// answer valid against the schema is an executable decision. The form is flat (no `oneOf` or
/// `anyOf` branches per action) because not every structured-output implementation can express
/// branches: OpenAI's strict mode refuses `oneOf`, llama.cpp's grammar conversion handles branches
/// poorly, and small models follow a flat list more reliably. Closes and holds send any size
/// (0 is fine) and leverage 1, which are ignored. The older `size_usd` and `size_equity_fraction`
/// fields are still read.
public enum DecisionSchema {
    /// The actions offered to models (`rebalance` is for rule-based drivers only).
    public static let actions: [DecisionAction] = [.openLong, .openShort, .close, .hold]
    /// The longest justification kept, in characters.
    public static let maximumJustification = 500
    /// The longest invalidation condition kept, in characters.
    public static let maximumInvalidation = 300
    /// The longest reasoning kept, in characters.
    public static let maximumReasoning = 4_000
    /// The largest USD notional or price a model may write.
    public static let maximumAmount = FixedDecimal(1_000_000_000)
    /// The largest leverage a model may write; the risk gate applies the account's limit.
    public static let maximumLeverage = 1_000

    /// The units a `size` is given in.
    public enum SizeUnit: String, Sendable, CaseIterable {
        /// The notional in USD.
        case usd
        /// The share of equity used as margin, 0 to 1.
        case equityFraction = "equity_fraction"
    }

    /// The instruction fields, in the order the schema lists them.
    public static let instructionFields = ["symbol", "action", "size", "size_unit", "leverage", "take_profit", "stop_loss",
                                           "trailing_stop_pct", "invalidation_condition", "confidence", "justification"]
    /// Fields read for compatibility with answers in the earlier form, not offered in the schema.
    public static let legacyInstructionFields = ["size_usd", "size_equity_fraction"]
    /// The fields every instruction must carry.
    public static let requiredInstructionFields = ["symbol", "action", "size", "size_unit", "leverage", "confidence", "justification"]

    /// Returns the schema for an account's universe and leverage limit.
    /// - Parameters:
    ///   - symbols: The account's symbols (the only ones a model may name).
    ///   - maximumLeverage: The account's limit, shown to the model as the schema's maximum.
    public static func schema(symbols: [Symbol], maximumLeverage: Int) -> JSONValue {
        let number: JSONValue = .object([("type", .string("number"))])
        let instruction: JSONValue = .object([
            ("type", .string("object")),
            ("properties", .object([
                ("symbol", .object([("type", .string("string")), ("enum", .array(symbols.map { .string($0.name) }))])),
                ("action", .object([("type", .string("string")), ("enum", .array(actions.map { .string($0.rawValue) }))])),
                ("size", .object([("type", .string("number")), ("minimum", .int(0)),
                                  ("description", .string("For open_long and open_short: the position's size in size_unit (USD notional, or the share of equity used as margin from 0 to 1). Ignored for close and hold (send 0)."))])),
                ("size_unit", .object([("type", .string("string")), ("enum", .array(SizeUnit.allCases.map { .string($0.rawValue) })),
                                       ("description", .string("usd: size is the notional in USD; equity_fraction: size is the share of equity used as margin (0 to 1)."))])),
                ("leverage", .object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(max(1, maximumLeverage))),
                                      ("description", .string("Whole-number leverage for opens. Ignored for close and hold (send 1)."))])),
                ("take_profit", number),
                ("stop_loss", number),
                ("trailing_stop_pct", .object([("type", .string("number")), ("exclusiveMinimum", .int(0)), ("maximum", .int(50)),
                                               ("description", .string("Optional, for opens: a stop that follows the price at this distance in percent (1.5 is 1.5%)."))])),
                ("invalidation_condition", .object([("type", .string("string")), ("maxLength", .int(maximumInvalidation))])),
                ("confidence", .object([("type", .string("number")), ("minimum", .int(0)), ("maximum", .int(1))])),
                ("justification", .object([("type", .string("string")), ("maxLength", .int(maximumJustification))])),
            ])),
            ("required", .array(requiredInstructionFields.map { .string($0) })),
            ("additionalProperties", .bool(false)),
        ])
        return .object([
            ("type", .string("object")),
            ("properties", .object([
                ("decisions", .object([("type", .string("array")), ("items", instruction), ("maxItems", .int(max(1, symbols.count)))])),
                ("reasoning", .object([("type", .string("string")), ("maxLength", .int(1_000))])),
            ])),
            ("required", .array([.string("decisions")])),
            ("additionalProperties", .bool(false)),
        ])
    }
}
