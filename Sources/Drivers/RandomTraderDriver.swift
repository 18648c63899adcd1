import ArenaCore
import Synchronization

/// A seeded random trader: the baseline a model must beat to show it knows anything.
///
/// Each cycle it opens a random side on a random coin of its universe with a random share of
/// equity and leverage, closes a position, or holds. The same seed gives the same choices.
public final class RandomTraderDriver: Driver {
    private let generator: Mutex<SeededGenerator>
    /// The highest leverage it picks (further capped by the account's limit).
    public let maxLeverage: Int

    public init(seed: UInt64, maxLeverage: Int = 5) {
        self.generator = Mutex(SeededGenerator(seed: seed))
        self.maxLeverage = max(1, maxLeverage)
    }

    public var kind: String { "random" }

    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        guard !context.symbols.isEmpty else { throw DriverError("The account has no symbols to trade.") }
        let (roll, symbolIndex, sizeRoll, leverageRoll) = generator.withLock { random in
            (random.nextUnit(), Int(random.next() % UInt64(context.symbols.count)), random.nextUnit(), random.next())
        }
        let symbol = context.symbols[symbolIndex]
        let open = context.account.positions[symbol].map { !$0.isFlat } ?? false
        let instruction: SymbolDecision
        if open, roll < 0.35 {
            instruction = SymbolDecision(symbol: symbol, action: .close, justification: "Coin flip: close \(symbol).")
        } else if !open, roll < 0.6 {
            let action: DecisionAction = roll < 0.3 ? .openLong : .openShort
            let fraction = (FixedDecimal(approximating: 0.1 + 0.2 * sizeRoll) ?? FixedDecimal(1, exponent: 1)).rounded(decimals: 2)
            let leverage = 1 + Int(leverageRoll % UInt64(min(maxLeverage, context.maxLeverage)))
            instruction = SymbolDecision(symbol: symbol, action: action, size: .equityFraction(fraction), leverage: leverage,
                                         confidence: FixedDecimal(5, exponent: 1),
                                         justification: "Coin flip: \(action.rawValue) \(symbol) with \(fraction * FixedDecimal(100))% of equity at \(leverage)x.")
        } else {
            instruction = SymbolDecision(symbol: symbol, action: .hold, justification: "Coin flip: hold.")
        }
        return DriverOutput(decision: Decision(instructions: [instruction], reasoning: instruction.justification))
    }
}
