import ArenaCore
import Drivers
import Storage

extension DecisionRecord {
    /// A driver call that answered: its prompt, answer, cost and parsed decision, before the risk
    /// verdict sets the outcome.
    /// - Throws: `EncodingError` when the decision cannot be encoded for storage.
    init(answer output: DriverOutput, accountID: AccountID, driver: any Driver, time: Timestamp, latencyMilliseconds: Int) throws {
        self.init(accountID: accountID, time: time, driverKind: driver.kind, provider: driver.provider, model: driver.model,
                  prompt: output.prompt, rawResponse: output.rawResponse, reasoning: output.decision.reasoning,
                  parsedDecision: try JSON.encode(DecisionJSON(output.decision)), outcome: .hold, promptTokens: output.promptTokens,
                  completionTokens: output.completionTokens, costUSD: output.costUSD, latencyMilliseconds: latencyMilliseconds)
    }

    /// A driver call that produced no usable decision, with what it cost.
    init(failure: DriverFailure, accountID: AccountID, driver: any Driver, time: Timestamp, latencyMilliseconds: Int) {
        self.init(accountID: accountID, time: time, driverKind: driver.kind, provider: driver.provider, model: driver.model,
                  prompt: failure.prompt, rawResponse: failure.rawResponse, reasoning: failure.reasoning,
                  outcome: failure.outcome == .rejected ? .rejected : .failed, rejectionReason: failure.reason,
                  promptTokens: failure.promptTokens, completionTokens: failure.completionTokens, costUSD: failure.costUSD,
                  latencyMilliseconds: latencyMilliseconds)
    }

    /// A driver that failed without a model's answer.
    init(error: any Error, accountID: AccountID, driver: any Driver, time: Timestamp, latencyMilliseconds: Int) {
        self.init(accountID: accountID, time: time, driverKind: driver.kind, provider: driver.provider, model: driver.model,
                  outcome: .failed, rejectionReason: "The driver could not decide: \(error)", latencyMilliseconds: latencyMilliseconds)
    }

    /// The decision's feed message, once it has an id.
    func feedDraft(id: Int64, justification: String?, actions: [String]) -> FeedDraft {
        FeedDraft(.decision, accountID: accountID, time: time, data: DecisionView(
            id: id, account_id: accountID.rawValue, driver: driverKind, model: model, outcome: outcome.rawValue,
            rejection_reason: rejectionReason, justification: justification, actions: actions, latency_ms: latencyMilliseconds,
            time: time.milliseconds))
    }
}

extension Decision {
    /// What the decision asks, one line per instruction, as the feed shows it.
    var actionSummary: [String] { instructions.map { "\($0.action.rawValue) \($0.symbol)" } }

    /// The justification the feed shows: the first trade's, else the reasoning, else the first instruction's.
    var headline: String? {
        instructions.first(where: { $0.action != .hold })?.justification ?? reasoning ?? instructions.first?.justification
    }
}
