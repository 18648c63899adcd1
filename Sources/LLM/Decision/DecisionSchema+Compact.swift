import ArenaCore
import JSONCore

/// Which form of the decision schema a model is sent.
public enum DecisionSchemaForm: String, Sendable, Hashable, Codable, CaseIterable {
    /// `DecisionSchema.schema`: every field, up to one instruction per symbol.
    case full
    /// `DecisionSchema.compactSchema`: one instruction of the required fields only, every value
    /// bounded, for small local models behind a grammar.
    case compact
}

extension DecisionSchema {
    /// The choices of confidence offered by the compact schema.
    static let compactConfidences = ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"]
    /// The longest justification the compact schema lets a model write, in characters.
    public static let compactMaximumJustification = 80

    /// Returns the schema for small local models: exactly one instruction of the required fields,
    /// with the leverage and confidence as enumerations (a grammar built from a schema enforces
    /// an `enum`, but not a `minimum` or `maximum`), sizes in USD only, and a short justification.
    ///
    /// llama.cpp's server turns the schema into a grammar that constrains every generated token:
    /// what the schema cannot express the model cannot answer, and what it leaves out it never
    /// spends tokens on. Long `maxLength` bounds expand into deeply nested grammar rules that make
    /// sampling slow, so the free text is kept short. Every answer it allows is a decision the
    /// parser reads and, sized above the venue's minimum, the runner executes.
    /// - Parameters:
    ///   - symbols: The account's symbols (the only ones a model may name).
    ///   - maximumLeverage: The account's limit: leverage is offered from 1 to it.
    public static func compactSchema(symbols: [Symbol], maximumLeverage: Int) -> JSONValue {
        let leverages = (1...max(1, min(maximumLeverage, 50))).map { JSONValue.number(String($0)) }
        let instruction: JSONValue = .object([
            ("type", .string("object")),
            ("properties", .object([
                ("symbol", .object([("type", .string("string")), ("enum", .array(symbols.map { .string($0.name) }))])),
                ("action", .object([("type", .string("string")), ("enum", .array(actions.map { .string($0.rawValue) }))])),
                ("size", .object([("type", .string("number")), ("minimum", .number("0")),
                                  ("description", .string("For open_long and open_short: the notional in USD. Ignored for close and hold."))])),
                ("size_unit", .object([("type", .string("string")), ("enum", .array([.string(SizeUnit.usd.rawValue)]))])),
                ("leverage", .object([("type", .string("integer")), ("enum", .array(leverages))])),
                ("confidence", .object([("type", .string("number")), ("enum", .array(compactConfidences.map { .number($0) }))])),
                ("justification", .object([("type", .string("string")), ("maxLength", .number(String(compactMaximumJustification)))])),
            ])),
            ("required", .array(requiredInstructionFields.map { .string($0) })),
            ("additionalProperties", .bool(false)),
        ])
        return .object([
            ("type", .string("object")),
            ("properties", .object([
                ("decisions", .object([("type", .string("array")), ("items", instruction), ("minItems", .number("1")),
                                       ("maxItems", .number("1"))])),
            ])),
            ("required", .array([.string("decisions")])),
            ("additionalProperties", .bool(false)),
        ])
    }

    /// Returns the schema of `form` for an account.
    public static func schema(_ form: DecisionSchemaForm, symbols: [Symbol], maximumLeverage: Int) -> JSONValue {
        switch form {
        case .full: schema(symbols: symbols, maximumLeverage: maximumLeverage)
        case .compact: compactSchema(symbols: symbols, maximumLeverage: maximumLeverage)
        }
    }
}
