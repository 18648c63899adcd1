/// Where an account's orders go.
public enum AccountMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The paper exchange: a simulation of Hyperliquid.
    case paper
    /// Hyperliquid itself.
    case live
}

/// Which Hyperliquid network a live account trades on. Always explicit, never guessed from a URL.
public enum Network: String, Sendable, Hashable, Codable, CaseIterable {
    case testnet
    case mainnet
}

/// Whether an account is trading.
public enum AccountStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case active
    /// Stopped by an operator; keeps its positions.
    case paused
    /// Stopped by a risk limit or the kill switch: reduce-only until cleared.
    case halted
    /// Deleted through the API: kept for history, never trades again.
    case archived
}
