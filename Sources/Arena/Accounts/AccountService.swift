import ArenaCore
import Custody
import Drivers
import Foundation
import Logging
import Storage
import Synchronization

/// The one home of accounts: roster import, secret validation, create, update and archive, and
/// the runners of the accounts that trade. The roster loader (`arena serve --config`), the admin
/// API and the command line all come here.
public final class AccountService: Sendable {
    /// What an account's runner is built with, shared by every account.
    struct Setup: Sendable {
        var recorder: Recorder
        var leaderboard: Leaderboard
        var tradingSwitch: TradingSwitch
        var drivers: DriverEnvironment
        var vault: KeyVault?
        var configuration: ArenaConfiguration
        var instruments: [Symbol: Instrument]
        var clock: any WallClock
        var logger: Logger
    }

    let setup: Setup
    private let runners = Mutex<[AccountID: AccountRunner]>([:])

    init(setup: Setup) {
        self.setup = setup
    }

    private var ledger: LedgerStore { setup.recorder.ledger }

    /// Whether secrets can be stored (a master key is configured).
    public var canStoreSecrets: Bool { setup.vault != nil }

    // MARK: Runners

    /// The runner of an account, if it is running.
    public func runner(_ id: AccountID) -> AccountRunner? { runners.withLock { $0[id] } }

    /// Every running account's runner, by id.
    public var allRunners: [AccountRunner] { runners.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }

    /// Starts a runner for every stored account that is not archived.
    /// - Throws: `ArenaError` for an account whose settings cannot be read, or a storage error.
    func startStoredAccounts() throws {
        for record in try ledger.accounts() { try startRunner(for: record) }
    }

    private func startRunner(for record: AccountRecord) throws {
        guard record.status != .archived else { return }
        let settings = try DriverFactory.settings(of: record)
        if let reason = setup.drivers.unavailableReason(for: settings) {
            setup.logger.warning("account skipped", metadata: ["account.id": "\(record.id)", "account.name": "\(record.name)", "reason": "\(reason)"])
            return
        }
        let driver = try DriverFactory.make(settings, for: record, environment: setup.drivers, vault: setup.vault, clock: setup.clock)
        // A live account starts on an empty stand-in until the runtime has run its preflight and
        // reconciled it from the venue.
        let live = record.mode == .live
        let executor = live ? paperExecutor(for: record.id, cash: .zero, positions: [])
            : try restoredPaperExecutor(for: record, ledger: ledger)
        let statistics = try ledger.metrics(of: record.id).flatMap { try? JSONDecoder().decode(EquityStatistics.self, from: Data($0.utf8)) }
        let runner = AccountRunner(
            record: record, driver: driver, executor: executor, limits: try Self.limits(of: record),
            intervalMilliseconds: Int64(settings.intervalSeconds) * 1000, recorder: setup.recorder, leaderboard: setup.leaderboard,
            instruments: setup.instruments, decisionSummary: DecisionSummary(try ledger.decisionStatistics(of: record.id)),
            equityStatistics: statistics ?? EquityStatistics(),
            tradingSwitch: setup.tradingSwitch,
            triggerMovePercent: settings.trigger_move_pct, riskState: try ledger.riskState(of: record.id), logger: setup.logger)
        runners.withLock { $0[record.id] = runner }
    }

    /// A paper venue account for an arena account, with the account's stored realism, seeded by
    /// the arena's seed and the account's name.
    func paperExecutor(for id: AccountID, cash: FixedDecimal, positions: [Position]) -> PaperExecutor {
        let stored: AccountRecord? = (try? ledger.account(id)) ?? nil
        let realism = stored.flatMap { try? PaperRealism(of: $0) } ?? .venue
        return PaperExecutor(configuration: paperConfiguration(realism: realism), cash: cash, positions: positions,
                             seed: paperSeed(for: stored?.name ?? "account \(id.rawValue)"))
    }

    /// Reads an account's risk limits.
    static func limits(of record: AccountRecord) throws -> RiskLimits {
        do {
            return try JSONDecoder().decode(RiskLimits.self, from: Data(record.riskLimits.utf8))
        } catch {
            throw ArenaError.invalidAccount("\(record.name)'s risk limits cannot be read")
        }
    }

    // MARK: Secrets

    /// Checks secrets before anything is stored: the vault is open, every name is known and
    /// every value is valid for its name. Returns them in name order, trimmed.
    /// - Throws: `ArenaError.invalidRequest` naming the problem (never the secret).
    public func validateSecrets(_ secrets: [String: String]) throws -> [(SecretName, SecretValue)] {
        guard !secrets.isEmpty else { return [] }
        guard setup.vault != nil else {
            throw ArenaError.invalidRequest("Secrets cannot be stored: the server has no master key. Run arena keys init and restart with ARENA_MASTER_KEY_FILE.")
        }
        return try secrets.sorted { $0.key < $1.key }.map { name, value in
            do {
                let secretName = try SecretName.accountSecret(name)
                return (secretName, try KeyVault.validate(SecretValue(value), named: secretName).0)
            } catch let error as CustodyError {
                throw ArenaError.invalidRequest(error.description)
            }
        }
    }

    private func store(_ secrets: [(SecretName, SecretValue)], for id: AccountID) throws {
        guard let vault = setup.vault else { return }
        for (name, value) in secrets { _ = try vault.setSecret(value, named: name, for: id, now: setup.clock.now()) }
    }

    // MARK: Roster

    /// Creates or updates the roster's accounts by name, then restarts every runner on the new
    /// configuration. Every secret is read from `environment` and checked before any account changes.
    /// - Throws: `ArenaError.invalidRoster` naming the problem, or a storage error.
    public func importRoster(_ roster: Roster, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try roster.validate()
        let now = setup.clock.now()
        var secrets: [String: [(SecretName, SecretValue)]] = [:]
        for entry in roster.accounts {
            guard let names = entry.secrets_env, !names.isEmpty else { continue }
            guard setup.vault != nil else {
                throw ArenaError.invalidRoster("\(entry.name) has secrets_env, but the server has no master key (run arena keys init and set ARENA_MASTER_KEY_FILE)")
            }
            var values: [String: String] = [:]
            for (name, variable) in names {
                guard let text = environment[variable], !text.isEmpty else {
                    throw ArenaError.invalidRoster("\(entry.name): the environment variable \(variable) for \(name) is not set")
                }
                values[name] = text
            }
            do {
                secrets[entry.name] = try validateSecrets(values)
            } catch let error as ArenaError {
                throw ArenaError.invalidRoster("\(entry.name): \(error)")
            }
        }
        for entry in roster.accounts {
            let settings = try JSON.encode(entry.driver)
            let limits = try JSON.encode(entry.risk_limits ?? .default)
            let record: AccountRecord
            if let existing = try ledger.account(named: entry.name) {
                try ledger.updateConfiguration(of: existing.id, driverKind: entry.driver.kind.rawValue, driverSettings: settings,
                                               provider: entry.driver.provider?.rawValue, model: entry.driver.model, symbols: entry.symbols,
                                               riskLimits: limits, paperRealism: (entry.realism ?? .venue).rawValue, now: now)
                record = existing
            } else {
                record = try ledger.createAccount(NewAccount(
                    name: entry.name, driverKind: entry.driver.kind.rawValue, driverSettings: settings,
                    provider: entry.driver.provider?.rawValue, model: entry.driver.model, symbols: entry.symbols,
                    mode: entry.mode ?? .paper, initialCapital: entry.initial_capital, riskLimits: limits,
                    paperRealism: (entry.realism ?? .venue).rawValue), now: now)
                setup.logger.info("account created", metadata: ["account.id": "\(record.id)", "account.name": "\(record.name)"])
            }
            try store(secrets[entry.name] ?? [], for: record.id)
        }
        runners.withLock { $0.removeAll() }
        try startStoredAccounts()
    }

    // MARK: Operating accounts

    /// Creates a paper account (with its secrets) and starts running it from the next market step.
    /// - Parameters:
    ///   - entry: The account as a roster would give it; it must be paper.
    ///   - secrets: Secrets by name, stored encrypted.
    /// - Throws: `ArenaError.invalidRequest` for bad settings or secrets, `ArenaError.conflict` for a
    ///   taken name; nothing is stored then.
    @discardableResult
    public func create(_ entry: Roster.Entry, network: Network?, secrets: [String: String]) throws -> AccountRecord {
        do {
            try Roster(accounts: [entry]).validate()
        } catch let error as ArenaError {
            throw ArenaError.invalidRequest(error.description)
        }
        guard (entry.mode ?? .paper) == .paper else {
            throw ArenaError.invalidRequest("Create the account in paper mode, then switch it with POST /api/accounts/{id}/mode.")
        }
        let validSecrets = try validateSecrets(secrets)
        let now = setup.clock.now()
        let record: AccountRecord
        do {
            record = try ledger.createAccount(NewAccount(
                name: entry.name.trimmingCharacters(in: .whitespaces), driverKind: entry.driver.kind.rawValue,
                driverSettings: try JSON.encode(entry.driver), provider: entry.driver.provider?.rawValue, model: entry.driver.model,
                symbols: entry.symbols, mode: .paper, network: network ?? .testnet, initialCapital: entry.initial_capital,
                riskLimits: try JSON.encode(entry.risk_limits ?? .default), paperRealism: (entry.realism ?? .venue).rawValue), now: now)
        } catch let error as StorageError {
            throw ArenaError.conflict(error.description)
        }
        do {
            // Secrets first: a model driver reads its key from the vault when it is built.
            try store(validSecrets, for: record.id)
            try startRunner(for: record)
        } catch {
            try? ledger.setStatus(.archived, for: record.id, now: now)
            throw error
        }
        setup.logger.info("account created", metadata: ["account.id": "\(record.id)", "account.name": "\(record.name)"])
        return record
    }

    /// What an operator may change of a running account; nil leaves a field as it is.
    public struct Changes: Sendable {
        public var driver: DriverSettings?
        public var symbols: [Symbol]?
        public var riskLimits: RiskLimits?
        /// `active` resumes a paused or halted account; `paused` stops its decisions.
        public var status: AccountStatus?
        /// Secrets to set or replace, by name.
        public var secrets: [String: String]
        /// Why the status changes, stored with the change.
        public var reason: String?
        /// Who asks (the admin token's name), stored with a status change.
        public var actor: String
        /// The paper venue's realism, applied from the account's next order (`changePaperRealism`).
        public var realism: PaperRealism?

        public init(driver: DriverSettings? = nil, symbols: [Symbol]? = nil, riskLimits: RiskLimits? = nil, status: AccountStatus? = nil,
                    secrets: [String: String] = [:], reason: String? = nil, actor: String = "operator", realism: PaperRealism? = nil) {
            self.realism = realism
            self.driver = driver
            self.symbols = symbols
            self.riskLimits = riskLimits
            self.status = status
            self.secrets = secrets
            self.reason = reason
            self.actor = actor
        }
    }

    /// Changes a running account: settings are stored, then applied between two decisions.
    /// - Throws: `ArenaError.notFound` for an account that is not running, `ArenaError.invalidRequest`
    ///   for bad changes (nothing is changed then).
    @discardableResult
    public func update(_ id: AccountID, _ changes: Changes) async throws -> AccountRecord {
        guard let runner = runner(id), var record = try ledger.account(id) else {
            throw ArenaError.notFound("No running account \(id.rawValue) (archived accounts cannot trade).")
        }
        if let status = changes.status, status != .active, status != .paused {
            throw ArenaError.invalidRequest("status may be active or paused; use DELETE to archive.")
        }
        let secrets = try validateSecrets(changes.secrets)
        if changes.driver != nil || changes.symbols != nil || changes.riskLimits != nil || !secrets.isEmpty {
            let settings = try changes.driver ?? DriverFactory.settings(of: record)
            let limits = try changes.riskLimits ?? Self.limits(of: record)
            let symbols = changes.symbols ?? record.symbols
            guard !symbols.isEmpty else { throw ArenaError.invalidRequest("symbols must not be empty.") }
            do {
                try settings.validate(symbols: symbols)
            } catch let error as ArenaError {
                throw ArenaError.invalidRequest(error.description)
            }
            try store(secrets, for: id)
            record.driverKind = settings.kind.rawValue
            record.driverSettings = try JSON.encode(settings)
            record.symbols = symbols
            record.riskLimits = try JSON.encode(limits)
            let driver: any Driver
            do {
                driver = try DriverFactory.make(settings, for: record, environment: setup.drivers, vault: setup.vault, clock: setup.clock)
            } catch let error as ArenaError {
                throw ArenaError.invalidRequest(error.description)
            }
            try ledger.updateConfiguration(of: id, driverKind: record.driverKind, driverSettings: record.driverSettings,
                                           provider: record.provider, model: record.model, symbols: symbols,
                                           riskLimits: record.riskLimits, paperRealism: changes.realism?.rawValue, now: setup.clock.now())
            await runner.reconfigure(record: record, driver: driver, limits: limits)
            // Stored with the rest above, in the same transaction.
            if let realism = changes.realism { await runner.changePaperRealism(realism) }
        } else if let realism = changes.realism, realism.rawValue != record.paperRealism {
            try await changePaperRealism(of: id, to: realism, runner: runner)
        }
        if let status = changes.status {
            let why = changes.reason.map { ": \($0)" } ?? "."
            await runner.changeStatus(status, reason: "Set to \(status.rawValue) by \(changes.actor)\(why)", actor: changes.actor)
        }
        guard let updated = try ledger.account(id) else { throw ArenaError.notFound("No account \(id.rawValue).") }
        return updated
    }

    /// Closes an account's positions, then archives it: it stops trading and keeps its history.
    /// - Throws: `ArenaError.notFound` for an account that is not running.
    @discardableResult
    public func archive(_ id: AccountID) async throws -> AccountRecord {
        guard let runner = runner(id) else {
            throw ArenaError.notFound("No running account \(id.rawValue) (archived accounts cannot trade).")
        }
        _ = await runner.closeAll(origin: .operator)
        await runner.changeStatus(.archived, reason: "Archived by an operator.")
        runners.withLock { _ = $0.removeValue(forKey: id) }
        guard let record = try ledger.account(id) else { throw ArenaError.notFound("No account \(id.rawValue).") }
        return record
    }
}
