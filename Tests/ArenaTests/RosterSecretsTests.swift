import ArenaCore
import ArenaTestSupportLedger
import Custody
import Foundation
import Logging
import Market
import Storage
import Testing
@testable import Arena

@Suite("Roster secrets by environment variable name")
struct RosterSecretsTests {
    func roster(_ secrets: [String: String]) throws -> Roster {
        let btc = try #require(Symbol("BTC"))
        return Roster(accounts: [Roster.Entry(name: "keyed", driver: DriverSettings(kind: .buyAndHold, symbol: btc), symbols: [btc],
                                              initial_capital: 1_000, risk_limits: nil, mode: nil, secrets_env: secrets)])
    }

    @Test("a roster names environment variables; their values are stored encrypted, never the names' values in the roster")
    func storesFromEnvironment() async throws {
        let test = try TestLedger()
        let now = Timestamp(milliseconds: 1_000)
        let vault = try KeyVault(store: test.ledger, masterKey: try MasterKey.generate(), now: now)
        let runtime = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: now),
                                       configuration: ArenaConfiguration(), vault: vault, logger: Logger(label: "roster-test"))
        let key = "sk-roster-\(UUID().uuidString)"
        try runtime.apply(try roster(["llm_api_key": "ROSTER_TEST_KEY"]), environment: ["ROSTER_TEST_KEY": key])
        let account = try #require(try test.ledger.account(named: "keyed"))
        #expect(try vault.secret(named: .llmAPIKey, for: account.id)?.revealString() == key)
        #expect(try vault.summaries(for: account.id).map(\.name) == ["llm_api_key"])
    }

    @Test("a missing variable, an unknown secret name or no master key refuse the roster before any account changes")
    func refusals() async throws {
        let test = try TestLedger()
        let now = Timestamp(milliseconds: 1_000)
        let vault = try KeyVault(store: test.ledger, masterKey: try MasterKey.generate(), now: now)
        let runtime = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: now),
                                       configuration: ArenaConfiguration(), vault: vault, logger: Logger(label: "roster-test"))
        #expect(throws: ArenaError.self) { try runtime.apply(try roster(["llm_api_key": "UNSET_VARIABLE"]), environment: [:]) }
        #expect(throws: ArenaError.self) { try runtime.apply(try roster(["password": "X"]), environment: ["X": "value"]) }
        #expect(try test.ledger.account(named: "keyed") == nil)
        let noVault = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: now),
                                       configuration: ArenaConfiguration(), logger: Logger(label: "roster-test"))
        #expect(throws: ArenaError.self) { try noVault.apply(try roster(["llm_api_key": "X"]), environment: ["X": "value"]) }
    }
}
