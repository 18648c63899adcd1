import ArenaCore
import ArenaTestSupportLedger
import Custody
import Foundation
import Logging
import Market
import Storage
@testable import Arena

/// An arena on a fresh ledger whose live venue is the fake, with one paper buy-and-hold BTC
/// account and a vault for its keys: where the live tests start.
struct LiveArena {
    let test: TestLedger
    let now: Timestamp
    let vault: KeyVault
    let runtime: ArenaRuntime
    let record: AccountRecord
    let btc = Symbol("BTC")!

    /// - Parameter name: The account's name.
    init(fake: FakeExchange, accountName name: String) throws {
        test = try TestLedger()
        now = SystemClock().now()
        vault = try KeyVault(store: test.ledger, masterKey: try MasterKey.generate(), now: now)
        runtime = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: now),
                                   configuration: ArenaConfiguration(), vault: vault, logger: Logger(label: name),
                                   liveVenue: try LiveVenue(environment: ["ARENA_HYPERLIQUID_TESTNET_URL": fake.baseURL]))
        record = try runtime.accounts.create(Roster.Entry(
            name: name, driver: DriverSettings(kind: .buyAndHold, symbol: btc), symbols: [btc], initial_capital: 1_000,
            risk_limits: nil, mode: nil), network: nil, secrets: [:])
    }
}
