import ArenaCore
import ArenaTestSupportLedger
import Custody
import Foundation
import Hyperliquid
import Logging
import Market
import Storage
import Testing
@testable import Arena

@Suite("Switching an account between paper and live against the fake venue", .serialized)
struct ModeSwitchTests {
    @Test("a failed preflight changes nothing and says why; a passing one switches between decisions; back to paper keeps the value")
    func switchesWithPreflight() async throws {
        let fake = try await FakeExchange.start(network: .testnet)
        let arena = try LiveArena(fake: fake, accountName: "switcher")
        let (test, now, vault, runtime, record) = (arena.test, arena.now, arena.vault, arena.runtime, arena.record)

        // No keys yet.
        var outcome = try await runtime.switchMode(record.id, to: .live, network: .testnet, keepPositions: false, actor: "test")
        #expect(!outcome.switched)
        #expect(outcome.report.reason?.contains("keys") == true, "\(outcome.report)")
        #expect(try test.ledger.account(record.id)?.mode == .paper)

        let agent = try testSigner(0x21)
        let master = try testSigner(0x22).address
        _ = try vault.setSecret(SecretValue("0x" + String(repeating: "21", count: 32)), named: .hyperliquidAgentKey, for: record.id, now: now)
        _ = try vault.setSecret(SecretValue(master.checksummed), named: .hyperliquidMasterAddress, for: record.id, now: now)

        // Keys, but the agent is not approved and the master account is empty.
        try await fake.addUser(master, balance: "500")
        outcome = try await runtime.switchMode(record.id, to: .live, network: .testnet, keepPositions: false, actor: "test")
        #expect(!outcome.switched)
        #expect(outcome.report.checks.contains { $0.name == "agent_approved" && !$0.passed })
        #expect(outcome.report.checks.contains { $0.name == "balance" && !$0.passed })
        #expect(await runtime.runner(record.id)?.mode == .paper)

        // Approved and funded: it switches.
        try await fake.addAgent(agent.address, for: master)
        try await fake.addUser(master, balance: "5000")
        outcome = try await runtime.switchMode(record.id, to: .live, network: .testnet, keepPositions: false, actor: "test")
        #expect(outcome.switched, "\(outcome.report)")
        #expect(await runtime.runner(record.id)?.mode == .live)
        #expect(try test.ledger.account(record.id)?.mode == .live)
        let liveEquity = try #require(await runtime.runner(record.id)?.accountState().equity)
        #expect(liveEquity == 5_000)

        // Back to paper: the paper ledger continues from the live account's value.
        outcome = try await runtime.switchMode(record.id, to: .paper, network: .testnet, keepPositions: false, actor: "test")
        #expect(outcome.switched)
        #expect(try test.ledger.account(record.id)?.mode == .paper)
        #expect(await runtime.runner(record.id)?.accountState().cash == 5_000)
        #expect(try test.ledger.modeChangeCount(of: record.id) == 4)
        let published = try test.ledger.events(after: 0, limit: 10_000).filter { $0.topic == .modeChange }
        #expect(published.count == 4)
    }
}
