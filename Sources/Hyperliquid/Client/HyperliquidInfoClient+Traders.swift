import ArenaCore

extension HyperliquidInfoClient {
    /// Returns the latest trades of `coin` (the venue's name), each with its buyer and seller.
    /// - Throws: `HyperliquidClientError`, `malformedResponse` when a trade does not name exactly two users.
    public func recentTrades(coin: String) async throws -> [RecentTradeWire] {
        let trades = try await request("recentTrades", [("coin", .string(coin))], as: [RecentTradeWire].self, items: \.count)
        if let odd = trades.first(where: { $0.users.count != 2 }) {
            throw HyperliquidClientError.malformedResponse("a recentTrades entry of \(coin) names \(odd.users.count) users instead of buyer and seller")
        }
        return trades
    }

    /// Returns the fills of `user` from `startTime` (inclusive) up to `endTime` when given, oldest
    /// first; the venue answers at most 2000 at a time, so a caller pages by the last fill's time.
    /// - Parameter aggregateByTime: Merges partial fills of one order at one time, as the venue can.
    public func userFillsByTime(user: EthereumAddress, startTime: Timestamp, endTime: Timestamp? = nil,
                                aggregateByTime: Bool = false) async throws -> [UserFillWire] {
        var fields: [(key: String, value: WireValue)] = [("user", .string(user.lowercaseHex)), ("startTime", .integer(startTime.milliseconds))]
        if let endTime { fields.append(("endTime", .integer(endTime.milliseconds))) }
        if aggregateByTime { fields.append(("aggregateByTime", .bool(true))) }
        return try await request("userFillsByTime", fields, as: [UserFillWire].self, items: \.count)
    }
}
