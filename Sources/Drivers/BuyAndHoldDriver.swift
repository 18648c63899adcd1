import ArenaCore

/// The simplest baseline: put the account's equity into one coin at 1x and hold it.
///
/// It buys whenever it holds no position in its coin (at the start, and again if an operator or
/// a liquidation closed it), and otherwise holds.
public struct BuyAndHoldDriver: Driver {
    public let symbol: Symbol
    /// The share of equity to invest; a little stays in cash for fees.
    public let equityFraction: FixedDecimal

    public init(symbol: Symbol, equityFraction: FixedDecimal = FixedDecimal(98, exponent: 2)) {
        self.symbol = symbol
        self.equityFraction = equityFraction
    }

    public var kind: String { "buy_and_hold" }

    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        if let position = context.account.positions[symbol], !position.isFlat {
            let reason = "Holding \(position.size) \(symbol) since entry at \(position.entryPrice)."
            return DriverOutput(decision: Decision(instructions: [SymbolDecision(symbol: symbol, action: .hold, justification: reason)],
                                                   reasoning: reason))
        }
        guard let quote = context.market[symbol] else {
            throw DriverError("No price for \(symbol) yet.")
        }
        let reason = "No \(symbol) position: buying \(equityFraction * FixedDecimal(100))% of equity at about \(quote.mid), 1x, to hold."
        let instruction = SymbolDecision(symbol: symbol, action: .openLong, size: .equityFraction(equityFraction), leverage: 1,
                                         confidence: .one, justification: reason)
        return DriverOutput(decision: Decision(instructions: [instruction], reasoning: reason))
    }
}
