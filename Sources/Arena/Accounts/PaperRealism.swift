import PaperExchange

/// How a paper account's venue behaves: `venue` is faithful to Hyperliquid (the default); `noisy`
/// adds the seed-003 profile (random latency and rejections, partial fills of large orders,
/// size-based slippage), every draw seeded so runs repeat.
public enum PaperRealism: String, Sendable, Codable, Hashable, CaseIterable {
    case venue
    case noisy

    /// Reads `venue` or `noisy`; anything else is refused with the two names, so a roster or an
    /// API body that misspells it says what to write instead.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let realism = PaperRealism(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "realism must be venue (faithful to Hyperliquid) or noisy (latency, random rejections, partial fills, slippage), not \(text.prefix(40))")
        }
        self = realism
    }

    /// The paper exchange's profile for this setting; nil for the faithful venue.
    public var profile: RealismProfile? {
        switch self {
        case .venue: nil
        case .noisy: RealismProfile()
        }
    }
}
