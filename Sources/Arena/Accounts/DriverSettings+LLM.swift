import Foundation
import LLM

extension DriverSettings {
    /// The model name of the bundled local model.
    public static let localModelName = "smollm2-135m-instruct"

    /// Settings for an account driven by the bundled local model.
    public static func localModel(intervalSeconds: Int = 60, prompt: String? = nil) -> DriverSettings {
        var settings = DriverSettings(kind: .llm, intervalSeconds: intervalSeconds)
        settings.provider = .local
        settings.model = localModelName
        settings.temperature = 0.2
        settings.max_tokens = 512
        settings.timeout_seconds = 120
        settings.prompt = prompt
        return settings
    }

    /// Settings for an account driven by a model over HTTP.
    public static func model(provider: ModelProvider, model: String, baseURL: String? = nil, apiKeyEnvironmentVariable: String? = nil,
                             intervalSeconds: Int = 60) -> DriverSettings {
        var settings = DriverSettings(kind: .llm, intervalSeconds: intervalSeconds)
        settings.provider = provider
        settings.model = model
        settings.base_url = baseURL
        settings.api_key_env = apiKeyEnvironmentVariable
        return settings
    }

    /// Checks the `llm` fields: a provider, a model, a base URL where the provider has no
    /// default, an environment variable name (never a key) and numbers in range.
    func validateModelSettings() throws {
        guard let provider else { throw ArenaError.invalidRoster("llm needs a provider: openai, anthropic or local") }
        if provider != .local {
            guard let model, !model.isEmpty else { throw ArenaError.invalidRoster("llm needs a model") }
        }
        if let base_url {
            guard let url = URL(string: base_url), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil,
                  base_url.utf8.count <= 2048 else {
                throw ArenaError.invalidRoster("base_url must be an http or https URL")
            }
            guard url.user == nil, url.password == nil, url.query == nil else {
                throw ArenaError.invalidRoster("base_url must not carry credentials or a query; put the key in the variable named by api_key_env")
            }
        } else if provider == .openai || provider == .anthropic, ModelConfiguration.defaultBaseURL(for: provider) == nil {
            throw ArenaError.invalidRoster("llm with provider \(provider.rawValue) needs a base_url")
        }
        if let api_key_env {
            let bytes = Array(api_key_env.utf8)
            let valid = !bytes.isEmpty && bytes.count <= 128 && !(bytes[0] >= 0x30 && bytes[0] <= 0x39)
                && bytes.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
            // A value that looks like a key rather than a variable name is refused without echoing it.
            guard valid else { throw ArenaError.invalidRoster("api_key_env must be the NAME of an environment variable (letters, digits, _), not a key") }
        }
        if let temperature, !(temperature.isFinite && (0...2).contains(temperature)) {
            throw ArenaError.invalidRoster("temperature must be between 0 and 2")
        }
        if let max_tokens, !(16...65_536).contains(max_tokens) { throw ArenaError.invalidRoster("max_tokens must be 16 to 65536") }
        if let timeout_seconds, !(1...600).contains(timeout_seconds) { throw ArenaError.invalidRoster("timeout_seconds must be 1 to 600") }
        if let prompt, !PromptLibrary.isValidName(prompt) {
            throw ArenaError.invalidRoster("prompt must be a template name of letters, digits, '-' or '_'")
        }
        if let max_concurrent_requests, !(1...4096).contains(max_concurrent_requests) {
            throw ArenaError.invalidRoster("max_concurrent_requests must be 1 to 4096")
        }
        if provider == .anthropic, structured_output == .jsonObject {
            throw ArenaError.invalidRoster("anthropic has no json_object output; use tool or text")
        }
    }
}
