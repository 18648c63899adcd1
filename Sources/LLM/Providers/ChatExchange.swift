import JSONCore

/// One message of a conversation with a model.
public struct ChatMessage: Sendable, Hashable {
    /// Who speaks.
    public enum Role: String, Sendable, Hashable { case user, assistant }
    public var role: Role
    public var text: String

    /// Creates a message.
    public init(role: Role, text: String) {
        self.role = role
        self.text = text
    }
}

/// What is asked of a model in one call: the prompts and how the decision must come back.
public struct ChatRequest: Sendable {
    /// The system prompt.
    public var system: String
    /// The conversation: the user prompt, and for a repair the previous answer and the complaint.
    public var messages: [ChatMessage]
    /// The decision's JSON schema, as the tool's parameters or the response format's schema.
    public var schema: JSONValue
    /// How the decision is asked for.
    public var output: StructuredOutput

    /// The name of the tool the model is made to call.
    public static let toolName = "submit_decision"
    /// The tool's description, shown to the model.
    public static let toolDescription = "Submit this cycle's trading decision: one instruction per symbol you act on."

    /// Creates a request.
    public init(system: String, messages: [ChatMessage], schema: JSONValue, output: StructuredOutput) {
        self.system = system
        self.messages = messages
        self.schema = schema
        self.output = output
    }
}

/// What a model answered in one call, as read from the provider's reply.
public struct ChatReply: Sendable, Hashable {
    /// The message text, if any.
    public var text: String?
    /// The forced tool call's arguments as JSON text, if the model called the tool.
    public var toolArguments: String?
    /// Reasoning the provider returned beside the answer (DeepSeek's `reasoning_content`,
    /// Anthropic's thinking blocks).
    public var reasoning: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Why the model stopped (`stop`, `length`, `tool_calls`, `end_turn`, ...).
    public var finishReason: String?

    /// Creates a reply.
    public init(text: String? = nil, toolArguments: String? = nil, reasoning: String? = nil, promptTokens: Int? = nil,
                completionTokens: Int? = nil, finishReason: String? = nil) {
        self.text = text
        self.toolArguments = toolArguments
        self.reasoning = reasoning
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.finishReason = finishReason
    }

    /// The answer to parse: the tool's arguments when the model called the tool, else the text.
    public var answer: String { toolArguments ?? text ?? "" }
}

/// The wire format of one provider API: builds the request body and reads the reply body.
/// Pure functions, so they are tested on captured JSON without sockets.
public protocol ChatWireFormat: Sendable {
    /// The path appended to the base URL.
    var path: String { get }
    /// The header fields to send, including the key.
    func headers(apiKey: APIKey?) -> [(String, String)]
    /// Returns the request body.
    func body(for request: ChatRequest, configuration: ModelConfiguration) -> JSONValue
    /// Reads a successful reply body.
    /// - Throws: `LLMError.malformedReply` when it is not what the API promises.
    func reply(from body: JSONValue) throws(LLMError) -> ChatReply
}

extension JSONValue {
    /// A JSON number from a Double (finite values only; others become null).
    static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int64(value))) }
        return .number("\(value)")
    }

    /// A JSON number from an Int.
    static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// The value as an Int, for token counts.
    var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let value = Int(text) { return value }
        guard let double = Double(text), double.isFinite, double == double.rounded(), abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    /// The value as a string, if it is one.
    var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The elements, if it is an array.
    var arrayValue: [JSONValue]? {
        guard case .array(let values) = self else { return nil }
        return values
    }
}
