import ArenaCore
import Foundation
import HTTP
import Hyperliquid
import Testing

/// Transport settings that keep failure tests quick: one-second attempts, short backoff.
func quickTransport(attempts: Int = 3) -> HyperliquidTransportConfiguration {
    HyperliquidTransportConfiguration(requestTimeout: .seconds(1), connectTimeout: .seconds(1),
                                      retryPolicy: RetryPolicy(maximumAttempts: attempts, baseDelay: .milliseconds(20), maximumDelay: .milliseconds(50)))
}

func exchangeClient(_ fake: FakeExchange, signer: Signer, account: EthereumAddress? = nil, network: HyperliquidNetwork = .testnet,
                    attempts: Int = 3, resubmissions: Int = 2) throws -> HyperliquidExchangeClient {
    HyperliquidExchangeClient(http: fake.http, endpoint: try fake.endpoint(network), signer: signer, accountAddress: account,
                              nonces: NonceSource(), limiter: RequestWeightLimiter(), configuration: quickTransport(attempts: attempts),
                              maximumResubmissions: resubmissions)
}

/// An IOC buy of BTC that crosses the fake's book (mid 65000).
func crossingBuy(_ cloid: ClientOrderID?, size: String = "0.001") -> OrderWire {
    OrderWire(asset: 0, isBuy: true, price: FixedDecimal(68_000), size: FixedDecimal(size) ?? .zero, reduceOnly: false,
              type: .limit(.ioc), clientOrderID: cloid)
}

/// The venue of this suite's tests (a mainnet one is started for the one test that needs it).
private let venue = SharedFakeExchange()

@Suite("Hyperliquid clients against the fake venue", .serialized)
struct ExchangeClientTests {
    @Test("the info client reads the universe, the mids, a book and an account")
    func infoReads() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x21)
        try await fake.addUser(signer.address, balance: "2500")
        let info = HyperliquidInfoClient(http: fake.http, endpoint: try fake.endpoint(), limiter: RequestWeightLimiter())

        let universe = HyperliquidUniverse(meta: try await info.meta())
        let btcSymbol = try #require(Symbol("BTC"))
        let btc = try #require(universe.asset(for: btcSymbol))
        #expect(btc.index == 0 && btc.instrument.sizeDecimals == 5 && btc.instrument.maxLeverage == 40)
        let contexts = try await info.metaAndAssetContexts()
        #expect(contexts.assetContexts.count == contexts.meta.universe.count)
        #expect(try await info.allMids()["ETH"] == "3000.0")
        let book = try HyperliquidConversion.orderBook(try await info.l2Book(coin: "BTC"))
        #expect(book.mid == FixedDecimal(65_000))
        let state = try HyperliquidConversion.accountState(try await info.clearinghouseState(user: signer.address), universe: universe)
        #expect(state.equity == FixedDecimal(2_500) && state.cash == FixedDecimal(2_500) && state.positions.isEmpty)
        let candles = try await info.candleSnapshot(coin: "SOL", interval: "1m", startTime: Timestamp(milliseconds: 0),
                                                    endTime: Timestamp(milliseconds: 60_000))
        #expect(candles.first?.s == "SOL")
    }

    @Test("an order signed by the arena passes the SDK's signature check and fills")
    func signedOrderFills() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x22)
        try await fake.addUser(signer.address)
        let client = try exchangeClient(fake, signer: signer)
        let cloid = ClientOrderID(account: AccountID(7), sequence: 1)

        let placements = try await client.placeOrders([crossingBuy(cloid)])
        guard case .filled(let size, let price, _)? = placements.first else {
            Issue.record("expected a fill, got \(placements)")
            return
        }
        #expect(size == FixedDecimal(1, exponent: 3))
        #expect(price == FixedDecimal(65_006_5, exponent: 1))
        #expect(try await fake.signaturesVerified(by: signer.address) == 1)
    }

    @Test("a resting order is cancelled by its client order id, and a second cancel gets the venue's words")
    func cancelByClientOrderID() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x23)
        try await fake.addUser(signer.address)
        let client = try exchangeClient(fake, signer: signer)
        let cloid = ClientOrderID(account: AccountID(7), sequence: 2)
        let resting = OrderWire(asset: 1, isBuy: true, price: FixedDecimal(2_900), size: FixedDecimal(1, exponent: 2), reduceOnly: false,
                                type: .limit(.gtc), clientOrderID: cloid)

        let placements = try await client.placeOrders([resting])
        guard case .resting(let oid)? = placements.first else {
            Issue.record("expected a resting order, got \(placements)")
            return
        }
        #expect(oid != nil)
        #expect(try await client.cancel(byClientOrderID: [ClientCancel(asset: 1, clientOrderID: cloid)]) == [nil])
        #expect(try await client.cancel(byClientOrderID: [ClientCancel(asset: 1, clientOrderID: cloid)])
            == ["Order was never placed, already canceled, or filled."])
    }

    @Test("a key the venue does not know is refused in the venue's words")
    func unknownSigner() async throws {
        let fake = try await venue.fake
        let client = try exchangeClient(fake, signer: try testSigner(0x24))
        let placements = try await client.placeOrders([crossingBuy(ClientOrderID(account: AccountID(7), sequence: 3))])
        guard case .rejected(let reason)? = placements.first else {
            Issue.record("expected a rejection, got \(placements)")
            return
        }
        #expect(reason.hasPrefix("User or API Wallet 0x") && reason.hasSuffix("does not exist."))
    }

    @Test("an action signed for testnet is refused by a mainnet venue: the network is part of the signature")
    func networkIsSigned() async throws {
        let fake = try await FakeExchange.start(network: .mainnet)
        let signer = try testSigner(0x25)
        try await fake.addUser(signer.address)
        let testnetClient = try exchangeClient(fake, signer: signer, network: .testnet)
        let refused = try await testnetClient.placeOrders([crossingBuy(ClientOrderID(account: AccountID(7), sequence: 4))])
        guard case .rejected? = refused.first else {
            Issue.record("expected a rejection, got \(refused)")
            return
        }
        let mainnetClient = try exchangeClient(fake, signer: signer, network: .mainnet)
        let accepted = try await mainnetClient.placeOrders([crossingBuy(ClientOrderID(account: AccountID(7), sequence: 5))])
        guard case .filled? = accepted.first else {
            Issue.record("expected a fill, got \(accepted)")
            return
        }
    }

    @Test("an agent key signs for its master, whose address is queried")
    func agentWallet() async throws {
        let fake = try await venue.fake
        let master = try testSigner(0x26)
        let agent = try testSigner(0x27)
        try await fake.addUser(master.address)
        try await fake.addAgent(agent.address, for: master.address)
        let client = try exchangeClient(fake, signer: agent, account: master.address)
        #expect(client.queriedAddress == master.address)

        let placements = try await client.placeOrders([crossingBuy(ClientOrderID(account: AccountID(7), sequence: 6))])
        guard case .filled? = placements.first else {
            Issue.record("expected a fill, got \(placements)")
            return
        }
        let positions = try await client.info.clearinghouseState(user: master.address).assetPositions
        #expect(positions.map(\.position.coin) == ["BTC"])
    }

    @Test("HTTP 200 with status err rejects every order with the venue's words")
    func statusErrRejectsAll() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x28)
        try await fake.addUser(signer.address)
        try await fake.fail("err", text: "Trading is halted")
        let client = try exchangeClient(fake, signer: signer)
        let placements = try await client.placeOrders([
            crossingBuy(ClientOrderID(account: AccountID(7), sequence: 7)), crossingBuy(ClientOrderID(account: AccountID(7), sequence: 8)),
        ])
        #expect(placements == [.rejected(reason: "Trading is halted"), .rejected(reason: "Trading is halted")])
        #expect(try await fake.orders(of: signer.address).isEmpty)
    }

    @Test("a 429 is waited out and the action sent again")
    func rateLimitBackoff() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x29)
        try await fake.addUser(signer.address)
        try await fake.fail("rate_limit", count: 2)
        let client = try exchangeClient(fake, signer: signer, attempts: 4)
        let placements = try await client.placeOrders([crossingBuy(ClientOrderID(account: AccountID(7), sequence: 9))])
        guard case .filled? = placements.first else {
            Issue.record("expected a fill, got \(placements)")
            return
        }
        #expect(try await fake.pendingFailures() == 0)
        #expect(try await fake.orders(of: signer.address).count == 1)
    }

    @Test("reads are retried after a dropped connection and a server error")
    func readRetries() async throws {
        let fake = try await venue.fake
        try await fake.fail("drop", endpoint: "info")
        try await fake.fail("http500", endpoint: "info")
        let info = HyperliquidInfoClient(http: fake.http, endpoint: try fake.endpoint(), limiter: RequestWeightLimiter(),
                                         configuration: quickTransport(attempts: 3))
        #expect(try await info.allMids()["BTC"] == "65000.0")
    }

    @Test("an answer lost after the venue applied the order is resolved by client order id: one order, no resend")
    func timeoutAfterAcceptance() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x2A)
        try await fake.addUser(signer.address)
        try await fake.fail("timeout_after", seconds: 2)
        let client = try exchangeClient(fake, signer: signer)
        let cloid = ClientOrderID(account: AccountID(7), sequence: 10)

        let placements = try await client.placeOrders([crossingBuy(cloid)])
        guard case .found(let status, let filled, _, _)? = placements.first else {
            Issue.record("expected the order found by its cloid, got \(placements)")
            return
        }
        #expect(status == .filled && filled == FixedDecimal(1, exponent: 3))
        let orders = try await fake.orders(of: signer.address)
        #expect(orders.filter { $0["cloid"] as? String == cloid.hex }.count == 1)
        #expect(try await fake.actions(of: signer.address) == ["order"])
    }

    @Test("a request lost before the venue applied it is sent again, identically, and placed once")
    func timeoutBeforeAcceptance() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x2B)
        try await fake.addUser(signer.address)
        try await fake.fail("timeout_before", seconds: 2)
        let client = try exchangeClient(fake, signer: signer)
        let cloid = ClientOrderID(account: AccountID(7), sequence: 11)

        let placements = try await client.placeOrders([crossingBuy(cloid)])
        guard case .filled? = placements.first else {
            Issue.record("expected a fill after the resend, got \(placements)")
            return
        }
        let orders = try await fake.orders(of: signer.address)
        #expect(orders.filter { $0["cloid"] as? String == cloid.hex }.count == 1)
    }

    @Test("leverage and the dead man's switch are accepted; an out-of-range leverage gets the venue's words")
    func leverageAndScheduleCancel() async throws {
        let fake = try await venue.fake
        let signer = try testSigner(0x2C)
        try await fake.addUser(signer.address)
        let client = try exchangeClient(fake, signer: signer)
        try await client.updateLeverage(asset: 2, isCross: false, leverage: 7)
        try await client.scheduleCancel(at: Timestamp(milliseconds: 4_102_444_800_000))
        await #expect(throws: HyperliquidClientError.venueError("Invalid leverage value")) {
            try await client.updateLeverage(asset: 2, isCross: true, leverage: 99)
        }
        let users = try await fake.control()["users"] as? [String: [String: Any]]
        let leverage = users?[signer.address.lowercaseHex]?["leverage"] as? [String: [Any]]
        #expect(leverage?["SOL"]?.first as? Int == 7)
        #expect(leverage?["SOL"]?.last as? Bool == false)
    }
}
