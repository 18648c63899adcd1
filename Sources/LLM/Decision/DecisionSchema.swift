import ArenaCore
import JSONCore

/// The JSON a model must answer with, and its schema (the forced tool's parameters, or the
/// response format's schema).
///
/// ```json
/// {"decisions": [{"symbol": "BTC", "action": "open_long", "size_usd": 500, "leverage": 3,
///   "take_profit": 71000, "stop_loss": 66500, "invalidation_condition": "4h close below 66000",
///   "confidence": 0.62, "justification": "..."}],
///  "reasoning": "..."}
/// ```
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

    /// The instruction fields, in the order the schema lists them.
    public static let instructionFields = ["symbol", "action", "size_usd", "size_equity_fraction", "leverage", "take_profit", "stop_loss",
                                           "invalidation_condition", "confidence", "justification"]

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
                ("size_usd", .object([("type", .string("number")), ("minimum", .int(0)),
                                      ("description", .string("Notional in USD before leverage is applied to margin; give this or size_equity_fraction for opens."))])),
                ("size_equity_fraction", .object([("type", .string("number")), ("minimum", .int(0)), ("maximum", .int(1)),
                                                  ("description", .string("Share of equity used as margin (0 to 1)."))])),
                ("leverage", .object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(max(1, maximumLeverage)))])),
                ("take_profit", number),
                ("stop_loss", number),
                ("invalidation_condition", .object([("type", .string("string")), ("maxLength", .int(maximumInvalidation))])),
                ("confidence", .object([("type", .string("number")), ("minimum", .int(0)), ("maximum", .int(1))])),
                ("justification", .object([("type", .string("string")), ("maxLength", .int(maximumJustification))])),
            ])),
            ("required", .array([.string("symbol"), .string("action"), .string("confidence"), .string("justification")])),
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
