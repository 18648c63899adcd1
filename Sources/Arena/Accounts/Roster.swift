import ArenaCore
import Drivers
import Foundation
import LLM
import Storage

/// The accounts an arena starts with, from a `--config` file or the built-in demo.
///
/// The file is JSON: `{"accounts": [{"name": "...", "driver": {"kind": "...", ...},
/// "symbols": ["BTC"], "initial_capital": "10000", "risk_limits": {...}}]}`. Accounts are matched by
/// name: missing ones are created, existing ones get the file's driver, symbols and limits (their
/// ledger is never touched).
public struct Roster: Sendable, Decodable {
    public struct Entry: Sendable, Decodable {
        public var name: String
        public var driver: DriverSettings
        public var symbols: [Symbol]
        public var initial_capital: FixedDecimal
        public var risk_limits: RiskLimits?
        public var mode: AccountMode?
        /// Secrets by name (`llm_api_key`, `hyperliquid_agent_key`, `hyperliquid_master_address`),
        /// each given as the NAME of the environment variable that holds it, never the secret itself.
        public var secrets_env: [String: String]?
        /// The paper venue's realism (`venue`, the default, or `noisy`).
        public var realism: PaperRealism?

        public init(name: String, driver: DriverSettings, symbols: [Symbol], initial_capital: FixedDecimal,
                    risk_limits: RiskLimits?, mode: AccountMode?, secrets_env: [String: String]? = nil, realism: PaperRealism? = nil) {
            self.secrets_env = secrets_env
            self.realism = realism
            self.name = name
            self.driver = driver
            self.symbols = symbols
            self.initial_capital = initial_capital
            self.risk_limits = risk_limits
            self.mode = mode
        }
    }

    public var accounts: [Entry]
    /// Alert webhooks and when to alert (`AlertSettings`); none when absent.
    public var alerts: AlertSettings?

    public init(accounts: [Entry], alerts: AlertSettings? = nil) {
        self.accounts = accounts
        self.alerts = alerts
    }

    /// Loads and validates a roster file.
    /// - Throws: `ArenaError.invalidRoster` naming the problem.
    public static func load(path: String) throws -> Roster {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArenaError.invalidRoster("cannot read \(path)")
        }
        guard data.count <= 4 << 20 else { throw ArenaError.invalidRoster("\(path) is larger than 4 MiB") }
        let roster: Roster
        do {
            roster = try JSON.decodeStrictly(Roster.self, from: data)
        } catch let error as UnknownFieldError {
            throw ArenaError.invalidRoster("\(path): \(error)")
        } catch let error as DecodingError {
            throw ArenaError.invalidRoster("\(path): \(ArenaError.describe(error))")
        }
        try roster.validate()
        return roster
    }

    /// Checks names, symbols, capital and driver settings.
    public func validate() throws {
        try alerts?.validate()
        var names = Set<String>()
        for entry in accounts {
            let name = entry.name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.count <= 64 else { throw ArenaError.invalidRoster("account names must be 1 to 64 characters") }
            guard names.insert(name).inserted else { throw ArenaError.invalidRoster("the account name \(name) appears twice") }
            guard !entry.symbols.isEmpty else { throw ArenaError.invalidRoster("\(name) has no symbols") }
            guard entry.initial_capital >= FixedDecimal(10), entry.initial_capital <= FixedDecimal(1_000_000_000) else {
                throw ArenaError.invalidRoster("\(name): initial_capital must be between 10 and 1000000000")
            }
            try entry.driver.validate(symbols: entry.symbols)
        }
    }

    /// The roster of `make run`: baselines that trade with no API key and no internet.
    public static let demo = Roster(accounts: [
        Entry(name: "hold-btc", driver: DriverSettings(kind: .buyAndHold, symbol: Symbol("BTC"), intervalSeconds: 30),
              symbols: symbols("BTC"), initial_capital: 10_000, risk_limits: nil, mode: nil),
        Entry(name: "hold-eth", driver: DriverSettings(kind: .buyAndHold, symbol: Symbol("ETH"), intervalSeconds: 30),
              symbols: symbols("ETH"), initial_capital: 10_000, risk_limits: nil, mode: nil),
        Entry(name: "hold-sol", driver: DriverSettings(kind: .buyAndHold, symbol: Symbol("SOL"), intervalSeconds: 30),
              symbols: symbols("SOL"), initial_capital: 10_000, risk_limits: nil, mode: nil),
        Entry(name: "random-1", driver: DriverSettings(kind: .random, seed: 1, intervalSeconds: 4),
              symbols: symbols("BTC", "ETH", "SOL"), initial_capital: 10_000, risk_limits: RiskLimits(max_leverage: 5), mode: nil),
        Entry(name: "random-2", driver: DriverSettings(kind: .random, seed: 2, intervalSeconds: 6),
              symbols: symbols("BTC", "ETH", "SOL"), initial_capital: 10_000, risk_limits: RiskLimits(max_leverage: 3), mode: nil),
        // A unit of 5 USD on the simulated ETH (about 3400, moving 0.1-0.3% a minute) runs through
        // the phases within minutes.
        Entry(name: "hedge-eth", driver: DriverSettings(kind: .hedge4, symbol: Symbol("ETH"), intervalSeconds: 2, unitSize: 5,
                                                       initialMargin: 1_000),
              symbols: symbols("ETH"), initial_capital: 10_000, risk_limits: nil, mode: nil),
        // The Fibonacci hedge beside it, with the default levels, trail and leverage: it hedges once
        // ETH has swung 2% and given back 23.6% of the swing.
        Entry(name: "fibonacci-eth", driver: DriverSettings(kind: .fibonacci, symbol: Symbol("ETH"), intervalSeconds: 2,
                                                           initialMargin: 1_000),
              symbols: symbols("ETH"), initial_capital: 10_000, risk_limits: nil, mode: nil),
        // A real model with no API key: skipped with a log line when `make venv` has not run.
        Entry(name: "smollm2-local", driver: .localModel(intervalSeconds: 60),
              symbols: symbols("BTC", "ETH", "SOL"), initial_capital: 10_000, risk_limits: RiskLimits(max_leverage: 5), mode: nil),
    ])

    private static func symbols(_ names: String...) -> [Symbol] { names.compactMap(Symbol.init) }
}

/// The driver part of an account's configuration.
public struct DriverSettings: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        case buyAndHold = "buy_and_hold"
        case random
        /// The four-phase hedging strategy (`docs/HEDGES.md`).
        case hedge4
        /// The Fibonacci hedging strategy (`docs/HEDGES.md`).
        case fibonacci
        case llm
        /// Mirrors a tracked Hyperliquid trader's positions (`CopyDriver`).
        case copy
    }

    public var kind: Kind
    /// The coin of single-coin drivers (buy-and-hold).
    public var symbol: Symbol?
    /// The random trader's seed.
    public var seed: UInt64?
    /// Seconds between decisions.
    public var interval_seconds: Int?
    /// A decision also starts as soon as one of the account's coins has moved more than this many
    /// percent (of its mid) since the account's last decision; nil decides on the interval only.
    public var trigger_move_pct: FixedDecimal?
    /// The hedge's unit: the price distance that counts as one step.
    public var unit_size: FixedDecimal?
    /// The hedge's opening margin in USD (hedge4 levers it at the coin's maximum within the account's
    /// limit, fibonacci at `leverage`).
    public var initial_margin: FixedDecimal?
    /// For `fibonacci`: the leverage asked for (default 3; capped by the risk limit and the venue).
    public var leverage: Int?
    /// For `fibonacci`: the minimum swing, in percent of the swing low, before a level counts (default 2).
    public var min_swing_pct: FixedDecimal?
    /// For `fibonacci`: the trailing stop's distance above the valley as a fraction of the range (default 0.236).
    public var trail_fraction: FixedDecimal?
    /// For `fibonacci`: the three retracement levels, increasing, each in (0, 1) (default 0.236, 0.382, 0.5).
    public var levels: [FixedDecimal]?
    /// For `llm`: `openai` (any OpenAI-compatible server), `anthropic` or `local`.
    public var provider: ModelProvider?
    /// For `llm`: the API's base URL (default: the provider's own).
    public var base_url: String?
    /// For `llm`: the model name.
    public var model: String?
    /// For `llm`: the NAME of the environment variable that holds the API key (never the key).
    public var api_key_env: String?
    public var temperature: Double?
    public var max_tokens: Int?
    public var timeout_seconds: Int?
    /// For `llm`: the prompt templates' name in `prompts/` (default `default`).
    public var prompt: String?
    /// For `llm`: `tool`, `json_object` or `text` (default: `tool`, `json_object` for `local`).
    public var structured_output: StructuredOutput?
    /// For `llm`: the most calls in flight to this endpoint over all its accounts.
    public var max_concurrent_requests: Int?
    /// For `copy`: the trader followed, `0x` and 40 hexadecimal digits (stored lower-cased).
    public var trader: TraderAddress?
    /// For `copy`: the copier's size is the trader's times this (exclusive with `notional_usd`).
    public var ratio: FixedDecimal?
    /// For `copy`: the trader's whole book scaled so that its account value corresponds to this many USD.
    public var notional_usd: FixedDecimal?
    /// For `copy`: a change is copied only once it has been seen this many seconds (market time).
    public var delay_seconds: Int?
    /// For `copy`: no single order above this many USD; the rest follows on later decisions.
    public var max_trade_usd: FixedDecimal?

    public init(kind: Kind, symbol: Symbol? = nil, seed: UInt64? = nil, intervalSeconds: Int? = nil,
                unitSize: FixedDecimal? = nil, initialMargin: FixedDecimal? = nil) {
        self.kind = kind
        self.symbol = symbol
        self.seed = seed
        self.interval_seconds = intervalSeconds
        self.unit_size = unitSize
        self.initial_margin = initialMargin
    }

    /// The interval used when none is given.
    public static let defaultIntervalSeconds = 60

    public var intervalSeconds: Int { interval_seconds ?? Self.defaultIntervalSeconds }

    /// Checks the settings against the account's universe.
    public func validate(symbols: [Symbol]) throws {
        if let interval = interval_seconds, !(1...86_400).contains(interval) {
            throw ArenaError.invalidRoster("interval_seconds must be 1 to 86400")
        }
        if let move = trigger_move_pct, !(move.isPositive && move <= FixedDecimal(100)) {
            throw ArenaError.invalidRoster("trigger_move_pct must be above 0 and at most 100")
        }
        switch kind {
        case .buyAndHold:
            guard let symbol else { throw ArenaError.invalidRoster("buy_and_hold needs a symbol") }
            guard symbols.contains(symbol) else { throw ArenaError.invalidRoster("buy_and_hold's symbol \(symbol) is not in the account's symbols") }
        case .random:
            break
        case .hedge4:
            guard let symbol else { throw ArenaError.invalidRoster("hedge4 needs a symbol") }
            guard symbols.contains(symbol) else { throw ArenaError.invalidRoster("hedge4's symbol \(symbol) is not in the account's symbols") }
            guard let unit = unit_size, unit.isPositive, unit <= FixedDecimal(1_000_000) else {
                throw ArenaError.invalidRoster("hedge4 needs a unit_size above 0 and at most 1000000")
            }
            guard let margin = initial_margin, margin >= FixedDecimal(10), margin <= FixedDecimal(1_000_000_000) else {
                throw ArenaError.invalidRoster("hedge4 needs an initial_margin between 10 and 1000000000")
            }
        case .fibonacci:
            guard let symbol else { throw ArenaError.invalidRoster("fibonacci needs a symbol") }
            guard symbols.contains(symbol) else { throw ArenaError.invalidRoster("fibonacci's symbol \(symbol) is not in the account's symbols") }
            guard let parameters = fibonacciParameters else { throw ArenaError.invalidRoster("fibonacci needs an initial_margin") }
            if let problem = parameters.problem { throw ArenaError.invalidRoster("fibonacci: \(problem)") }
        case .llm:
            try validateModelSettings()
        case .copy:
            try validateCopySettings()
        }
    }

    /// The Fibonacci hedge's parameters, the defaults standing in for what is not given; nil without
    /// a symbol or an initial margin.
    public var fibonacciParameters: FibonacciParameters? {
        guard let symbol, let initial_margin else { return nil }
        return FibonacciParameters(symbol: symbol, initialMargin: initial_margin, leverage: leverage, minSwingPercent: min_swing_pct,
                                   trailFraction: trail_fraction, levels: levels)
    }
}
