import ArenaCore

/// What a model costs, in USD per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    /// USD per million prompt (input) tokens.
    public var input: FixedDecimal
    /// USD per million completion (output) tokens.
    public var output: FixedDecimal

    /// Creates a price.
    public init(input: FixedDecimal, output: FixedDecimal) {
        self.input = input
        self.output = output
    }
}

/// Prices per model, to turn token counts into USD exactly.
///
/// A model is found by its exact name, else by the longest known name it starts with (so dated
/// snapshots such as `gpt-4o-mini-2024-07-18` find `gpt-4o-mini`), after dropping a router's
/// `vendor/` prefix. Unknown models cost nil (unknown), not zero.
public struct PriceTable: Sendable {
    private let prices: [String: ModelPrice]
    private let keysLongestFirst: [String]

    /// Creates a table from lowercase model names.
    public init(_ prices: [String: ModelPrice]) {
        var lowered: [String: ModelPrice] = [:]
        for (name, price) in prices { lowered[name.lowercased()] = price }
        self.prices = lowered
        keysLongestFirst = lowered.keys.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// Returns the price of a model, or nil when the table does not know it.
    public func price(for model: String) -> ModelPrice? {
        var name = model.lowercased()
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let exact = prices[name] { return exact }
        return keysLongestFirst.first(where: { name.hasPrefix($0) }).flatMap { prices[$0] }
    }

    /// Returns the cost of a call in USD (exact to 1e-8), or nil for an unknown model or
    /// unknown token counts.
    public func cost(model: String, promptTokens: Int?, completionTokens: Int?) -> FixedDecimal? {
        guard let price = price(for: model), promptTokens != nil || completionTokens != nil else { return nil }
        return Self.cost(price: price, promptTokens: promptTokens ?? 0, completionTokens: completionTokens ?? 0)
    }

    /// Returns tokens × price / 1,000,000, rounded half away from zero to 1e-8 USD.
    public static func cost(price: ModelPrice, promptTokens: Int, completionTokens: Int) -> FixedDecimal {
        let numerator = Int128(max(0, promptTokens)) * Int128(price.input.raw) + Int128(max(0, completionTokens)) * Int128(price.output.raw)
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: 1_000_000)
        let rounded = remainder * 2 >= 1_000_000 ? quotient + 1 : quotient
        return FixedDecimal(raw: Int64(clamping: rounded))
    }
}
