import ArenaCore

/// Where an account stands among the arena's accounts at a market step, with its rivals' returns
/// and open positions: what the `aware` prompt shows a model. Built once per market step from
/// every account's published standing and shared by the accounts that decide at that step.
public struct ArenaRanking: Sendable, Hashable {
    /// Another account, as its rivals see it.
    public struct Rival: Sendable, Hashable {
        /// Its place in the ranking, 1 for the best return.
        public var rank: Int
        public var name: String
        /// Return on its initial capital, in percent.
        public var returnPercent: Double
        /// Its open positions (signed sizes: negative is short), by symbol.
        public var positions: [Position]

        public init(rank: Int, name: String, returnPercent: Double, positions: [Position]) {
            self.rank = rank
            self.name = name
            self.returnPercent = returnPercent
            self.positions = positions
        }
    }

    /// The account's own place, 1 for the best return (ties by account id).
    public var rank: Int
    /// How many accounts are ranked.
    public var accountCount: Int
    /// The best-ranked other accounts, at most a bound (the whole field can be thousands).
    public var rivals: [Rival]

    public init(rank: Int, accountCount: Int, rivals: [Rival]) {
        self.rank = rank
        self.accountCount = accountCount
        self.rivals = rivals
    }
}
