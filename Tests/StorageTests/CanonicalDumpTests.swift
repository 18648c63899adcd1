import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import GRDB
import Testing
@testable import Storage

@Suite("The canonical ledger dump and the season's read-back")
struct CanonicalDumpTests {
    /// A ledger of three accounts whose rows are written in the order `interleaving` gives:
    /// decisions (prompts that deflate into blobs, text with tabs, line feeds, carriage returns
    /// and backslashes, NULLs, failures, costs), the seeded executions of `ExecutionLedgerTests`
    /// (orders pointing at the decisions, fills at the orders, funding, positions) and snapshots.
    /// Each account's own rows come in the same order whatever the interleaving.
    struct Ledger {
        enum Interleaving { case roundRobin, accountAfterAccount }

        let test: TestLedger
        let accounts: [AccountID]
        let records: [ExecutionRecord]
        let decisions: [DecisionRecord]
        let snapshots: [SnapshotRecord]

        static let decisionsPerAccount = 30

        init(_ interleaving: Interleaving, latencySeed: Int = 0) throws {
            test = try TestLedger(accounts: 3)
            let store = test.ledger
            let accounts = try store.accounts().map(\.id)
            self.accounts = accounts

            // Prices that do not repeat, so that the compressed prompts stay large: the dump must
            // outgrow the buffer it is written through.
            var random = SeededGenerator(seed: 18)
            var perAccount: [[DecisionRecord]] = accounts.map { account in
                (0..<Self.decisionsPerAccount).map { step in
                    let index = Int(account.rawValue) * 100 + step
                    let prices = (0..<150).map { _ in String(random.next() % 100_000) }.joined(separator: "\t")
                    return DecisionRecord(
                        accountID: account, time: Timestamp(milliseconds: 1_700_000_000_000 + Int64(step) * 60_000), driverKind: "llm",
                        provider: step % 5 == 0 ? nil : "fake", model: "model-\(account.rawValue)",
                        prompt: step % 4 == 3 ? nil : "Market BTC\n\(prices)\nYour cash: \(index)\\ ",
                        rawResponse: "{\"action\": \"hold\", \"n\": \(index)}\r\n", reasoning: "tab\there, line\nthere, back\\slash",
                        parsedDecision: nil, outcome: step % 6 == 5 ? .failed : (step % 2 == 0 ? .accepted : .hold),
                        rejectionReason: step % 6 == 5 ? "provider down" : nil, promptTokens: 100 + step, completionTokens: nil,
                        costUSD: step % 3 == 0 ? nil : FixedDecimal(Int64(125 + index), exponent: 6),
                        // Real time, not trading: must not reach the checksum.
                        latencyMilliseconds: 10 + step + latencySeed * 1_000)
                }
            }
            decisions = perAccount.flatMap { $0 }
            var decisionIDs: [AccountID: [Int64]] = [:]
            func recordDecision(_ record: DecisionRecord) throws {
                decisionIDs[record.accountID, default: []].append(try store.recordDecision(record))
            }
            switch interleaving {
            case .roundRobin:
                for step in 0..<Self.decisionsPerAccount { for index in accounts.indices { try recordDecision(perAccount[index][step]) } }
            case .accountAfterAccount:
                for index in accounts.indices.reversed() { for record in perAccount[index] { try recordDecision(record) } }
            }
            perAccount = []

            // The seeded executions, each pointing at a decision of its own account (its k-th
            // execution at decision k modulo the decisions per account) in either ledger.
            var seeded = ExecutionLedgerTests.records(accounts: accounts, decision: 1)
            var executionsSoFar: [AccountID: Int] = [:]
            for index in seeded.indices where seeded[index].decisionID != nil {
                let account = seeded[index].accountID
                let k = executionsSoFar[account, default: 0]
                executionsSoFar[account] = k + 1
                seeded[index].decisionID = decisionIDs[account]?[k % Self.decisionsPerAccount]
            }
            records = seeded
            var snapshots: [SnapshotRecord] = []
            for account in accounts {
                for step in 0..<20 {
                    let time = Timestamp(milliseconds: 1_700_000_000_000 + Int64(step) * 3_600_000)
                    let cents = Int64(1_000_000 + step * 137) - account.rawValue * 11
                    snapshots.append(SnapshotRecord(accountID: account, time: time, equity: FixedDecimal(cents, exponent: 2), cash: 10_000,
                                                    unrealizedPnl: FixedDecimal(Int64(step), exponent: 1), marginUsed: 0))
                }
            }
            self.snapshots = snapshots
            switch interleaving {
            case .roundRobin:
                try store.recordExecutions(seeded)
                try store.recordSnapshots(snapshots.sorted { ($0.time, $0.accountID.rawValue) < ($1.time, $1.accountID.rawValue) },
                                          metrics: [:], now: Timestamp(milliseconds: 1))
            case .accountAfterAccount:
                for account in accounts.reversed() {
                    for record in seeded where record.accountID == account { try store.recordExecution(record) }
                    try store.recordSnapshots(snapshots.filter { $0.accountID == account }, metrics: [:], now: Timestamp(milliseconds: 1))
                }
            }
        }

        /// The dump's text, as `canonicalDump` hands it out.
        func dump() throws -> Data {
            var text = Data()
            try test.ledger.canonicalDump { piece in text.append(contentsOf: piece) }
            return text
        }
    }

    /// The dump recomputed by Python's `sqlite3` from the definition in docs/SEASONS.md ("The
    /// checksum."), then compared with the dump written by the ledger, byte for byte, and its
    /// SHA-256 printed by `hashlib`.
    static let reference = #"""
import hashlib, sqlite3, struct, sys
database, dumped = sys.argv[1], sys.argv[2]
class Text(bytes): pass
db = sqlite3.connect(database)
db.text_factory = Text
tables = ["accounts", "positions", "decisions", "orders", "fills", "funding_payments", "account_snapshots",
          "risk_state", "risk_events", "mode_changes"]
excluded = {"decisions": {"latency_ms"}}
references = {"decisions": {"prompt_base": "decisions"}, "orders": {"decision_id": "decisions"}, "fills": {"order_id": "orders"}}
numbers = {}
out = bytearray()
def escape(text):
    return text.replace(b"\\", b"\\\\").replace(b"\t", b"\\t").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
for table in tables:
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is None:
        continue
    columns = [bytes(row[1]).decode() for row in db.execute(f"PRAGMA table_info({table})")]
    columns = [c for c in columns if c not in excluded.get(table, set())]
    if "id" in columns:
        order = (["account_id"] if "account_id" in columns else []) + ["id"]
    elif "account_id" in columns:
        order = ["account_id"] + [c for c in columns if c != "account_id"]
    else:
        order = []
    sql = "SELECT " + ", ".join(f'"{c}"' for c in columns) + f" FROM {table}" + (" ORDER BY " + ", ".join(order) if order else "")
    numbers[table] = {}
    for row in db.execute(sql):
        line = bytearray(table.encode())
        for column, value in zip(columns, row):
            if isinstance(value, int) and column == "id":
                value = numbers[table].setdefault(value, len(numbers[table]) + 1)
            elif isinstance(value, int) and column in references.get(table, {}):
                value = numbers[references[table][column]].get(value, -1)
            if value is None:
                text = b"\\N"
            elif isinstance(value, int):
                text = str(value).encode()
            elif isinstance(value, float):
                text = b"r" + struct.pack(">d", value).hex().encode()
            elif isinstance(value, Text):
                text = escape(bytes(value))
            else:
                text = b"x" + str(len(value)).encode() + b":" + bytes(value)
            line += b"\t" + text
        out += line + b"\n"
written = open(dumped, "rb").read()
print(hashlib.sha256(written).hexdigest())
if bytes(out) == written:
    print("same")
else:
    at = next((i for i, (a, b) in enumerate(zip(out, written)) if a != b), min(len(out), len(written)))
    print(f"differs at byte {at} of {len(out)} (python) and {len(written)} (ledger): {bytes(out[max(0, at - 60):at + 60])!r} / {written[max(0, at - 60):at + 60]!r}")
"""#

    @Test("the checksum is the SHA-256 of the dump, and the dump is the text docs/SEASONS.md defines")
    func checksumIsTheDumpsDigestAndTheDumpFollowsItsDefinition() async throws {
        let ledger = try Ledger(.roundRobin)
        let dump = try ledger.dump()
        // What the ledger must hold for the comparison to mean something.
        let text = String(decoding: dump, as: UTF8.self)
        for table in ["accounts", "positions", "decisions", "orders", "fills", "funding_payments", "account_snapshots"] {
            #expect(text.contains("\n\(table)\t") || text.hasPrefix("\(table)\t"), "no \(table) row in the dump")
        }
        #expect(text.contains("tab\\there, line\\nthere, back\\\\slash"))
        #expect(text.contains("\tx"), "no prompt blob in the dump")
        let againstKeyframes = try ledger.test.database.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE prompt_base IS NOT NULL") ?? 0
        }
        #expect(againstKeyframes > 0, "no prompt stored against a keyframe, whose id the dump renumbers")
        var pieces = 0
        try ledger.test.ledger.canonicalDump { _ in pieces += 1 }
        #expect(pieces > 1, "the dump must outgrow the buffer it is written through (\(dump.count) bytes)")

        let file = ledger.test.folder.file("dump.txt")
        try dump.write(to: file)
        let python = try ChildProcess.python(script: Self.reference, arguments: [ledger.test.path, file.path], errorOutput: .mergedIntoOutput)
        #expect(await python.exited(timeout: .seconds(60)) == 0, "\(python.output)")
        let lines = python.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(python.output)")
        #expect(lines.last == "same", "\(python.output)")
        #expect(try ledger.test.ledger.canonicalChecksum() == lines.first)
    }

    @Test("the same rows written in another interleaving of the accounts give the same checksum; one changed value changes it")
    func interleavingDoesNotCountButValuesDo() throws {
        let roundRobin = try Ledger(.roundRobin)
        let accountAfterAccount = try Ledger(.accountAfterAccount, latencySeed: 1)
        // Different row ids underneath, or the test would prove nothing.
        let firstDecisionOfTheLastAccount = try roundRobin.test.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(id) FROM decisions WHERE account_id = 3")
        }
        let sameInTheOther = try accountAfterAccount.test.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT min(id) FROM decisions WHERE account_id = 3")
        }
        #expect(firstDecisionOfTheLastAccount != sameInTheOther)

        let checksum = try roundRobin.test.ledger.canonicalChecksum()
        #expect(checksum.count == 64)
        #expect(try accountAfterAccount.test.ledger.canonicalChecksum() == checksum)
        #expect(try accountAfterAccount.dump() == roundRobin.dump())

        let changes = [
            "UPDATE fills SET fee = fee || '1' WHERE id = (SELECT max(id) FROM fills)",
            "UPDATE orders SET decision_id = (SELECT min(id) FROM decisions) WHERE id = (SELECT max(id) FROM orders WHERE decision_id IS NOT NULL)",
            "UPDATE decisions SET prompt_zstd = prompt_zstd || x'00' WHERE id = (SELECT max(id) FROM decisions WHERE prompt_zstd IS NOT NULL)",
            "UPDATE decisions SET reasoning = NULL WHERE id = 1",
        ]
        for change in changes {
            let changed = try Ledger(.roundRobin)
            try changed.test.database.write { db in try db.execute(sql: change) }
            #expect(try changed.test.ledger.canonicalChecksum() != checksum, "\(change)")
        }
        // The model's latency is real time, not trading: left out.
        let slower = try Ledger(.roundRobin)
        try slower.test.database.write { db in try db.execute(sql: "UPDATE decisions SET latency_ms = latency_ms + 500") }
        #expect(try slower.test.ledger.canonicalChecksum() == checksum)
    }

    @Test("a season reads back each account's equity, closed trades, fees, costs and failures, however the accounts' rows interleave",
          arguments: [Ledger.Interleaving.accountAfterAccount, .roundRobin])
    func seasonAccountsReadBackTheLedger(interleaving: Ledger.Interleaving) throws {
        let ledger = try Ledger(interleaving)
        let read = try ledger.test.ledger.seasonAccounts()
        #expect(read.map(\.accountID) == ledger.accounts)
        #expect(read.map(\.name) == ["account-1", "account-2", "account-3"])
        var closedTrades = 0
        for account in read {
            let stored = try #require(try ledger.test.ledger.account(account.accountID))
            #expect(account.initialCapital == 10_000)
            #expect(account.feesPaid == stored.totals.feesPaid)

            let snapshots = ledger.snapshots.filter { $0.accountID == account.accountID }
            #expect(account.equity.map(\.time) == snapshots.map(\.time))
            #expect(account.equity.map(\.equity) == snapshots.map(\.equity))

            let fills = ledger.records.filter { $0.accountID == account.accountID }.flatMap(\.events).compactMap { event -> Fill? in
                if case .filled(let fill) = event { return fill }
                return nil
            }
            let expectedTrades = fills.filter { !$0.realizedPnl.isZero }.map { $0.realizedPnl - $0.fee }
            #expect(account.closedTradePnL == expectedTrades)
            closedTrades += expectedTrades.count

            let decisions = ledger.decisions.filter { $0.accountID == account.accountID }
            #expect(account.decisions == decisions.count)
            #expect(account.failedDecisions == decisions.filter { $0.outcome == .failed }.count)
            #expect(account.modelCostUSD == decisions.compactMap(\.costUSD).reduce(FixedDecimal.zero, +))
            #expect(account.modelCostUSD.isPositive)
        }
        #expect(closedTrades > 10)
        #expect(read.contains { $0.failedDecisions > 0 })
    }

    @Test("a snapshot stored after a later one is read back in order of time")
    func seasonAccountsOrderSnapshotsByTime() throws {
        let ledger = try Ledger(.roundRobin)
        let account = ledger.accounts[1]
        let late = SnapshotRecord(accountID: account, time: Timestamp(milliseconds: 1_700_000_000_000 + 3_600_000 / 2), equity: 12_345,
                                  cash: 10_000, unrealizedPnl: 0, marginUsed: 0)
        try ledger.test.ledger.recordSnapshots([late], metrics: [:], now: Timestamp(milliseconds: 2))
        let read = try #require(try ledger.test.ledger.seasonAccounts().first { $0.accountID == account })
        let stored = ledger.snapshots.filter { $0.accountID == account }
        #expect(read.equity.map(\.time) == [stored[0].time, late.time] + stored.dropFirst().map(\.time))
        #expect(read.equity[1].equity == 12_345)
    }
}
