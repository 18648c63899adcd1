import ArenaCore
import GRDB

/// The writes of the trader tracker: each runs inside the transaction of the change it belongs
/// to, beside the `trader_event` feed messages that report it.
extension LedgerTransaction {
    /// Adds `address` as a trader, or returns the one already stored. An operator or a copy
    /// account asking for an inactive trader makes it active again.
    /// - Returns: the trader and whether it was added now.
    public func addTrader(address: String, source: TraderSource, now: Timestamp) throws -> (trader: TraderRecord, added: Bool) {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO traders (address, source, first_seen) VALUES (?, ?, ?)")
            .execute(arguments: [address, source.rawValue, now.milliseconds])
        let added = db.changesCount > 0
        if !added, source != .discovered {
            try db.execute(sql: "UPDATE traders SET active = 1, deactivated_reason = NULL WHERE address = ? AND active = 0",
                           arguments: [address])
        }
        guard let trader = try LedgerStore.fetchTrader(db, address: address) else { throw StorageError.notFound("Trader \(address)") }
        return (trader, added)
    }

    /// Stops tracking a trader, keeping its history, with the reason.
    public func deactivateTrader(_ id: Int64, reason: String) throws {
        try db.execute(sql: "UPDATE traders SET active = 0, deactivated_reason = ? WHERE id = ?", arguments: [reason, id])
    }

    /// Stores events not stored yet (a repeat is a no-op) and returns those stored now, with their ids.
    public func insertTraderEvents(_ events: [TraderEventRecord]) throws -> [TraderEventRecord] {
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO trader_events (trader_id, kind, symbol, side, size, previous_size, entry_price, time, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var stored: [TraderEventRecord] = []
        for var event in events {
            try insert.execute(arguments: [event.traderID, event.kind.rawValue, event.symbol.name, event.isLong ? "long" : "short",
                                           event.size.description, event.previousSize.description, event.entryPrice?.description,
                                           event.time.milliseconds, event.source.rawValue])
            guard db.changesCount > 0 else { continue }
            event.id = db.lastInsertedRowID
            stored.append(event)
        }
        return stored
    }

    /// Replaces the positions of `traderID` for the coins in `positions` (size zero removes one);
    /// with `complete`, every other coin of the trader is flat and removed too.
    public func setTraderPositions(_ traderID: Int64, _ positions: [TraderPositionRecord], complete: Bool) throws {
        if complete {
            try db.execute(sql: "DELETE FROM trader_positions WHERE trader_id = ?", arguments: [traderID])
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO trader_positions (trader_id, symbol, size, entry_price) VALUES (?, ?, ?, ?)
            ON CONFLICT (trader_id, symbol) DO UPDATE SET size = excluded.size, entry_price = excluded.entry_price
            """)
        let remove = try db.cachedStatement(sql: "DELETE FROM trader_positions WHERE trader_id = ? AND symbol = ?")
        for position in positions {
            if position.size == .zero {
                try remove.execute(arguments: [traderID, position.symbol.name])
            } else {
                try upsert.execute(arguments: [traderID, position.symbol.name, position.size.description, position.entryPrice?.description])
            }
        }
    }

    /// Stores a look at a trader: its positions, its account value (history, peak, drawdown),
    /// its risk ratio (margin used over account value) and when it was last tracked.
    public func recordTraderObservation(_ observation: TraderObservation) throws {
        guard let trader = try LedgerStore.fetchTrader(db, id: observation.traderID) else {
            throw StorageError.notFound("Trader \(observation.traderID)")
        }
        try setTraderPositions(observation.traderID, observation.positions, complete: true)
        let value = observation.accountValue
        let peak = FixedDecimal.max(trader.peakValue ?? value, value)
        var drawdown = trader.maxDrawdown ?? 0
        if peak > .zero {
            let fall = Double((peak - value).raw) / Double(peak.raw)
            drawdown = max(drawdown, fall)
        }
        var riskSum = trader.riskRatioSum
        var riskCount = trader.riskRatioCount
        if value > .zero {
            riskSum += Double(observation.marginUsed.raw) / Double(value.raw)
            riskCount += 1
        }
        try db.execute(sql: """
            UPDATE traders SET last_tracked = ?, account_value = ?, first_value = COALESCE(first_value, ?), peak_value = ?,
                max_drawdown = ?, risk_ratio_sum = ?, risk_ratio_count = ? WHERE id = ?
            """, arguments: [observation.time.milliseconds, value.description, value.description, peak.description, drawdown, riskSum,
                             riskCount, observation.traderID])
        // A point when the value changed, at most one every 5 minutes a trader: the history stays bounded.
        let lastPoint = try Int64.fetchOne(db, sql: "SELECT MAX(time) FROM trader_values WHERE trader_id = ?",
                                           arguments: [observation.traderID])
        if trader.accountValue != value, observation.time.milliseconds - (lastPoint ?? Int64.min / 2) >= 300_000 {
            try db.execute(sql: """
                INSERT OR REPLACE INTO trader_values (trader_id, time, account_value, margin_used) VALUES (?, ?, ?, ?)
                """, arguments: [observation.traderID, observation.time.milliseconds, value.description, observation.marginUsed.description])
        }
    }

    /// Stores fills not stored yet and adds them to the trader's volume, win count, best and
    /// worst fill; returns how many were new.
    @discardableResult
    public func insertTraderFills(_ traderID: Int64, _ fills: [TraderFillRecord]) throws -> Int {
        guard !fills.isEmpty, var trader = try LedgerStore.fetchTrader(db, id: traderID) else { return 0 }
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO trader_fills (trader_id, tid, symbol, side, price, size, closed_pnl, fee, time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var added = 0
        for fill in fills {
            try insert.execute(arguments: [traderID, fill.tradeID, fill.symbol.name, fill.isBuy ? "B" : "A", fill.price.description,
                                           fill.size.description, fill.closedPnl.description, fill.fee.description, fill.time.milliseconds])
            guard db.changesCount > 0 else { continue }
            added += 1
            trader.totalVolume += (fill.price * fill.size).rounded(decimals: 2)
            if fill.closedPnl != .zero {
                trader.closingFills += 1
                if fill.closedPnl > .zero { trader.winningFills += 1 }
                trader.maxProfit = FixedDecimal.max(trader.maxProfit ?? fill.closedPnl, fill.closedPnl)
                trader.maxLoss = FixedDecimal.min(trader.maxLoss ?? fill.closedPnl, fill.closedPnl)
            }
            trader.earliestFill = min(trader.earliestFill ?? fill.time, fill.time)
            trader.lastFill = max(trader.lastFill ?? fill.time, fill.time)
        }
        guard added > 0 else { return 0 }
        try db.execute(sql: """
            UPDATE traders SET total_volume = ?, closing_fills = ?, winning_fills = ?, max_profit = ?, max_loss = ?, earliest_fill = ?,
                last_fill = ? WHERE id = ?
            """, arguments: [trader.totalVolume.description, trader.closingFills, trader.winningFills, trader.maxProfit?.description,
                             trader.maxLoss?.description, trader.earliestFill?.milliseconds, trader.lastFill?.milliseconds, traderID])
        return added
    }
}
