import Foundation

/// The fake venue's controls for other users' accounts, the public tape and the weight limit.
extension FakeExchange {
    /// Sets a trader's account at the venue: its value and its positions (signed size, entry price), by coin.
    func setTrader(_ address: String, accountValue: String = "10000", positions: [String: (size: String, entry: String)] = [:]) async throws {
        let spec = positions.mapValues { ["szi": $0.size, "entryPx": $0.entry] }
        try await control(["set_trader": ["address": address, "account_value": accountValue, "positions": spec]])
    }

    /// Adds trades to the coins' recent trades, each naming its buyer and seller.
    func addTrades(_ trades: [(coin: String, buyer: String, seller: String)]) async throws {
        try await control(["add_trades": trades.map { ["coin": $0.coin, "users": [$0.buyer, $0.seller]] }])
    }

    /// Adds fills to a trader's history (its positions are set apart, by `setTrader`).
    func addFills(_ address: String, _ fills: [[String: Any]]) async throws {
        try await control(["add_fills": ["address": address, "fills": fills]])
    }

    /// Turns on the venue's weight limit (429 once a minute's weight is spent), or off with nil.
    func setWeightLimit(_ perMinute: Int?) async throws {
        try await control(["weight_limit": perMinute.map { $0 as Any } ?? NSNull()])
    }

    /// How many requests of each `/info` type the fake answered.
    func infoRequests() async throws -> [String: Int] {
        try await control()["info_types"] as? [String: Int] ?? [:]
    }
}
