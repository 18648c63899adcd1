import ArenaCore
import Foundation
import JSONCore
import LLM
import Storage
import Testing
@testable import Arena

/// An answer made only of what the decision schema requires is a decision the runner executes,
/// whatever provider and structured-output mode carries it.
@Suite("Schema-valid decisions are executable")
struct SchemaExecutabilityTests {
    /// A provider, an output mode, and how that provider wraps an answer.
    struct Mode: Sendable, CustomTestStringConvertible {
        var provider: ModelProvider
        var output: StructuredOutput
        var testDescription: String { "\(provider.rawValue) \(output.rawValue)" }

        func reply(_ answer: String) -> String {
            switch (provider, output) {
            case (.anthropic, .tool): ProviderReply.anthropicTool(answer)
            case (.anthropic, _): ProviderReply.anthropicText(answer)
            case (_, .tool): ProviderReply.openAITool(answer)
            case (_, _): ProviderReply.openAIText(answer)
            }
        }

        /// The schema as the request carries it, or nil for text mode (the schema is in the prompt).
        func sentSchema(_ body: JSONValue) -> JSONValue? {
            switch (provider, output) {
            case (.anthropic, .tool): body["tools"]?.elements?.first?["input_schema"]
            case (_, .tool): body["tools"]?.elements?.first?["function"]?["parameters"]
            case (_, .jsonObject): body["response_format"]?["schema"]
            case (_, .text): nil
            }
        }
    }

    static let modes = [Mode(provider: .openai, output: .tool), Mode(provider: .openai, output: .jsonObject),
                        Mode(provider: .openai, output: .text), Mode(provider: .anthropic, output: .tool),
                        Mode(provider: .anthropic, output: .text), Mode(provider: .local, output: .jsonObject)]

    @Test("the schema requires size, size_unit and leverage on every instruction")
    func requiredFields() throws {
        let schema = DecisionSchema.schema(symbols: LLMAccount.symbols, maximumLeverage: 10)
        let instruction = try #require(schema["properties"]?["decisions"]?["items"])
        let required = (instruction["required"]?.elements ?? []).compactMap(\.text)
        #expect(Set(required).isSuperset(of: ["symbol", "action", "size", "size_unit", "leverage", "confidence", "justification"]))
        #expect(instruction["properties"]?["size_unit"]?["enum"] == .array([.string("usd"), .string("equity_fraction")]))
        // No branches: every provider's structured output can express the flat form.
        #expect(!schema.serialized.contains("oneOf") && !schema.serialized.contains("anyOf"))
    }

    @Test("an open made only of the schema's required fields becomes an order", arguments: modes)
    func minimalOpenIsExecuted(mode: Mode) async throws {
        let provider = try await FakeProvider.shared()
        let channel = "minimal\(mode.provider.rawValue)\(mode.output.rawValue.filter(\.isLetter))\(UInt32.random(in: 0...UInt32.max))"
        let schema = DecisionSchema.schema(symbols: LLMAccount.symbols, maximumLeverage: 10)
        let answer = MinimalInstance.value(for: schema, choosing: ["action": "open_long"]).serialized
        try await provider.script(channel, [FakeProvider.Step(body: mode.reply(answer))])
        let configuration = try fakeConfiguration(provider, channel: channel, kind: mode.provider, output: mode.output,
                                                  model: mode.provider == .anthropic ? "claude-sonnet-4-20250514" : "gpt-4o-mini",
                                                  key: mode.provider == .local ? nil : "sk-test-0123456789abcdefSECRET")
        var account = try LLMAccount.make(configuration: configuration, services: try testServices())
        try await account.cycle()

        let row = try #require(try account.decisions().first)
        #expect(row["outcome"] as String == "accepted", "\(answer) → \(row["rejection_reason"] as String? ?? "")")
        let orders = try account.test.ledger.recentOrders(of: account.record.id, limit: 10)
        let order = try #require(orders.first)
        #expect(order.order.status == .filled || order.order.status == .open)
        // The answer was generated from the very schema the provider was sent.
        let seen = try #require(try await provider.requests(channel).first)
        if let sent = mode.sentSchema(try JSONParser.parse(seen.body)) { #expect(sent == schema) }
    }

    @Test("the compact schema of small local models: one bounded instruction, and its minimal open becomes an order")
    func compactOpenIsExecuted() async throws {
        let schema = DecisionSchema.compactSchema(symbols: LLMAccount.symbols, maximumLeverage: 5)
        let instruction = try #require(schema["properties"]?["decisions"]?["items"])
        #expect(schema["properties"]?["decisions"]?["maxItems"] == .number("1"))
        // What a grammar can enforce: enumerations, not minimum and maximum.
        #expect(instruction["properties"]?["leverage"]?["enum"] == .array((1...5).map { .number(String($0)) }))
        #expect(instruction["properties"]?["confidence"]?["enum"]?.elements?.last == .number("1"))
        #expect(Set((instruction["properties"]?.members ?? []).map(\.key)) == Set(DecisionSchema.requiredInstructionFields))

        let provider = try await FakeProvider.shared()
        let channel = "compact\(UInt32.random(in: 0...UInt32.max))"
        let answer = MinimalInstance.value(for: schema, choosing: ["action": "open_short"]).serialized
        try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.openAIText(answer))])
        var configuration = try fakeConfiguration(provider, channel: channel, kind: .local, model: "smollm2-135m-instruct", key: nil)
        configuration.schemaForm = .compact
        var account = try LLMAccount.make(configuration: configuration, services: try testServices(), limits: RiskLimits(max_leverage: 5))
        try await account.cycle()

        let row = try #require(try account.decisions().first)
        #expect(row["outcome"] as String == "accepted", "\(answer) → \(row["rejection_reason"] as String? ?? "")")
        #expect(try account.test.ledger.recentOrders(of: account.record.id, limit: 10).count == 1)
        let seen = try #require(try await provider.requests(channel).first)
        #expect(try JSONParser.parse(seen.body)["response_format"]?["schema"] == schema)
    }
}

/// Builds the smallest instance of a JSON schema: only required properties, one array item, the
/// first enum value (or the one chosen per property), integers at their minimum, bounded numbers
/// at their minimum, and unbounded amounts at 100 (an amount every venue minimum accepts).
enum MinimalInstance {
    static func value(for schema: JSONValue, name: String = "", choosing choices: [String: String] = [:]) -> JSONValue {
        if let choice = choices[name] { return .string(choice) }
        if let options = schema["enum"]?.elements, let first = options.first { return first }
        switch schema["type"]?.text {
        case "object"?:
            let required = (schema["required"]?.elements ?? []).compactMap(\.text)
            return .object(required.map { key in
                (key, value(for: schema["properties"]?[key] ?? .object([]), name: key, choosing: choices))
            })
        case "array"?:
            return .array([value(for: schema["items"] ?? .object([]), name: name, choosing: choices)])
        case "integer"?:
            return schema["minimum"] ?? .number("0")
        case "number"?:
            if schema["maximum"] != nil { return schema["minimum"] ?? .number("0") }
            return .number("100")
        case "boolean"?:
            return .bool(false)
        default:
            return .string("x")
        }
    }
}

extension JSONValue {
    /// The elements, if it is an array.
    fileprivate var elements: [JSONValue]? {
        guard case .array(let values) = self else { return nil }
        return values
    }

    /// The members, if it is an object.
    fileprivate var members: [(key: String, value: JSONValue)]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The text, if it is a string.
    fileprivate var text: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }
}
