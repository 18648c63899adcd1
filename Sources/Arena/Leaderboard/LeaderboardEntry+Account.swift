import ArenaCore
import Storage

extension LeaderboardEntry {
    /// What an account's line is made of, as its runner publishes it.
    struct Standing: Sendable {
        var record: AccountRecord
        var mode: AccountMode
        var state: AccountState
        var totals: LedgerTotals
        var decisions: DecisionSummary
        var statistics: EquityStatistics
        var skippedCycles: Int
        var time: Timestamp
    }

    /// The line of a published standing.
    init(_ standing: Standing) {
        self.init(record: standing.record, mode: standing.mode, state: standing.state, totals: standing.totals,
                  decisions: standing.decisions, statistics: standing.statistics, skippedCycles: standing.skippedCycles,
                  time: standing.time)
    }

    /// The standing of one account: what it holds now, what it has done, what it has cost.
    /// - Parameters:
    ///   - record: The account's configuration.
    ///   - mode: Where it trades now.
    ///   - state: Its cash, positions and equity at the newest marks.
    ///   - totals: The ledger's running totals.
    ///   - decisions: Its decisions so far, with their tokens and cost.
    ///   - statistics: Its equity curve's running statistics.
    init(record: AccountRecord, mode: AccountMode, state: AccountState, totals: LedgerTotals, decisions: DecisionSummary,
         statistics: EquityStatistics, skippedCycles: Int = 0, time: Timestamp) {
        let returnPct = Self.returnPercent(equity: state.equity, initialCapital: record.initialCapital)
        let cost = decisions.costUSD
        var costPerReturn: String?
        if cost.isPositive, returnPct > 0, let percent = FixedDecimal(approximating: returnPct), percent.isPositive {
            costPerReturn = (cost / percent).rounded(decimals: 6).description
        }
        let count = decisions.decisions
        let sharpe = statistics.hourlyReturns.sharpe, sortino = statistics.hourlyReturns.sortino
        self.init(
            account_id: record.id.rawValue, name: record.name, driver: record.driverKind, provider: record.provider, model: record.model,
            mode: mode.rawValue, network: record.network.rawValue, status: record.status.rawValue,
            initial_capital: record.initialCapital.description, equity: state.equity.rounded(decimals: 6).description,
            cash: state.cash.rounded(decimals: 6).description, return_pct: returnPct,
            pnl: (state.equity - record.initialCapital).rounded(decimals: 6).description,
            realized_pnl: totals.realizedPnl.description, unrealized_pnl: state.unrealizedPnl.rounded(decimals: 6).description,
            fees: totals.feesPaid.description, funding: totals.funding.description, trades: totals.fillCount,
            closed_trades: totals.closedTrades, win_rate: totals.winRate.map { Self.statistic($0 * 100) },
            biggest_win: totals.biggestWin?.description, biggest_loss: totals.biggestLoss?.description,
            sharpe: sharpe.value.map(Self.statistic), sharpe_reason: sharpe.reason,
            sortino: sortino.value.map(Self.statistic), sortino_reason: sortino.reason,
            max_drawdown_pct: Self.statistic(statistics.maxDrawdown * 100), volume: totals.volume.description,
            account_age_seconds: max(0, (time.milliseconds - record.createdAt.milliseconds) / 1000),
            avg_risk_ratio: statistics.averageRiskRatio.map(Self.statistic), decisions: count,
            hold_ratio: count == 0 ? nil : Self.statistic(Double(decisions.holds) * 100 / Double(count)),
            failed_decisions: decisions.failed, rejected_decisions: decisions.rejected,
            prompt_tokens: decisions.promptTokens, completion_tokens: decisions.completionTokens,
            llm_cost: cost.description, cost_per_return_pct: costPerReturn,
            open_positions: state.positions.values.filter { !$0.isFlat }.count, skipped_cycles: skippedCycles,
            updated_at: time.milliseconds, realism: mode == .paper ? record.paperRealism : nil)
    }

    /// The return on the initial capital, in percent to four decimals.
    static func returnPercent(equity: FixedDecimal, initialCapital: FixedDecimal) -> Double {
        guard initialCapital.isPositive else { return 0 }
        return ((equity - initialCapital) * FixedDecimal(100) / initialCapital).rounded(decimals: 4).doubleValue
    }
}
