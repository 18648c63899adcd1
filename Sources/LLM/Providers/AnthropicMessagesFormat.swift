import JSONCore

/// Anthropic's messages API (`POST {base}/messages`).
public struct AnthropicMessagesFormat: ChatWireFormat {
    /// The API version sent in `anthropic-version`.
    public static let apiVersion = "2023-06-01"

    /// Creates the format.
    public init() {}

    public var path: String { "/messages" }

    public func headers(apiKey: APIKey?) -> [(String, String)] {
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json"), ("anthropic-version", Self.apiVersion)]
        if let apiKey { headers.append(("x-api-key", apiKey.secret)) }
        return headers
    }

    public func body(for request: ChatRequest, configuration: ModelConfiguration) -> JSONValue {
        let messages: [JSONValue] = request.messages.map { message in
            .object([("role", .string(message.role.rawValue)), ("content", .string(message.text))])
        }
        var members: [(key: String, value: JSONValue)] = [
            ("model", .string(configuration.model)),
            ("max_tokens", .int(configuration.maximumTokens)),
            // Anthropic's temperature is 0 to 1.
            ("temperature", .double(min(configuration.temperature, 1))),
            ("system", .string(request.system)),
            ("messages", .array(messages)),
        ]
        if request.output == .tool {
            members.append(("tools", .array([.object([
                ("name", .string(ChatRequest.toolName)),
                ("description", .string(ChatRequest.toolDescription)),
                ("input_schema", request.schema),
            ])])))
            members.append(("tool_choice", .object([("type", .string("tool")), ("name", .string(ChatRequest.toolName))])))
        }
        return .object(members)
    }

    public func reply(from body: JSONValue) throws(LLMError) -> ChatReply {
        guard let content = body["content"]?.arrayValue else { throw LLMError(.malformedReply, "the reply has no content array") }
        var reply = ChatReply()
        var texts: [String] = []
        var thoughts: [String] = []
        for block in content {
            switch block["type"]?.stringValue {
            case "text"?:
                if let text = block["text"]?.stringValue { texts.append(text) }
            case "thinking"?:
                if let thinking = block["thinking"]?.stringValue { thoughts.append(thinking) }
            case "tool_use"?:
                guard block["name"]?.stringValue == ChatRequest.toolName, reply.toolArguments == nil else { continue }
                guard let input = block["input"], case .object = input else {
                    throw LLMError(.malformedReply, "the tool call has no input object")
                }
                reply.toolArguments = input.serialized
            default:
                continue
            }
        }
        reply.text = texts.isEmpty ? nil : texts.joined(separator: "\n")
        reply.reasoning = thoughts.isEmpty ? nil : thoughts.joined(separator: "\n")
        reply.finishReason = body["stop_reason"]?.stringValue
        if let usage = body["usage"] {
            reply.promptTokens = usage["input_tokens"]?.intValue
            reply.completionTokens = usage["output_tokens"]?.intValue
        }
        return reply
    }
}
