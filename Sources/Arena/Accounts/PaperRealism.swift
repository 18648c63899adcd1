import PaperExchange

/// How a paper account's venue behaves: `venue` is faithful to Hyperliquid (the default); `noisy`
/// adds the seed-003 profile (random latency and rejections, partial fills of large orders,
/// size-based slippage), every draw seeded so runs repeat.
public enum PaperRealism: String, Sendable, Codable, Hashable, CaseIterable {
    case venue
    case noisy

    /// The paper exchange's profile for this setting; nil for the faithful venue.
    public var profile: RealismProfile? {
        switch self {
        case .venue: nil
        case .noisy: RealismProfile()
        }
    }
}
