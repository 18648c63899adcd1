import ArenaCore
import ArenaTestSupportCore
import ArenaTestSupportLedger
import Custody
import Foundation
import Hyperliquid
import Logging
import Market
import Storage
import Testing
@testable import Arena

@Suite("The venue audit against the fake venue", .serialized)
struct VenueAuditTests {
    static let agentKeyHex = String(repeating: "31", count: 32)

    /// The fake's own log of the requests it received: endpoint, type, nonce and signature.
    static func fakeLog(_ fake: FakeExchange) async throws -> [[String: Any]] {
        try await fake.control()["log"] as? [[String: Any]] ?? []
    }

    @Test("a live run leaves one audit row per request the venue received, matching its log, with no secret in any row")
    func auditHoldsEveryCall() async throws {
        let fake = try await FakeExchange.start(network: .testnet)
        let arena = try LiveArena(fake: fake, accountName: "audited")
        let (test, now, vault, runtime, record, btc) = (arena.test, arena.now, arena.vault, arena.runtime, arena.record, arena.btc)
        let agent = try Signer(privateKeyHex: Self.agentKeyHex)
        let master = try testSigner(0x32).address
        _ = try vault.setSecret(SecretValue("0x" + Self.agentKeyHex), named: .hyperliquidAgentKey, for: record.id, now: now)
        _ = try vault.setSecret(SecretValue(master.checksummed), named: .hyperliquidMasterAddress, for: record.id, now: now)
        try await fake.addUser(master, balance: "5000")
        try await fake.addAgent(agent.address, for: master)
        try await fake.setMids(["BTC": "65000", "ETH": "3000", "SOL": "150"])

        // Live: preflight, then market updates (polling, the dead-man switch), an order, and back to paper (close).
        let outcome = try await runtime.switchMode(record.id, to: .live, network: .testnet, keepPositions: false, actor: "test")
        #expect(outcome.switched, "\(outcome.report)")
        let runner = try #require(runtime.runner(record.id))
        let quote = TestMarkets.quote(btc, mid: 65_000, book: TestMarkets.book(mid: 65_000, size: 1, levels: 1, offset: 0))
        await runner.apply(TestMarkets.snapshot(at: now.milliseconds, quote))
        let events = try await runtime.placeOrder(GatedOrder(symbol: btc, side: .buy, size: FixedDecimal("0.001") ?? .zero,
                                                             reduceOnly: false, leverage: nil), for: record.id)
        #expect(events.contains { if case .orderUpdated = $0 { true } else { false } }, "\(events)")
        await runner.apply(TestMarkets.snapshot(at: now.milliseconds + 1_000, quote))
        let back = try await runtime.switchMode(record.id, to: .paper, network: .testnet, keepPositions: false, actor: "test")
        #expect(back.switched)

        // Requests in flight when the last call returned (none are expected) settle first.
        var log = try await Self.fakeLog(fake)
        var rows = try test.ledger.allVenueAudit()
        for _ in 0..<20 where rows.count != log.count {
            try await Task.sleep(for: .milliseconds(100))
            log = try await Self.fakeLog(fake)
            rows = try test.ledger.allVenueAudit()
        }
        #expect(!log.isEmpty)
        #expect(rows.count == log.count, "the audit holds \(rows.count) rows, the venue received \(log.count) requests")
        #expect(rows.allSatisfy { $0.accountID == record.id && $0.network == "testnet" })
        let requests = try await fake.control()["requests"] as? [String: Int] ?? [:]
        #expect(rows.filter { $0.endpoint == "info" }.count == requests["info"])
        #expect(rows.filter { $0.endpoint == "exchange" }.count == requests["exchange"])

        // The same requests by endpoint and type (concurrent ones may arrive in another order).
        func key(_ endpoint: String?, _ type: String?) -> String { "\(endpoint ?? "?") \(type ?? "?")" }
        #expect(rows.map { key($0.endpoint, $0.action) }.sorted() == log.map { key($0["endpoint"] as? String, $0["type"] as? String) }.sorted())
        let exchangeTypes = Set(rows.filter { $0.endpoint == "exchange" }.compactMap(\.action))
        #expect(exchangeTypes.contains("order"), "\(exchangeTypes)")
        let infoTypes = Set(rows.filter { $0.endpoint == "info" }.compactMap(\.action))
        #expect(infoTypes.isSuperset(of: ["meta", "userRole", "clearinghouseState"]), "\(infoTypes)")

        // Every signed request: its nonce, the agent as signer, and the hash of exactly the signature the venue got.
        var signatures: [String] = []
        for entry in log where entry["endpoint"] as? String == "exchange" {
            let nonce = try #require(entry["nonce"] as? Int)
            let signature = try #require(entry["signature"] as? [String: Any])
            let r = try #require(signature["r"] as? String), s = try #require(signature["s"] as? String)
            let v = try #require(signature["v"] as? Int)
            signatures += [r, s]
            let row = try #require(rows.first { $0.nonce == UInt64(nonce) }, "no audit row for nonce \(nonce)")
            #expect(row.signer == agent.address.lowercaseHex)
            #expect(row.outcome == .ok && row.httpStatus == 200 && row.venueStatus == "ok", "\(row)")
            func word(_ hex: String) -> [UInt8] {
                let digits = String(hex.dropFirst(2))
                return Hex.decode(String(repeating: "0", count: 64 - digits.count) + digits) ?? []
            }
            #expect(row.signatureHash == Hex.prefixed(Keccak256.hash(word(r) + word(s) + [UInt8(v)])))
        }
        let order = try #require(rows.first { $0.action == "order" })
        #expect(order.clientOrderIDs.count == 1 && order.clientOrderIDs.first?.hasPrefix("0x") == true)
        #expect(rows.allSatisfy { $0.latencyMilliseconds >= 0 && $0.attempt == 1 })

        // No secret in any row: not the agent's key, nor any signature's r or s.
        let text = rows.map { "\($0)" }.joined(separator: "\n").lowercased()
        #expect(!text.contains(Self.agentKeyHex))
        for part in signatures { #expect(!text.contains(String(part.dropFirst(2)).lowercased())) }
    }

    @Test("a failed attempt is audited with its status and the venue's or the transport's words")
    func failuresAreAudited() async throws {
        let fake = try await FakeExchange.start(network: .testnet)
        let test = try TestLedger(accounts: 1)
        let recorder = try Recorder(ledger: test.ledger)
        let accountID = AccountID(1)
        let audit = VenueAuditRecorder(recorder: recorder, accountID: accountID, network: .testnet, logger: Logger(label: "audit-test"))
        let signer = try testSigner(0x33)
        try await fake.addUser(signer.address)
        let client = HyperliquidExchangeClient(http: fake.http, endpoint: try fake.endpoint(), signer: signer, nonces: NonceSource(),
                                               limiter: RequestWeightLimiter(), configuration: quickTransport(attempts: 3),
                                               observer: audit)
        try await fake.fail("err", text: "Insufficient margin to place order.")
        await #expect(throws: HyperliquidClientError.self) { try await client.scheduleCancel(at: nil) }
        try await fake.fail("http500", endpoint: "info")
        _ = try await client.info.meta()
        _ = try await client.placeOrders([crossingBuy(ClientOrderID(account: accountID, sequence: 7), size: "100")])

        let rows = try test.ledger.venueAudit(of: accountID, filter: VenueAuditFilter()).reversed().map { $0 }
        try #require(rows.count == 4, "\(rows)")
        #expect(rows[0].outcome == .err && rows[0].error == "Insufficient margin to place order." && rows[0].action == "scheduleCancel")
        #expect(rows[1].outcome == .httpError && rows[1].httpStatus == 500 && rows[1].attempt == 1 && rows[1].action == "meta")
        #expect(rows[1].error == "internal error")
        #expect(rows[2].outcome == .ok && rows[2].attempt == 2 && rows[2].signer == nil)
        // An order the venue refuses inside an ok answer: the venue's words, by order index.
        #expect(rows[3].outcome == .ok && rows[3].error?.hasPrefix("0: ") == true, "\(rows[3])")
        #expect(rows[3].clientOrderIDs == [ClientOrderID(account: accountID, sequence: 7).hex])
    }
}
