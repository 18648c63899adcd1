import ArenaCore
import ArenaTestSupportDrivers
import Drivers
import Foundation
import GRDB
import LLM
import Market
import Storage
import Testing
@testable import Arena

/// The prompt variants of `prompts/` (Alpha Arena season 1.5's modes): each renders with the same
/// decision schema, `aware` shows the ranking and the rivals, and each one's valid answer trades.
@Suite("Prompt variants")
struct PromptVariantTests {
    static let variants = ["default", "cautious", "aware", "max_leverage"]

    /// A context at call 3 whose account is second of three, its rivals holding positions.
    func context() throws -> DecisionContext {
        var market = try TestMarket()
        var (snapshot, indicators) = try market.next()
        for _ in 0..<3 { (snapshot, indicators) = try market.next() }
        let account = AccountState(cash: 10_000, positions: [:], equity: 10_000, unrealizedPnl: .zero, marginUsed: .zero, time: snapshot.time)
        let leader = ArenaRanking.Rival(rank: 1, name: "rival \"one\"", returnPercent: 4.256,
                                        positions: [Position(symbol: Symbol("BTC")!, size: FixedDecimal(-5, exponent: 1), entryPrice: 65_000, leverage: 10)])
        let trailer = ArenaRanking.Rival(rank: 3, name: "rival-two", returnPercent: -1.5, positions: [])
        return DecisionContext(accountID: AccountID(2), accountName: "me", time: snapshot.time, startedAt: snapshot.time, callNumber: 3,
                               symbols: [Symbol("BTC")!, Symbol("ETH")!], market: snapshot, account: account, initialCapital: 10_000,
                               maxLeverage: 7, instruments: Instrument.defaults, indicators: indicators,
                               ranking: ArenaRanking(rank: 2, accountCount: 3, rivals: [leader, trailer]))
    }

    @Test("every variant renders with the same decision schema and its own instructions")
    func everyVariantRenders() throws {
        let prompts = try repositoryPrompts()
        let values = PromptContext.make(try context(), exitPlans: [:], sharpeRatio: nil)
        let schemaLine = "Answer with JSON only, in exactly this form:"
        var systems: [String: String] = [:]
        for variant in Self.variants {
            #expect(prompts.contains(variant), "prompts/\(variant).system.mustache and .user.mustache")
            let rendered = try prompts.render(variant, context: values)
            #expect(rendered.system.contains(schemaLine), "\(variant) states the schema")
            #expect(rendered.system.contains("1 to 7"), "\(variant) states the leverage limit")
            #expect(rendered.user.contains("ALL BTC DATA") && rendered.user.contains("Decide now."), "\(variant) carries the market")
            #expect(!rendered.system.contains("{{") && !rendered.user.contains("{{"), "\(variant) leaves no tag unrendered")
            systems[variant] = rendered.system
        }
        #expect(Set(systems.values).count == Self.variants.count, "each variant says something of its own")
        #expect(try #require(systems["cautious"]).contains("most cycles should end with hold"))
        #expect(try #require(systems["max_leverage"]).contains("uses leverage 7, the highest allowed"))
        #expect(try #require(systems["aware"]).contains("ranking by return and your rivals' open positions"))
    }

    @Test("aware shows the account's rank and each rival's return and positions; the others do not")
    func awareShowsRanking() throws {
        let prompts = try repositoryPrompts()
        let values = PromptContext.make(try context(), exitPlans: [:], sharpeRatio: nil)
        let aware = try prompts.render("aware", context: values).user
        #expect(aware.contains("Your rank: 2 of 3"))
        // Names come quoted, as data: an operator chose them.
        #expect(aware.contains(#"- #1 "rival \"one\"": return 4.26%"#))
        #expect(aware.contains("  BTC short: size 0.5, entry 65000, leverage 10x"))
        #expect(aware.contains(#"- #3 "rival-two": return -1.50%"#) || aware.contains(#"- #3 "rival-two": return -1.5%"#))
        #expect(aware.contains("  no open positions"))
        #expect(prompts.uses("ranking", in: "aware"))
        for variant in ["default", "cautious", "max_leverage"] {
            let user = try prompts.render(variant, context: values).user
            #expect(!user.contains("Your rank") && !user.contains("rival-two"), "\(variant) does not show the ranking")
            // So the driver does not build the ranking's values for it.
            #expect(!prompts.uses("ranking", in: variant))
        }
        // Without a ranking (a runtime that gives none), aware renders without the section.
        var alone = try context()
        alone.ranking = nil
        let bare = try prompts.render("aware", context: PromptContext.make(alone, exitPlans: [:], sharpeRatio: nil)).user
        #expect(!bare.contains("Your rank") && bare.contains("Decide now."))
    }

    @Test("every shipped prompt renders the prompt context exactly as the same values seen through Any render")
    func typedContextRendersAsAny() throws {
        let prompts = try repositoryPrompts()
        var context = try context()
        let btc = Symbol("BTC")!
        context.account = AccountState(cash: 9_000, positions: [btc: Position(symbol: btc, size: FixedDecimal(2, exponent: 1), entryPrice: 64_000, leverage: 3)],
                                       equity: 10_050, unrealizedPnl: 50, marginUsed: 4_266, time: context.time)
        context.lastOutcome = DecisionFeedback(callNumber: 2, time: context.time, result: .refused, reason: #"too "big""#, orders: ["BTC buy 0.2"])
        let plans = [btc: ExitPlan(takeProfit: 70_000, stopLoss: nil, invalidationCondition: #"BTC closes below "60k""#)]
        let values = PromptContext.make(context, exitPlans: plans, sharpeRatio: 0.5)
        let seenThroughAny = values.mapValues(\.anyValue)
        for name in prompts.names {
            let typed = try prompts.render(name, context: values)
            #expect(typed == (try prompts.render(name, context: seenThroughAny)), "\(name)")
            #expect(typed.user.contains("64000") && !typed.user.contains("{{"), "\(name) shows the position")
        }
    }

    @Test("the ranking is built once per step from every account's standing, bounded, best first")
    func standingsTable() throws {
        let board = RivalBoard()
        let eth = Position(symbol: Symbol("ETH")!, size: 2, entryPrice: 3_000, leverage: 3)
        let sol = Position(symbol: Symbol("SOL")!, size: -1, entryPrice: 150, leverage: 2)
        let flatBTC = Position(symbol: Symbol("BTC")!, size: 0, entryPrice: 0, leverage: 1)
        for index in 1...30 {
            let positions = index == 9 ? [eth.symbol: eth, sol.symbol: sol, flatBTC.symbol: flatBTC] : [:]
            // A return of index % 10 percent on 10,000.
            board.update(id: AccountID(Int64(index)), name: "a\(index)", equity: FixedDecimal(10_000 + 100 * (index % 10)),
                         initialCapital: 10_000, positions: positions)
        }
        let table = board.table()
        let ranking = try #require(table.ranking(for: AccountID(5)))
        #expect(ranking.accountCount == 30)
        #expect(ranking.rivals.count == StandingsTable.rivalLimit)
        #expect(!ranking.rivals.contains { $0.name == "a5" })
        // Returns 9 (ids 9, 19, 29) lead, ties by id; 5, 15, 25 have 5: 5 is the 13th.
        #expect(ranking.rivals.prefix(3).map(\.name) == ["a9", "a19", "a29"])
        #expect(ranking.rivals.first?.returnPercent == 9)
        // Open positions only, by symbol.
        #expect(ranking.rivals.first?.positions.map(\.symbol.name) == ["ETH", "SOL"])
        #expect(ranking.rank == 13)
        #expect(table.ranking(for: AccountID(99)) == nil)
        board.remove(AccountID(9))
        #expect(board.table().ranking(for: AccountID(5))?.accountCount == 29)
    }

    @Test("a schema-valid answer under each variant becomes an order, and aware's prompt carries the ranking")
    func everyVariantTrades() async throws {
        let provider = try await FakeProvider.shared()
        for variant in Self.variants {
            let channel = "variant" + variant.filter(\.isLetter) + String(UInt32.random(in: 0...UInt32.max))
            try await provider.script(channel, [FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer))])
            var configuration = try fakeConfiguration(provider, channel: channel)
            configuration.promptTemplate = variant
            var account = try LLMAccount.make(configuration: configuration, services: try testServices())
            let (snapshot, indicators) = try account.market.next()
            await account.runner.apply(snapshot)
            let standings = await account.runner.standings.leaderboard.rivals.table()
            await account.runner.decide(indicators: indicators, standings: standings)
            let row = try #require(try account.decisions().first)
            #expect(row["outcome"] as String == "accepted", "\(variant)")
            let orders = try account.test.ledger.recentOrders(of: account.record.id, limit: 10)
            #expect(orders.count == 1 && orders.first?.order.request.symbol == Symbol("ETH"), "\(variant)")
            let prompt = row["prompt"] as String
            #expect(prompt.contains("Your rank: 1 of 1") == (variant == "aware"), "\(variant)")
        }
    }
}
