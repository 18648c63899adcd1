import JSONCore

/// OpenAI's chat completions (`POST {base}/chat/completions`), as OpenAI, DeepSeek, Qwen, xAI,
/// OpenRouter, Ollama, vLLM and llama.cpp servers speak it.
public struct OpenAIChatFormat: ChatWireFormat {
    /// Creates the format.
    public init() {}

    public var path: String { "/chat/completions" }

    public func headers(apiKey: APIKey?) -> [(String, String)] {
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey.secret)")) }
        return headers
    }

    public func body(for request: ChatRequest, configuration: ModelConfiguration) -> JSONValue {
        var messages: [JSONValue] = [.object([("role", .string("system")), ("content", .string(request.system))])]
        for message in request.messages {
            messages.append(.object([("role", .string(message.role.rawValue)), ("content", .string(message.text))]))
        }
        var members: [(key: String, value: JSONValue)] = [
            ("model", .string(configuration.model)),
            ("messages", .array(messages)),
            ("temperature", .double(configuration.temperature)),
            ("max_tokens", .int(configuration.maximumTokens)),
            ("stream", .bool(false)),
        ]
        switch request.output {
        case .tool:
            members.append(("tools", .array([.object([
                ("type", .string("function")),
                ("function", .object([
                    ("name", .string(ChatRequest.toolName)),
                    ("description", .string(ChatRequest.toolDescription)),
                    ("parameters", request.schema),
                ])),
            ])])))
            members.append(("tool_choice", .object([
                ("type", .string("function")), ("function", .object([("name", .string(ChatRequest.toolName))])),
            ])))
        case .jsonObject:
            // llama.cpp turns the schema into a grammar; it refuses the `json_schema` form.
            members.append(("response_format", .object([("type", .string("json_object")), ("schema", request.schema)])))
        case .text:
            break
        }
        return .object(members)
    }

    public func reply(from body: JSONValue) throws(LLMError) -> ChatReply {
        guard let choices = body["choices"]?.arrayValue, let choice = choices.first, let message = choice["message"] else {
            throw LLMError(.malformedReply, "the reply has no choices[0].message")
        }
        var reply = ChatReply()
        reply.text = message["content"]?.stringValue
        if let calls = message["tool_calls"]?.arrayValue {
            for call in calls {
                guard let function = call["function"], function["name"]?.stringValue == ChatRequest.toolName else { continue }
                switch function["arguments"] {
                case .string(let text)?: reply.toolArguments = text
                case .object?: reply.toolArguments = function["arguments"]?.serialized
                default: throw LLMError(.malformedReply, "the tool call has no arguments")
                }
                break
            }
        }
        reply.reasoning = message["reasoning_content"]?.stringValue ?? message["reasoning"]?.stringValue
        reply.finishReason = choice["finish_reason"]?.stringValue
        if let usage = body["usage"] {
            reply.promptTokens = usage["prompt_tokens"]?.intValue
            reply.completionTokens = usage["completion_tokens"]?.intValue
        }
        return reply
    }
}
