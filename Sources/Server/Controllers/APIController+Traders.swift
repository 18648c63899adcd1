import Arena
import ArenaCore
import Storage

/// The leaderboard's rows of both kinds: the arena's accounts and the tracked traders.
extension APIController {
    /// One row: an account's line with `"kind": "account"`, or a trader's.
    enum LeaderboardRow: Encodable, Sendable {
        case account(LeaderboardEntry)
        case trader(TraderRow)

        private enum KindKey: String, CodingKey { case kind }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .account(let entry):
                try entry.encode(to: encoder)
                var container = encoder.container(keyedBy: KindKey.self)
                try container.encode("account", forKey: .kind)
            case .trader(let row):
                try row.encode(to: encoder)
            }
        }

        /// Ties break by kind (accounts first), then id.
        var tieBreak: (Int, Int64) {
            switch self {
            case .account(let entry): (0, entry.account_id)
            case .trader(let row): (1, row.trader_id)
            }
        }
    }

    /// A tracked trader on the leaderboard: the arena's columns where they apply (null where
    /// they do not), with the trader's own metrics beside them.
    struct TraderRow: Encodable, Sendable {
        let kind = "trader"
        let trader_id: Int64
        let address: String
        let source: String
        let active: Bool
        let metrics: TraderView.Metrics
        // The arena's columns.
        let account_id: Int64? = nil
        let name: String
        let driver: String? = nil
        let provider: String? = nil
        let model: String? = nil
        let mode: String? = nil
        let network: String? = nil
        let status: String
        let initial_capital: String?
        let equity: String?
        let cash: String? = nil
        /// From the account value history: the latest look against the first.
        let return_pct: Double?
        let pnl: String?
        let realized_pnl: String? = nil
        let unrealized_pnl: String? = nil
        let fees: String? = nil
        let funding: String? = nil
        let trades: Int? = nil
        let closed_trades: Int
        let win_rate: Double?
        let biggest_win: String?
        let biggest_loss: String?
        let sharpe: Double? = nil
        let max_drawdown_pct: Double?
        let volume: String
        let account_age_seconds: Int64?
        let avg_risk_ratio: Double?
        let decisions: Int? = nil
        let hold_ratio: Double? = nil
        let failed_decisions: Int? = nil
        let rejected_decisions: Int? = nil
        let prompt_tokens: Int? = nil
        let completion_tokens: Int? = nil
        let llm_cost: String? = nil
        let cost_per_return_pct: String? = nil
        let open_positions: Int
        let skipped_cycles: Int? = nil
        let updated_at: Int64?

        init(_ trader: TraderView, record: TraderRecord, now: Timestamp) {
            trader_id = trader.id
            address = trader.address
            source = trader.source
            active = trader.active
            metrics = trader.metrics
            name = trader.address
            status = trader.active ? "tracked" : "inactive"
            initial_capital = record.firstValue?.description
            equity = trader.account_value
            return_pct = TraderView.returnPercent(of: record)
            pnl = record.firstValue.flatMap { first in record.accountValue.map { ($0 - first).description } }
            closed_trades = record.closingFills
            win_rate = trader.metrics.win_rate.map { LeaderboardEntry.statistic($0 * 100) }
            biggest_win = trader.metrics.max_profit
            biggest_loss = trader.metrics.max_loss
            max_drawdown_pct = trader.metrics.max_drawdown.map { LeaderboardEntry.statistic($0 * 100) }
            volume = trader.metrics.total_volume
            account_age_seconds = record.earliestFill.map { max(0, now.milliseconds - $0.milliseconds) / 1000 }
            avg_risk_ratio = trader.metrics.average_risk_ratio
            open_positions = trader.positions.count
            updated_at = trader.last_tracked
        }

        private enum CodingKeys: String, CodingKey {
            case kind, trader_id, address, source, active, metrics, account_id, name, driver, provider, model, mode, network, status
            case initial_capital, equity, cash, return_pct, pnl, realized_pnl, unrealized_pnl, fees, funding, trades, closed_trades
            case win_rate, biggest_win, biggest_loss, sharpe, max_drawdown_pct, volume, account_age_seconds, avg_risk_ratio
            case decisions, hold_ratio, failed_decisions, rejected_decisions, prompt_tokens, completion_tokens, llm_cost
            case cost_per_return_pct, open_positions, skipped_cycles, updated_at
        }

    }

    /// The trader rows, sortable by the columns that apply to them.
    static let traderSortValues: [String: @Sendable (TraderRow) -> Double?] = [
        "return_pct": \.return_pct, "equity": { $0.equity.flatMap(Double.init) }, "win_rate": \.win_rate,
        "max_drawdown_pct": \.max_drawdown_pct, "volume": { Double($0.volume) }, "avg_risk_ratio": \.avg_risk_ratio,
        "account_age_seconds": { $0.account_age_seconds.map(Double.init) }, "closed_trades": { Double($0.closed_trades) },
        "biggest_win": { $0.biggest_win.flatMap(Double.init) }, "biggest_loss": { $0.biggest_loss.flatMap(Double.init) },
        "pnl": { $0.pnl.flatMap(Double.init) }, "open_positions": { Double($0.open_positions) },
    ]

    /// The rows of `kind` (`account`, `trader` or `all`), filtered by `mode` (traders have none,
    /// so a mode other than `all` shows accounts only), sorted by `sortBy`.
    func leaderboardRows(kind: String, mode: String, sortBy: String, key: SortKey, descending: Bool) throws -> [LeaderboardRow] {
        var rows: [LeaderboardRow] = []
        if kind != "trader" {
            var entries = arena.ranking()
            if mode != "all" { entries = entries.filter { $0.mode == mode } }
            rows += entries.map(LeaderboardRow.account)
        }
        if kind != "account", mode == "all", let traders {
            let now = SystemClock().now()
            let records = Dictionary(try traders.records().map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            rows += try traders.traders().compactMap { view in
                records[view.id].map { LeaderboardRow.trader(TraderRow(view, record: $0, now: now)) }
            }
        }
        let traderValue = Self.traderSortValues[sortBy]
        func value(_ row: LeaderboardRow) -> Double? {
            switch row {
            case .account(let entry):
                if case .number(let number) = key { return number(entry) }
                return nil
            case .trader(let trader): return traderValue?(trader)
            }
        }
        if case .text(let text) = key {
            func label(_ row: LeaderboardRow) -> String? {
                switch row {
                case .account(let entry): text(entry)
                case .trader(let trader): sortBy == "name" ? trader.name : nil
                }
            }
            return rows.sorted { a, b in Self.ordered(label(a), label(b), descending: descending) ?? (a.tieBreak < b.tieBreak) }
        }
        return rows.sorted { a, b in Self.ordered(value(a), value(b), descending: descending) ?? (a.tieBreak < b.tieBreak) }
    }

    /// Whether `x` comes before `y`, missing values last; nil on a tie.
    static func ordered<T: Comparable>(_ x: T?, _ y: T?, descending: Bool) -> Bool? {
        switch (x, y) {
        case (nil, nil): return nil
        case (nil, _): return false
        case (_, nil): return true
        case (let x?, let y?): return x == y ? nil : (descending ? x > y : x < y)
        }
    }
}
