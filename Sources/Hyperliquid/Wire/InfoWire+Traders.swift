/// Raw shapes of the `/info` answers the trader tracker reads, as the venue sends them.

/// One trade of `recentTrades`: the public tape of a coin, with both sides' addresses.
public struct RecentTradeWire: Sendable, Hashable, Codable {
    /// The coin.
    public var coin: String
    /// The aggressor's side: `B` (a buy) or `A` (a sell).
    public var side: String
    /// The trade's price.
    public var px: String
    /// The trade's size.
    public var sz: String
    /// The trade's time, in milliseconds.
    public var time: Int64
    /// The transaction hash.
    public var hash: String?
    /// The trade id.
    public var tid: Int64?
    /// The two addresses of the trade: buyer first, then seller.
    public var users: [String]

    /// Creates a trade.
    public init(coin: String, side: String, px: String, sz: String, time: Int64, hash: String? = nil, tid: Int64? = nil, users: [String]) {
        self.coin = coin
        self.side = side
        self.px = px
        self.sz = sz
        self.time = time
        self.hash = hash
        self.tid = tid
        self.users = users
    }
}
