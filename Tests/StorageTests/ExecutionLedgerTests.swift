import ArenaCore
import ArenaTestSupportLedger
import Foundation
import GRDB
import Testing
@testable import Storage

@Suite("Executions in the ledger")
struct ExecutionLedgerTests {
    /// A database with the repository's migrations, two accounts and one decision.
    struct Ledger {
        let test: TestLedger
        let store: LedgerStore
        let accounts: [AccountID]
        let decision: Int64

        init() throws {
            test = try TestLedger()
            let store = test.ledger
            self.store = store
            let btc = try #require(Symbol("BTC"))
            let accounts = try ["first", "second"].map { name in
                try store.createAccount(NewAccount(name: name, driverKind: "test", symbols: [btc], initialCapital: 10_000),
                                        now: Timestamp(milliseconds: 0)).id
            }
            self.accounts = accounts
            decision = try store.recordDecision(DecisionRecord(accountID: accounts[0], time: Timestamp(milliseconds: 1),
                                                               driverKind: "test", outcome: .accepted))
        }

        /// Every row of the ledger's tables, as text, in a fixed order.
        func dump() throws -> [String: [String]] {
            let queries = [
                "orders": "SELECT * FROM orders ORDER BY id",
                "fills": "SELECT * FROM fills ORDER BY id",
                "funding_payments": "SELECT * FROM funding_payments ORDER BY id",
                "positions": "SELECT * FROM positions ORDER BY account_id, symbol",
                "accounts": "SELECT * FROM accounts ORDER BY id",
            ]
            return try test.database.read { db in
                try queries.mapValues { sql in
                    try Row.fetchAll(db, sql: sql).map { row in
                        row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
                    }
                }
            }
        }
    }

    @Test("a batch leaves exactly the rows the earlier one-statement-per-row writer left, record by record")
    func batchesMatchTheReferenceWriter() throws {
        let reference = try Ledger()
        let single = try Ledger()
        let batched = try Ledger()
        let records = Self.records(accounts: reference.accounts, decision: reference.decision)
        #expect(records.count > 100)

        // Compared after every batch, so that a batch's last record is not the only one that counts.
        var start = 0
        for size in [1, 7, 13, 2, 40, 5, 30, records.count] where start < records.count {
            let end = min(records.count, start + size)
            let batch = Array(records[start..<end])
            for record in batch {
                try reference.test.database.write { db in try ReferenceWriter.write(db, record) }
                try single.store.recordExecution(record)
            }
            try batched.store.recordExecutions(batch)
            start = end

            let expected = try reference.dump()
            for (name, ledger) in [("one record per transaction", single), ("batches", batched)] {
                let actual = try ledger.dump()
                for table in expected.keys.sorted() {
                    let expectedRows = expected[table] ?? []
                    let actualRows = actual[table] ?? []
                    #expect(actualRows.count == expectedRows.count, "\(name): \(table) row count after record \(end)")
                    for (expectedRow, actualRow) in zip(expectedRows, actualRows) where expectedRow != actualRow {
                        Issue.record("\(name) after record \(end): \(table)\n  expected \(expectedRow)\n  actual   \(actualRow)")
                        break
                    }
                }
            }
        }
        let final = try reference.dump()
        #expect((final["fills"] ?? []).count > 100)
        #expect((final["funding_payments"] ?? []).count > 3)
        #expect(!(final["positions"] ?? []).isEmpty)
    }

    @Test("a fill of an order stored in an earlier transaction points at that order's row")
    func fillOfAnEarlierOrder() throws {
        let ledger = try Ledger()
        let btc = try #require(Symbol("BTC"))
        let account = ledger.accounts[1]
        let request = OrderRequest(clientOrderID: ClientOrderID(account: account, sequence: 9), symbol: btc, side: .buy,
                                   size: FixedDecimal(2, exponent: 1), type: .limit(price: 99_000, timeInForce: .gtc))
        var order = Order(request: request, status: .open, submittedAt: Timestamp(milliseconds: 10), midAtSubmission: 100_000)
        order.venueOrderID = 4
        try ledger.store.recordExecution(ExecutionRecord(accountID: account, decisionID: nil, mode: .paper, events: [.orderUpdated(order)],
                                                         cash: 10_000, totals: LedgerTotals(), positions: [], orderSequence: 9,
                                                         time: Timestamp(milliseconds: 10)))
        // An unrelated order in between, so that the resting one is not the last row inserted.
        var other = Order(request: OrderRequest(clientOrderID: ClientOrderID(account: account, sequence: 10), symbol: btc, side: .sell,
                                                size: FixedDecimal(1, exponent: 1), type: .limit(price: 101_000, timeInForce: .gtc)),
                          status: .open, submittedAt: Timestamp(milliseconds: 11), midAtSubmission: 100_000)
        other.venueOrderID = 5
        try ledger.store.recordExecution(ExecutionRecord(accountID: account, decisionID: nil, mode: .paper, events: [.orderUpdated(other)],
                                                         cash: 10_000, totals: LedgerTotals(), positions: [], orderSequence: 10,
                                                         time: Timestamp(milliseconds: 11)))

        let fill = Fill(clientOrderID: request.clientOrderID, symbol: btc, side: .buy, price: 99_000, size: request.size,
                        fee: FixedDecimal(297, exponent: 2), liquidity: .maker, time: Timestamp(milliseconds: 20))
        order.record(fill)
        order.status = .filled
        for events: [ExchangeEvent] in [[.orderUpdated(order), .filled(fill)], [.filled(fill)]] {
            try ledger.store.recordExecution(ExecutionRecord(accountID: account, decisionID: nil, mode: .paper, events: events,
                                                             cash: 9_997, totals: LedgerTotals(), positions: [], orderSequence: 10,
                                                             time: Timestamp(milliseconds: 20)))
        }
        let rows = try ledger.test.database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT o.cloid, o.status, o.filled_size, o.venue_order_id, f.price FROM fills f JOIN orders o ON o.id = f.order_id
                """)
        }
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["cloid"] == request.clientOrderID.hex)
            #expect(row["status"] == "filled")
            #expect(row["filled_size"] == "0.2")
            #expect(row["venue_order_id"] == 4)
            #expect(row["price"] == "99000")
        }
        #expect(try ledger.store.count("orders") == 2)
    }

    @Test("a fill whose order was never stored is refused and the transaction leaves nothing")
    func fillWithoutOrder() throws {
        let ledger = try Ledger()
        let btc = try #require(Symbol("BTC"))
        let account = ledger.accounts[0]
        let id = ClientOrderID(account: account, sequence: 1)
        var order = Order(request: OrderRequest(clientOrderID: id, symbol: btc, side: .buy, size: 1,
                                                type: .market(slippageBound: OrderType.defaultSlippageBound)),
                          status: .filled, submittedAt: Timestamp(milliseconds: 5), midAtSubmission: 100)
        let fill = Fill(clientOrderID: id, symbol: btc, side: .buy, price: 100, size: 1, fee: 0, liquidity: .taker,
                        time: Timestamp(milliseconds: 5))
        order.record(fill)
        let stray = Fill(clientOrderID: ClientOrderID(account: account, sequence: 2), symbol: btc, side: .buy, price: 100, size: 1,
                         fee: 0, liquidity: .taker, time: Timestamp(milliseconds: 5))
        let record = ExecutionRecord(accountID: account, decisionID: nil, mode: .paper,
                                     events: [.orderUpdated(order), .filled(fill), .filled(stray)], cash: 9_900,
                                     totals: LedgerTotals(), positions: [Position(symbol: btc, size: 1, entryPrice: 100, leverage: 3)],
                                     orderSequence: 2, time: Timestamp(milliseconds: 5))
        #expect(throws: StorageError.self) { try ledger.store.recordExecutions([record]) }
        for table in ["orders", "fills", "positions"] { #expect(try ledger.store.count(table) == 0) }
        #expect(try ledger.store.account(account)?.cash == 10_000)
        // The statements are reused by the next transaction.
        try ledger.store.recordExecutions([ExecutionRecord(accountID: account, decisionID: nil, mode: .paper,
                                                           events: [.orderUpdated(order), .filled(fill)], cash: 9_900,
                                                           totals: LedgerTotals(), positions: [], orderSequence: 1,
                                                           time: Timestamp(milliseconds: 6))])
        #expect(try ledger.store.count("fills") == 1)
    }

    /// A seeded stream of executions over two accounts: market orders with several fills, limits
    /// that rest and fill later (sometimes without their order update), rejections (one with an
    /// empty reason), triggers with and without a limit, funding, liquidations, positions that
    /// open, flip, close and reopen, and order sequences that go back.
    static func records(accounts: [AccountID], decision: Int64) -> [ExecutionRecord] {
        var random = SeededGenerator(seed: 7)
        let symbols = ["BTC", "ETH", "SOL"].compactMap(Symbol.init)
        var records: [ExecutionRecord] = []
        var sequences = [UInt64](repeating: 0, count: accounts.count)
        var resting: [[Order]] = Array(repeating: [], count: accounts.count)
        var positions: [[Symbol: Position]] = Array(repeating: [:], count: accounts.count)
        var totals = [LedgerTotals](repeating: LedgerTotals(), count: accounts.count)
        var cash = [FixedDecimal](repeating: 10_000, count: accounts.count)
        func decimal(_ range: ClosedRange<Int64>, exponent: Int) -> FixedDecimal {
            FixedDecimal(range.lowerBound + Int64(random.next() % UInt64(range.upperBound - range.lowerBound + 1)), exponent: exponent)
        }
        for step in 0..<160 {
            let slot = Int(random.next() % UInt64(accounts.count))
            let account = accounts[slot]
            let time = Timestamp(milliseconds: 1_700_000_000_000 + Int64(step) * 1_000)
            let symbol = symbols[Int(random.next() % UInt64(symbols.count))]
            let side: Side = random.next() % 2 == 0 ? .buy : .sell
            sequences[slot] += 1
            let id = ClientOrderID(account: account, sequence: sequences[slot])
            let mid = decimal(90_000...110_000, exponent: 0) + decimal(0...99, exponent: 2)
            var events: [ExchangeEvent] = []
            var touched: [Symbol] = []
            func fill(_ order: inout Order, price: FixedDecimal, size: FixedDecimal, liquidity: Liquidity, liquidation: Bool = false) -> Fill {
                let request = order.request
                var position = positions[slot][request.symbol] ?? Position(symbol: request.symbol, leverage: 5)
                let realized = position.apply(side: request.side, size: size, price: price)
                positions[slot][request.symbol] = position
                touched.append(request.symbol)
                let fee = (price * size * FixedDecimal(45, exponent: 5)).rounded(decimals: 6)
                cash[slot] += realized - fee
                let fill = Fill(clientOrderID: request.clientOrderID, symbol: request.symbol, side: request.side, price: price,
                                size: size, fee: fee, liquidity: liquidity, realizedPnl: realized, time: time, isLiquidation: liquidation)
                order.record(fill)
                return fill
            }
            switch random.next() % 9 {
            case 0, 1, 2:
                let request = OrderRequest(clientOrderID: id, symbol: symbol, side: side, size: decimal(1...300, exponent: 3),
                                           type: .market(slippageBound: OrderType.defaultSlippageBound))
                var order = Order(request: request, status: .filled, submittedAt: time, midAtSubmission: mid)
                order.venueOrderID = Int64(step)
                var fills: [Fill] = []
                let parts = 1 + Int(random.next() % 3)
                var left = request.size
                for part in 0..<parts {
                    let size = part == parts - 1 ? left : FixedDecimal.min(left, decimal(1...50, exponent: 3))
                    guard size.isPositive else { break }
                    left -= size
                    fills.append(fill(&order, price: mid + FixedDecimal(side == .buy ? part + 1 : -part - 1), size: size, liquidity: .taker))
                }
                events = [.orderUpdated(order)] + fills.map(ExchangeEvent.filled)
            case 3:
                let request = OrderRequest(clientOrderID: id, symbol: symbol, side: side, size: decimal(1...200, exponent: 3),
                                           type: .limit(price: mid - decimal(1...500, exponent: 0), timeInForce: random.next() % 2 == 0 ? .gtc : .alo),
                                           reduceOnly: random.next() % 4 == 0)
                var order = Order(request: request, status: .open, submittedAt: time, midAtSubmission: mid)
                if random.next() % 3 != 0 { order.venueOrderID = Int64(1_000 + step) }
                resting[slot].append(order)
                events = [.orderUpdated(order)]
            case 4 where !resting[slot].isEmpty:
                var order = resting[slot].removeFirst()
                guard case let .limit(price, _) = order.request.type else { continue }
                order.status = .filled
                order.venueOrderID = order.venueOrderID ?? Int64(2_000 + step)
                let made = fill(&order, price: price, size: order.request.size, liquidity: .maker)
                order.updatedAt = time
                // The live venue reports some fills before, or without, the order's update.
                switch random.next() % 3 {
                case 0: events = [.filled(made)]
                case 1: events = [.filled(made), .orderUpdated(order)]
                default: events = [.orderUpdated(order), .filled(made)]
                }
            case 5:
                let request = OrderRequest(clientOrderID: id, symbol: symbol, side: side, size: decimal(1...100, exponent: 3),
                                           type: .trigger(triggerPrice: mid - 1_000, kind: random.next() % 2 == 0 ? .stopLoss : .takeProfit,
                                                          limitPrice: random.next() % 2 == 0 ? nil : mid - 1_100),
                                           reduceOnly: true, origin: .operator)
                events = [.orderUpdated(Order(request: request, status: .waitingTrigger, submittedAt: time, midAtSubmission: nil))]
            case 6:
                let request = OrderRequest(clientOrderID: id, symbol: symbol, side: side, size: decimal(1...100, exponent: 3),
                                           type: .market(slippageBound: OrderType.defaultSlippageBound), origin: .system)
                var order = Order(request: request, status: .rejected, submittedAt: time, midAtSubmission: mid)
                order.rejectionReason = random.next() % 2 == 0 ? "" : "Insufficient margin to place order"
                events = [.orderUpdated(order)]
            case 7:
                for (held, position) in positions[slot].sorted(by: { $0.key < $1.key }) where !position.isFlat {
                    let amount = decimal(-500...500, exponent: 2)
                    cash[slot] += amount
                    events.append(.fundingPaid(FundingPayment(symbol: held, rate: decimal(-20...20, exponent: 6),
                                                              positionSize: position.size, price: mid, amount: amount, time: time)))
                }
                sequences[slot] -= 1  // No order: the sequence may also be reported lower than stored.
            default:
                events.append(.liquidated(Liquidation(accountValue: 12, maintenanceMargin: 40, time: time)))
                for (held, position) in positions[slot].sorted(by: { $0.key < $1.key }) where !position.isFlat {
                    sequences[slot] += 1
                    let request = OrderRequest(clientOrderID: ClientOrderID(account: account, sequence: sequences[slot]), symbol: held,
                                               side: position.size.isPositive ? .sell : .buy, size: position.size.magnitude,
                                               type: .market(slippageBound: OrderType.defaultSlippageBound), reduceOnly: true,
                                               origin: .liquidation)
                    var order = Order(request: request, status: .filled, submittedAt: time, midAtSubmission: mid)
                    let made = fill(&order, price: mid, size: request.size, liquidity: .taker, liquidation: true)
                    events += [.orderUpdated(order), .filled(made)]
                }
            }
            totals[slot].add(events)
            let changed = Set(touched).sorted().map { positions[slot][$0] ?? Position(symbol: $0) }
            for position in changed where position.isFlat { positions[slot][position.symbol] = nil }
            let reported = random.next() % 5 == 0 ? sequences[slot] / 2 : sequences[slot]
            records.append(ExecutionRecord(accountID: account, decisionID: random.next() % 4 == 0 ? decision : nil,
                                           mode: random.next() % 6 == 0 ? .live : .paper, events: events, cash: cash[slot],
                                           totals: totals[slot], positions: changed, orderSequence: reported, time: time))
        }
        return records
    }
}

/// The ledger writer as it was before batching: one statement per row, bound through GRDB. The
/// batched writer must leave the same rows.
enum ReferenceWriter {
    static func write(_ db: Database, _ record: ExecutionRecord) throws {
        let account = record.accountID.rawValue
        for event in record.events {
            switch event {
            case .orderUpdated(let order):
                try upsertOrder(db, order, account: account, decisionID: record.decisionID, mode: record.mode)
            case .filled(let fill):
                guard let orderID = try Int64.fetchOne(db, sql: "SELECT id FROM orders WHERE cloid = ?",
                                                       arguments: [fill.clientOrderID.hex]) else {
                    throw StorageError.notFound("The order \(fill.clientOrderID) of a fill")
                }
                try db.execute(sql: """
                    INSERT INTO fills (account_id, order_id, symbol, side, price, size, fee, liquidity, realized_pnl, is_liquidation, time)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        account, orderID, fill.symbol.name, fill.side.rawValue, fill.price.description, fill.size.description,
                        fill.fee.description, fill.liquidity.rawValue, fill.realizedPnl.description, fill.isLiquidation,
                        fill.time.milliseconds])
            case .fundingPaid(let payment):
                try db.execute(sql: """
                    INSERT INTO funding_payments (account_id, symbol, rate, position_size, price, amount, time)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [
                        account, payment.symbol.name, payment.rate.description, payment.positionSize.description,
                        payment.price.description, payment.amount.description, payment.time.milliseconds])
            case .liquidated:
                break
            }
        }
        for position in record.positions {
            if position.isFlat {
                try db.execute(sql: "DELETE FROM positions WHERE account_id = ? AND symbol = ?", arguments: [account, position.symbol.name])
            } else {
                try db.execute(sql: """
                    INSERT INTO positions (account_id, symbol, size, entry_price, leverage, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (account_id, symbol) DO UPDATE SET size = excluded.size, entry_price = excluded.entry_price,
                        leverage = excluded.leverage, updated_at = excluded.updated_at
                    """, arguments: [account, position.symbol.name, position.size.description, position.entryPrice.description,
                                     position.leverage, record.time.milliseconds])
            }
        }
        try db.execute(sql: """
            UPDATE accounts SET cash = ?, realized_pnl = ?, fees_paid = ?, funding = ?, fill_count = ?, volume = ?,
                closed_trades = ?, winning_trades = ?, biggest_win = ?, biggest_loss = ?,
                order_sequence = MAX(order_sequence, ?), updated_at = ? WHERE id = ?
            """, arguments: [
                record.cash.description, record.totals.realizedPnl.description, record.totals.feesPaid.description,
                record.totals.funding.description, record.totals.fillCount, record.totals.volume.description,
                record.totals.closedTrades, record.totals.winningTrades, record.totals.biggestWin?.description,
                record.totals.biggestLoss?.description, Int64(clamping: record.orderSequence), record.time.milliseconds, account])
    }

    static func upsertOrder(_ db: Database, _ order: Order, account: Int64, decisionID: Int64?, mode: AccountMode) throws {
        let request = order.request
        var price: String?
        var triggerPrice: String?
        var tif: String?
        var kind: String?
        switch request.type {
        case .market:
            tif = TimeInForce.ioc.rawValue
        case .limit(let limit, let timeInForce):
            price = limit.description
            tif = timeInForce.rawValue
        case .trigger(let trigger, let triggerKind, let limit):
            triggerPrice = trigger.description
            price = limit?.description
            kind = triggerKind.rawValue
        }
        try db.execute(sql: """
            INSERT INTO orders (account_id, decision_id, cloid, venue_order_id, mode, origin, symbol, side, type, tif, reduce_only,
                                price, trigger_price, size, filled_size, average_fill_price, mid_at_submission, slippage, fee,
                                status, rejection_reason, created_at, updated_at, trigger_kind)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (cloid) DO UPDATE SET venue_order_id = COALESCE(excluded.venue_order_id, venue_order_id),
                filled_size = excluded.filled_size, average_fill_price = excluded.average_fill_price, slippage = excluded.slippage,
                fee = excluded.fee, status = excluded.status, rejection_reason = excluded.rejection_reason,
                updated_at = excluded.updated_at, size = excluded.size, price = excluded.price, trigger_price = excluded.trigger_price
            """, arguments: [
                account, decisionID, request.clientOrderID.hex, order.venueOrderID, mode.rawValue, request.origin.rawValue,
                request.symbol.name, request.side.rawValue, request.type.name, tif, request.reduceOnly, price, triggerPrice,
                request.size.description, order.filledSize.description, order.averageFillPrice?.description,
                order.midAtSubmission?.description, order.slippageBasisPoints?.rounded(decimals: 4).description,
                order.fee.description, order.status.rawValue, order.rejectionReason, order.submittedAt.milliseconds,
                order.updatedAt.milliseconds, kind])
    }
}
