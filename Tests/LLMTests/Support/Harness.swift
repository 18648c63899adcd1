import ArenaCore
import ArenaTestSupport
import ArenaTestSupportDrivers
import ArenaTestSupportLedger
import Drivers
import Foundation
import GRDB
import LLM
import Logging
import Market
import PaperExchange
import Storage
import Testing
@testable import Arena

/// The repository's prompt templates.
func repositoryPrompts() throws -> PromptLibrary {
    try PromptLibrary(folder: packageFile("prompts").path)
}

extension TestLedger {
    /// Every stored column of every decision, as text, for secret checks.
    func allDecisionText() throws -> String {
        try database.read { db in
            try Self.readableDecisions(try Row.fetchAll(db, sql: "SELECT * FROM decisions"), in: db).map { row in
                row.columnNames.map { "\(row[$0] as DatabaseValue)" }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }

    /// The stored decisions of an account, oldest first.
    func decisions(of id: AccountID) throws -> [Row] {
        try database.read { db in
            try Self.readableDecisions(try Row.fetchAll(db, sql: "SELECT * FROM decisions WHERE account_id = ? ORDER BY id",
                                                        arguments: [id.rawValue]), in: db)
        }
    }

    /// Decision rows with each prompt as text in `prompt`, read as the server reads it (whether
    /// stored plain, as zstd, against a keyframe, or deflated), its stored forms left out, so that
    /// checks see what the prompt said.
    static func readableDecisions(_ rows: [Row], in db: Database) throws -> [Row] {
        var prompts = StoredPrompts(db)
        return try rows.map { row in
            var values: [String: (any DatabaseValueConvertible)?] = [:]
            for column in row.columnNames { values[column] = row[column] as DatabaseValue }
            values["prompt"] = try prompts.text(of: row)
            for stored in ["prompt_zstd", "prompt_deflated", "prompt_base"] { values[stored] = nil as DatabaseValue? }
            return Row(values)
        }
    }
}

/// One LLM account on a real runner, ledger and paper executor.
struct LLMAccount {
    let test: TestLedger
    let runner: AccountRunner
    let record: AccountRecord
    let driver: LLMDriver
    var market: TestMarket

    static let symbols = [Symbol("BTC")!, Symbol("ETH")!]

    /// Builds an account whose model is `configuration`.
    static func make(configuration: ModelConfiguration, services: LLMServices, limits: RiskLimits = RiskLimits(max_leverage: 10),
                     capital: FixedDecimal = 10_000) throws -> LLMAccount {
        try make(provider: configuration.provider, model: configuration.model, limits: limits, capital: capital) { _ in
            try LLMDriver(configuration: configuration, services: services)
        }
    }

    /// Builds an account whose driver `makeDriver` builds from its stored record.
    static func make(provider: ModelProvider, model: String, limits: RiskLimits = RiskLimits(max_leverage: 10), capital: FixedDecimal = 10_000,
                     driver makeDriver: (AccountRecord) throws -> LLMDriver) throws -> LLMAccount {
        let test = try TestLedger()
        let record = try test.ledger.createAccount(NewAccount(name: "model", driverKind: "llm", provider: provider.rawValue,
                                                              model: model, symbols: symbols, initialCapital: capital),
                                                   now: Timestamp(milliseconds: 0))
        let driver = try makeDriver(record)
        let executor = PaperExecutor(configuration: PaperExchangeConfiguration(), cash: record.cash, positions: [], seed: 1)
        let runner = AccountRunner(record: record, driver: driver, executor: executor, limits: limits, intervalMilliseconds: 1000,
                                   recorder: try Recorder(ledger: test.ledger), leaderboard: Leaderboard(),
                                   instruments: Instrument.defaults, logger: Logger(label: "test"))
        return LLMAccount(test: test, runner: runner, record: record, driver: driver, market: try TestMarket())
    }

    /// Feeds the next market step and runs one decision cycle.
    mutating func cycle() async throws {
        let (snapshot, indicators) = try market.next()
        await runner.apply(snapshot)
        await runner.decide(indicators: indicators)
    }

    /// The stored decisions, oldest first.
    func decisions() throws -> [Row] { try test.decisions(of: record.id) }
}

/// Services for tests: the repository's prompts, retries without jitter.
func testServices(observer: (any LLMDriverObserver)? = nil) throws -> LLMServices {
    LLMServices(prompts: try repositoryPrompts(), observer: observer, retryRandom: { 0 })
}

/// An OpenAI-compatible configuration pointing at a fake provider's channel.
func fakeConfiguration(_ provider: FakeProvider, channel: String, kind: ModelProvider = .openai, output: StructuredOutput? = nil,
                       model: String = "gpt-4o-mini", key: String? = "sk-test-0123456789abcdefSECRET", timeout: Duration = .seconds(5),
                       attempts: Int = 3, concurrency: Int? = nil) throws -> ModelConfiguration {
    try ModelConfiguration(provider: kind, endpoint: .fixed(provider.baseURL(channel)), model: model, apiKey: key.flatMap(APIKey.init),
                           timeout: timeout, structuredOutput: output, maximumConcurrentRequests: concurrency, maximumAttempts: attempts)
}

/// A valid answer: hold BTC, open a small ETH long.
let goodAnswer = #"{"decisions": [{"symbol": "BTC", "action": "hold", "confidence": 0.4, "justification": "Flat trend."}, {"symbol": "ETH", "action": "open_long", "size_usd": 200, "leverage": 2, "confidence": 0.7, "invalidation_condition": "ETH loses its 4h EMA20", "justification": "Momentum is up."}], "reasoning": "ETH leads."}"#
