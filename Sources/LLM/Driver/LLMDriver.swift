import ArenaCore
import Drivers
import Foundation
import JSONCore
import Synchronization

/// A driver that asks a language model: renders the account's prompt templates, calls the
/// provider for a structured decision, reads and checks the answer (asking once for a repair
/// when it is unusable), and reports prompt, raw answer, reasoning, tokens and cost.
///
/// A call that yields no decision throws `DriverFailure` with everything worth recording; the
/// runner stores it and nothing trades.
public final class LLMDriver: Driver {
    /// The account's model settings.
    public let configuration: ModelConfiguration
    private let services: LLMServices
    private let state: Mutex<State>

    private struct State {
        var exitPlans: [Symbol: ExitPlan] = [:]
        /// Equity at each call, newest last, for the Sharpe ratio.
        var equities: [Double] = []
        /// Set once the provider refused tools and answered in text.
        var toolsUnsupported = false
        /// The instructions of the decision in flight, to file exit plans when it fills.
        var pending: [SymbolDecision] = []
        /// The account this driver decides for, learnt from its first call.
        var accountID: AccountID?
        /// Whether exit plans were ever saved or restored, so that clearing them is saved too.
        var hadExitPlans = false
        var persisted = PersistedJSONMemo<[Symbol: ExitPlan]>()
    }

    /// What the driver keeps across restarts. Its members are listed by hand
    /// (`JSONMembersWritable`): it is encoded after every decision that changes a plan.
    struct PersistentState: Codable, JSONMembersWritable {
        var exit_plans: [String: ExitPlan]

        func writeMembers(to members: JSONMembers) throws {
            try members.add("exit_plans", exit_plans)
        }
    }

    /// The most equities kept for the Sharpe ratio.
    static let equityHistoryLimit = 500

    /// Creates a driver.
    /// - Parameters:
    ///   - configuration: The account's model settings.
    ///   - services: The shared client, prompts and prices.
    ///   - restoring: The state saved by `persistentState()`, if any.
    /// - Throws: `LLMError.prompt` when the configured templates do not exist.
    public init(configuration: ModelConfiguration, services: LLMServices, restoring saved: String? = nil) throws {
        guard services.prompts.contains(configuration.promptTemplate) else {
            throw LLMError(.prompt, "no prompt templates named \(configuration.promptTemplate) (known: \(services.prompts.names.joined(separator: ", ")))")
        }
        self.configuration = configuration
        self.services = services
        var state = State()
        if let saved, let data = saved.data(using: .utf8), let decoded = try? JSONDecoder().decode(PersistentState.self, from: data) {
            for (name, plan) in decoded.exit_plans {
                if let symbol = Symbol(name) { state.exitPlans[symbol] = plan }
            }
            state.hadExitPlans = true
        }
        self.state = Mutex(state)
    }

    public var kind: String { "llm" }
    public var provider: String? { configuration.provider.rawValue }
    public var model: String? { configuration.model }

    // MARK: Deciding

    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        let clock = ContinuousClock()
        let started = clock.now
        var ownWork = Duration.zero
        var succeeded = false
        defer {
            services.observer?.decisionEnded(account: context.accountID, marketTime: context.time, started: started, ownWork: ownWork,
                                             finished: clock.now, succeeded: succeeded)
        }

        // The prompt.
        let (exitPlans, sharpe, toolsUnsupported) = state.withLock { state in
            state.accountID = context.accountID
            state.equities.append(context.account.equity.doubleValue)
            if state.equities.count > Self.equityHistoryLimit { state.equities.removeFirst(state.equities.count - Self.equityHistoryLimit) }
            return (state.exitPlans, Self.sharpeRatio(state.equities), state.toolsUnsupported)
        }
        let rendered: PromptLibrary.Rendered
        do {
            rendered = try services.prompts.render(configuration.promptTemplate,
                                                   context: promptValues(context, exitPlans: exitPlans, sharpeRatio: sharpe))
        } catch {
            throw DriverFailure(outcome: .failed, reason: "The prompt could not be rendered: \(error)")
        }
        let parser = DecisionParser(universe: context.symbols)
        var output: StructuredOutput = configuration.structuredOutput
        if output == .tool, toolsUnsupported { output = .text }
        var request = ChatRequest(system: rendered.system, messages: [ChatMessage(role: .user, text: rendered.user)],
                                  schema: DecisionSchema.schema(configuration.schemaForm, symbols: context.symbols,
                                                               maximumLeverage: context.maxLeverage),
                                  output: output)
        var record = CallRecord(prompt: rendered.combined, account: context.accountID, marketTime: context.time)
        ownWork += clock.now - started

        // The call, and one repair if the answer is unusable. Answers are scrubbed of the key
        // before parsing, so not even an echoed key reaches the stored decision.
        let first = try await call(&request, record: &record)
        var parseStart = clock.now
        var decision: Decision
        do {
            decision = try parser.parse(scrub(first.answer))
            ownWork += clock.now - parseStart
        } catch let problem {
            ownWork += clock.now - parseStart
            request.messages.append(ChatMessage(role: .assistant, text: first.answer.isEmpty ? "(no answer)" : first.answer))
            request.messages.append(ChatMessage(role: .user, text: Self.repairRequest(problem)))
            record.raw += "\n\n--- repair requested: \(problem.reason) ---\n\n"
            let second = try await call(&request, record: &record)
            parseStart = clock.now
            do {
                decision = try parser.parse(scrub(second.answer))
                ownWork += clock.now - parseStart
            } catch let secondProblem {
                ownWork += clock.now - parseStart
                throw failure(secondProblem.kind == .invalid ? .rejected : .failed,
                              "The model's answer was unusable after one repair request: \(secondProblem.reason)", record)
            }
        }
        let reasoningParts = [record.reasoning, decision.reasoning].compactMap { $0 }.filter { !$0.isEmpty }
        decision.reasoning = reasoningParts.isEmpty ? nil : DecisionParser.clean(reasoningParts.joined(separator: "\n\n"), limit: DecisionSchema.maximumReasoning)
        state.withLock { $0.pending = decision.instructions }
        succeeded = true
        return DriverOutput(decision: decision, prompt: record.prompt, rawResponse: scrub(record.raw), promptTokens: record.promptTokens,
                            completionTokens: record.completionTokens, costUSD: cost(record))
    }

    /// The template values of `context`; the ranking only for a template that shows it (building
    /// every rival's positions for a prompt that never reads them was a third of building the values).
    private func promptValues(_ context: DecisionContext, exitPlans: [Symbol: ExitPlan], sharpeRatio: Double?) -> [String: TemplateValue] {
        var context = context
        if !services.prompts.uses("ranking", in: configuration.promptTemplate) { context.ranking = nil }
        return PromptContext.make(context, exitPlans: exitPlans, sharpeRatio: sharpeRatio, cache: services.promptCache)
    }

    public func previewPrompt(_ context: DecisionContext) async throws -> PromptPreview? {
        // As `decide` would render it, with the equity of now counted but not kept.
        let (exitPlans, sharpe) = state.withLock { state in
            (state.exitPlans, Self.sharpeRatio(state.equities + [context.account.equity.doubleValue]))
        }
        do {
            let rendered = try services.prompts.render(configuration.promptTemplate,
                                                       context: promptValues(context, exitPlans: exitPlans, sharpeRatio: sharpe))
            return PromptPreview(system: rendered.system, user: rendered.user)
        } catch {
            throw LLMError(.prompt, "the prompt could not be rendered: \(error)")
        }
    }

    /// What one decision's calls produced so far.
    private struct CallRecord {
        var prompt: String
        var raw = ""
        var reasoning: String?
        var promptTokens: Int?
        var completionTokens: Int?
        /// Which decision the calls belong to, and how many were sent, to name each call.
        var account: AccountID
        var marketTime: Timestamp
        var calls = 0

        /// Names the next call of this decision.
        mutating func nextCall() -> ModelCall {
            defer { calls += 1 }
            return ModelCall(account: account, marketTime: marketTime, index: calls)
        }

        mutating func add(_ reply: ChatReply) {
            raw += reply.answer
            if let reasoning = reply.reasoning, !reasoning.isEmpty { self.reasoning = reasoning }
            if let tokens = reply.promptTokens { promptTokens = (promptTokens ?? 0) + tokens }
            if let tokens = reply.completionTokens { completionTokens = (completionTokens ?? 0) + tokens }
        }
    }

    /// Calls the model once (the client retries transport failures), falling back from a tool to
    /// text when the provider refuses tools.
    private func call(_ request: inout ChatRequest, record: inout CallRecord) async throws -> ChatReply {
        let client: any ModelTransport
        do {
            client = try services.transport()
        } catch {
            throw failure(.failed, "\(error)", record)
        }
        do {
            let reply = try await client.complete(request, configuration: configuration, call: record.nextCall())
            record.add(reply)
            return reply
        } catch let error as LLMError where error.code == .providerStatus && request.output == .tool && [400, 404, 422].contains(error.status ?? 0) {
            // Models without tools: ask for JSON in the text instead, and remember it if it works.
            request.output = .text
            do {
                let reply = try await client.complete(request, configuration: configuration, call: record.nextCall())
                record.add(reply)
                state.withLock { $0.toolsUnsupported = true }
                return reply
            } catch let second as LLMError {
                throw failure(.failed, "The model call failed (with a tool: \(error.message); in text: \(second.message)).", record)
            }
        } catch let error as LLMError {
            throw failure(.failed, "The model call failed: \(error.message)", record)
        }
    }

    private func failure(_ outcome: DriverFailure.Outcome, _ reason: String, _ record: CallRecord) -> DriverFailure {
        DriverFailure(outcome: outcome, reason: scrub(reason), prompt: record.prompt, rawResponse: record.raw.isEmpty ? nil : scrub(record.raw),
                      reasoning: record.reasoning.map(scrub), promptTokens: record.promptTokens, completionTokens: record.completionTokens,
                      costUSD: cost(record))
    }

    private func cost(_ record: CallRecord) -> FixedDecimal? {
        services.prices.cost(model: configuration.model, promptTokens: record.promptTokens, completionTokens: record.completionTokens)
    }

    private func scrub(_ text: String) -> String { configuration.apiKey?.scrub(text) ?? text }

    /// The follow-up message that asks for a corrected answer.
    static func repairRequest(_ problem: DecisionParseError) -> String {
        """
        Your answer could not be used: \(problem.reason)
        Reply again with only the JSON decision, in the form {"decisions": [{"symbol": ..., "action": ..., "size": ..., "size_unit": "usd" or "equity_fraction", "leverage": ..., "confidence": ..., "justification": ...}], "reasoning": ...}, using only the allowed symbols and fields.
        """
    }

    /// The mean over the standard deviation of returns between calls; nil before three returns
    /// or when returns do not vary.
    static func sharpeRatio(_ equities: [Double]) -> Double? {
        guard equities.count >= 4 else { return nil }
        var returns: [Double] = []
        returns.reserveCapacity(equities.count - 1)
        for index in 1..<equities.count where equities[index - 1] > 0 {
            returns.append(equities[index] / equities[index - 1] - 1)
        }
        guard returns.count >= 3 else { return nil }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
        guard variance > 1e-18 else { return nil }
        return mean / variance.squareRoot()
    }

    // MARK: Learning what happened

    public func reconcile(_ report: ExecutionReport) async {
        state.withLock { state in
            let filled = Set(report.fills.map(\.symbol))
            for instruction in state.pending where filled.contains(instruction.symbol) {
                switch instruction.action {
                case .openLong, .openShort:
                    state.exitPlans[instruction.symbol] = ExitPlan(takeProfit: instruction.takeProfit, stopLoss: instruction.stopLoss,
                                                                   invalidationCondition: instruction.invalidationCondition)
                case .close, .hold, .rebalance:
                    break
                }
            }
            for symbol in Array(state.exitPlans.keys) where report.account.positions[symbol]?.isFlat ?? true {
                state.exitPlans[symbol] = nil
            }
            state.pending = []
        }
    }

    public func decisionStored() async {
        if let observer = services.observer, let account = state.withLock({ $0.accountID }) {
            observer.decisionReconciled(account: account, at: ContinuousClock.now)
        }
    }

    public func persistentState() async -> String? {
        state.withLock { state in
            // No plan now and none ever saved: nothing to write.
            guard !state.exitPlans.isEmpty || state.hadExitPlans else { return nil }
            state.hadExitPlans = true
            let plans = state.exitPlans
            return state.persisted.json(of: plans) { plans in
                var named: [String: ExitPlan] = [:]
                for (symbol, plan) in plans { named[symbol.name] = plan }
                // JSONEncoder's bytes with `.sortedKeys`.
                return try? JSONTextEncoder(sortedKeys: true).encode(PersistentState(exit_plans: named))
            }
        }
    }
}
