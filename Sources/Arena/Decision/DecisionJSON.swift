import ArenaCore
import JSONCore

/// A decision as stored in `decisions.parsed_decision` and shown by the API.
struct DecisionJSON: Codable, Sendable {
    struct Instruction: Codable, Sendable {
        var symbol: String
        var action: String
        var size_usd: FixedDecimal?
        var size_equity_fraction: FixedDecimal?
        var target_size: FixedDecimal?
        var leverage: Int?
        var take_profit: FixedDecimal?
        var stop_loss: FixedDecimal?
        var invalidation_condition: String?
        var confidence: FixedDecimal?
        var justification: String
    }

    var instructions: [Instruction]
    var reasoning: String?

    init(_ decision: Decision) {
        instructions = decision.instructions.map { instruction in
            var usd: FixedDecimal?
            var fraction: FixedDecimal?
            switch instruction.size {
            case .usd(let value)?: usd = value
            case .equityFraction(let value)?: fraction = value
            case nil: break
            }
            return Instruction(symbol: instruction.symbol.name, action: instruction.action.rawValue, size_usd: usd,
                               size_equity_fraction: fraction, target_size: instruction.targetSize, leverage: instruction.leverage, take_profit: instruction.takeProfit,
                               stop_loss: instruction.stopLoss, invalidation_condition: instruction.invalidationCondition,
                               confidence: instruction.confidence, justification: instruction.justification)
        }
        reasoning = decision.reasoning
    }
}

// Written once per decision: listed by hand, in declaration order, as the synthesized
// `encode(to:)` does (a decimal is its description, as `FixedDecimal` encodes itself).
extension DecisionJSON: JSONMembersWritable {
    func writeMembers(to members: JSONMembers) throws {
        try members.add("instructions", instructions)
        members.add("reasoning", reasoning)
    }
}

extension DecisionJSON.Instruction: JSONMembersWritable {
    func writeMembers(to members: JSONMembers) {
        members.add("symbol", symbol)
        members.add("action", action)
        members.add("size_usd", size_usd?.description)
        members.add("size_equity_fraction", size_equity_fraction?.description)
        members.add("target_size", target_size?.description)
        members.add("leverage", leverage)
        members.add("take_profit", take_profit?.description)
        members.add("stop_loss", stop_loss?.description)
        members.add("invalidation_condition", invalidation_condition)
        members.add("confidence", confidence?.description)
        members.add("justification", justification)
    }
}
