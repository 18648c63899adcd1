import Arena
import ArenaCore
import ArgumentParser
import Custody
import Foundation
import HTTP
import Hyperliquid
import Logging
import Market
import ServiceLifecycle
import Server
import Storage

/// `arena serve`: runs the arena and its HTTP API, feed and page.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the arena and serve its API, feed and page.")

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one and prints it).")
    var port = 8080

    @Option(help: "The SQLite database file.")
    var db = "data/arena.sqlite"

    @Option(help: "The market: hyperliquid (live public data; the simulation when unreachable within 5 s), hyperliquid:testnet, hyperliquid:http(s)://BASE, sim (a seeded simulation) or replay:PATH.csv.")
    var market = "hyperliquid"

    @Option(help: "The simulation's seed.")
    var seed: UInt64 = 42

    @Option(help: "Replay speed: N times real time, or max (as fast as the arena decides, repeatable).")
    var speed = "1"

    @Option(help: "A JSON roster of accounts (without one, the demo roster).")
    var config: String?

    @Option(name: .customLong("snapshot-interval"), help: "Seconds of market time between equity snapshots.")
    var snapshotInterval = 5

    @Option(name: .customLong("feed-batch-ms"), help: "Milliseconds between writes to a feed client that asked for batch=true.")
    var feedBatchMilliseconds = 10

    @Option(help: "The folder of numbered SQL migrations (default: ./migrations, or the one beside the binary).")
    var migrations: String?

    @Option(name: .customLong("static"), help: "The folder of the web page (default: ./static, or the one beside the binary).")
    var staticFolder: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("audit-retention-days"), help: "Days the venue audit (every request to Hyperliquid) is kept; older rows are pruned hourly.")
    var auditRetentionDays = 30

    @Option(name: .customLong("log-format"), help: "text (for people) or json (one object a line, for machines).")
    var logFormat = "text"

    @Option(name: .customLong("log-file"), help: "Write the log to this file instead of standard error, rotated by size.")
    var logFile: String?

    @Option(name: .customLong("log-max-bytes"), help: "Rotate the log file once it would pass this many bytes.")
    var logMaxBytes = 10 * 1024 * 1024

    @Option(name: .customLong("log-keep"), help: "Rotated log files kept beside the current one (FILE.1 is the newest).")
    var logKeep = 5

    @Flag(name: .customLong("access-log"), inversion: .prefixedNo, help: "Log every HTTP request: method, route, status, duration, client.")
    var accessLog = true

    @Flag(name: .customLong("metrics"), inversion: .prefixedNo, help: "Serve Prometheus metrics at /metrics.")
    var metrics = true

    @Flag(name: .customLong("metrics-token-required"), help: "Ask for an admin token (Authorization: Bearer) at /metrics.")
    var metricsTokenRequired = false

    @Option(name: .customLong("record-market"), help: "Record the market as the arena sees it (mids as bars, volume, funding, open interest, best bid and ask) to this new CSV file, replayable with --market replay:FILE.")
    var recordMarket: String?

    @Option(name: .customLong("record-interval-seconds"), help: "The bar length of --record-market, in seconds of market time (1 to 86400).")
    var recordIntervalSeconds = 60
    @Option(name: .customLong("seasons-dir"), help: "The folder of past seasons (each a subfolder written by arena season run), served at /api/seasons.")
    var seasonsDir = "seasons"

    @Option(name: .customLong("events-retention-days"), help: "Days of market time the feed's messages (events) are kept, and days alert deliveries are kept; older ones are pruned every minute.")
    var eventsRetentionDays = 7

    @Option(name: .customLong("traders-coins"), help: "Coins whose recent trades name the Hyperliquid traders to track, separated by commas.")
    var tradersCoins = "BTC,ETH,SOL"

    @Option(name: .customLong("traders-discover-seconds"), help: "Seconds between two looks at those coins' recent trades for new traders.")
    var tradersDiscoverSeconds = 900

    @Option(name: .customLong("traders-track-seconds"), help: "Seconds between two looks at each tracked trader's positions (the cadence asked for).")
    var tradersTrackSeconds = 60

    func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json.") }
        guard (1_024...(1 << 40)).contains(logMaxBytes) else { throw ValidationError("--log-max-bytes must be 1024 to 2^40.") }
        guard (0...1_000).contains(logKeep) else { throw ValidationError("--log-keep must be 0 to 1000.") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535.") }
        guard (1...86_400).contains(snapshotInterval) else { throw ValidationError("--snapshot-interval must be 1 to 86400 seconds.") }
        guard (1...1_000).contains(feedBatchMilliseconds) else { throw ValidationError("--feed-batch-ms must be 1 to 1000.") }
        guard (1...36_500).contains(auditRetentionDays) else { throw ValidationError("--audit-retention-days must be 1 to 36500.") }
        guard (1...36_500).contains(eventsRetentionDays) else { throw ValidationError("--events-retention-days must be 1 to 36500.") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.") }
        _ = try pacing()
        _ = try traderTrackingConfiguration()
    }

    func pacing() throws -> Pacing {
        if speed == "max" { return .asFastAsPossible }
        guard let value = Double(speed), value.isFinite, value > 0, value <= 1_000_000 else {
            throw ValidationError("--speed must be a positive number or max.")
        }
        return .realTime(speed: value)
    }

    func marketSource(now: Timestamp, symbols: [Symbol], logger: Logger) async throws -> (any MarketSource, HyperliquidMarketFeed?) {
        if market == "hyperliquid" || market.hasPrefix("hyperliquid:") {
            let target = market.dropFirst("hyperliquid".count).drop(while: { $0 == ":" })
            let endpoint = target == "testnet" ? HyperliquidEndpoint.testnet
                : target.isEmpty || target == "mainnet" ? HyperliquidEndpoint.mainnet
                : try HyperliquidEndpoint(network: .mainnet, baseURL: String(target))
            let choice = try await LiveMarketSelection.hyperliquidOrSimulation(endpoint: endpoint, symbols: symbols, seed: seed, start: now,
                                                                               logger: logger)
            if let reason = choice.fallbackReason {
                logger.warning("Hyperliquid is unreachable; running the simulation instead", metadata: ["reason": "\(reason)"])
            }
            return (choice.source, choice.feed)
        }
        return (try marketSource(now: now), nil)
    }

    func marketSource(now: Timestamp) throws -> any MarketSource {
        if market == "sim" { return try SimulatedMarket(seed: seed, start: now) }
        if market.hasPrefix("replay:") {
            let path = String(market.dropFirst("replay:".count))
            guard !path.isEmpty else { throw ValidationError("--market replay: needs a CSV path, as replay:data/prices.csv.") }
            return try CSVReplayMarket(path: path)
        }
        throw ValidationError("--market must be hyperliquid, hyperliquid:testnet, hyperliquid:URL, sim or replay:PATH.csv (got \(market)).")
    }

    /// The admin tokens: the one of `ARENA_ADMIN_TOKEN` or `ARENA_ADMIN_TOKEN_FILE`, named
    /// `admin`, and those of the named-token file `ARENA_ADMIN_TOKENS_FILE`.
    static func adminCredentials(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AdminCredentials {
        var credentials = try adminToken(environment: environment).map { AdminCredentials(token: $0) } ?? AdminCredentials()
        guard let path = environment["ARENA_ADMIN_TOKENS_FILE"] else { return credentials }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw ValidationError("ARENA_ADMIN_TOKENS_FILE names \(path), which cannot be read (or is over 1 MiB).")
        }
        do {
            try credentials.merge(try AdminCredentials(tokensFile: String(decoding: data, as: UTF8.self)))
        } catch {
            throw ValidationError("ARENA_ADMIN_TOKENS_FILE (\(path)): \(error)")
        }
        guard !credentials.isEmpty else { throw ValidationError("ARENA_ADMIN_TOKENS_FILE (\(path)) names no token.") }
        return credentials
    }

    /// The admin token from `ARENA_ADMIN_TOKEN`, or from the file `ARENA_ADMIN_TOKEN_FILE` names.
    static func adminToken(environment: [String: String]) throws -> AdminToken? {
        if let text = environment["ARENA_ADMIN_TOKEN"] {
            guard let token = AdminToken(text) else { throw ValidationError("ARENA_ADMIN_TOKEN is empty.") }
            return token
        }
        guard let path = environment["ARENA_ADMIN_TOKEN_FILE"] else { return nil }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096,
              let token = AdminToken(String(decoding: data, as: UTF8.self)) else {
            throw ValidationError("ARENA_ADMIN_TOKEN_FILE names \(path), which cannot be read or holds no token.")
        }
        return token
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let sink = try logFile.map { path in
            do {
                return try LogSink.file(path: path, maximumBytes: logMaxBytes, keep: logKeep)
            } catch {
                throw ValidationError("--log-file: \(error)")
            }
        } ?? LogSink.standardError()
        let format = LogFormat(rawValue: logFormat) ?? .text
        LoggingSystem.bootstrap { label in ArenaLogHandler(label: label, level: level, format: format, sink: sink) }
        let logger = Logger(label: "arena")
        let clock = SystemClock()
        let now = clock.now()

        let database = try ArenaDatabase(path: db)
        let migrator = try Migrator(folder: try migrationsFolder(migrations))
        for migration in try migrator.migrate(database, now: now.milliseconds) {
            logger.info("migration applied", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
        let roster = try config.map(Roster.load(path:)) ?? Roster.demo
        let marketSymbols = Array(Set(roster.accounts.flatMap(\.symbols) + ["BTC", "ETH", "SOL"].compactMap(Symbol.init))).sorted()
        let (source, feed) = try await marketSource(now: now, symbols: marketSymbols, logger: logger)
        let ledger = LedgerStore(database: database)
        // A wrong master key stops start-up here, before any secret is used.
        let vault = try KeyVault.startUp(store: ledger, environment: ProcessInfo.processInfo.environment, now: now)
        if let vault {
            logger.info("secrets vault open", metadata: ["key.fingerprint": "\(vault.keyFingerprint)"])
        } else {
            logger.notice("no master key: accounts cannot be given secrets (run arena keys init, then set ARENA_MASTER_KEY_FILE)")
        }
        let exporter = metrics ? MetricsExporter() : nil
        let marketRecorder = try recordMarket.map { path in
            do {
                return try MarketRecorder(path: path, intervalSeconds: recordIntervalSeconds)
            } catch {
                throw ValidationError("--record-market: \(error)")
            }
        }
        let traderConfiguration = try traderTrackingConfiguration()
        let traderBook = TraderBook(ledger: ledger, status: traderConfiguration.status(
            enabled: false, reason: trackingOffReason(marketIsLive: feed != nil) ?? "starting"), clock: clock)
        let runtime = try ArenaRuntime(
            ledger: ledger, source: source,
            configuration: ArenaConfiguration(pacing: try pacing(), snapshotIntervalMilliseconds: Int64(snapshotInterval) * 1000, seed: seed,
                                              feedBatchIntervalMilliseconds: feedBatchMilliseconds)
                .reporting(to: exporter?.metrics ?? .disabled),
            vault: vault, logger: logger, drivers: DriverEnvironment.standard(logger: logger, traderPositions: traderBook), clock: clock,
            marketRecorder: marketRecorder)
        try runtime.apply(roster)
        let traderTracker = try traderTracker(book: traderBook, runtime: runtime, configuration: traderConfiguration,
                                              marketIsLive: feed != nil, clock: clock, logger: logger)

        guard let staticPath = staticFolder ?? ResourceLocator.folder("static") else {
            throw ValidationError("The static folder was not found; run arena from the repository folder or pass --static PATH.")
        }
        let adminCredentials = try Self.adminCredentials()
        if adminCredentials.isEmpty {
            logger.notice("no admin token: the admin API is off (set ARENA_ADMIN_TOKEN, ARENA_ADMIN_TOKEN_FILE or ARENA_ADMIN_TOKENS_FILE to turn it on)")
        } else {
            // Names and roles only: a token or its hash never reaches the log.
            logger.info("admin tokens", metadata: ["identities": "\(adminCredentials.identities.map(\.description).joined(separator: ", "))"])
        }
        let alerts = try AlertService(ledger: ledger, bus: runtime.bus, http: try HTTPClient(), policy: AlertPolicy().applying(roster.alerts),
                                      metrics: exporter?.metrics ?? .disabled, clock: clock, vault: vault, logger: logger)
        try alerts.addWebhooks(from: roster.alerts, environment: ProcessInfo.processInfo.environment)
        var serverConfiguration = ServerConfiguration(host: host, port: port, staticFolder: staticPath, adminCredentials: adminCredentials)
        serverConfiguration.seasonsFolder = seasonsDir
        serverConfiguration.operations = ServerOperations(metrics: exporter, metricsTokenRequired: metricsTokenRequired, accessLog: accessLog,
                                                          alerts: alerts)
        serverConfiguration.traders = traderBook
        let retention = VenueAuditRetention(ledger: ledger, retentionDays: auditRetentionDays, clock: clock, logger: logger)
        let upkeep = LedgerUpkeep(ledger: ledger, eventsRetentionDays: eventsRetentionDays, logger: logger)
        let app = buildApplication(
            arena: runtime,
            configuration: serverConfiguration,
            logger: logger,
            onServerRunning: { boundPort in
                // A line tests and scripts can wait for; with --port 0 it tells the port chosen.
                FileHandle.standardOutput.write(Data("arena listening on http://\(host):\(boundPort)\n".utf8))
            })
        // Services stop in reverse order: the arena first (finishing decisions in flight and
        // ending feed streams), then the HTTP server.
        let group = ServiceGroup(configuration: .init(
            services: (feed.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? [])
                + [.init(service: alerts), .init(service: retention), .init(service: upkeep), .init(service: app), .init(service: runtime)]
                + (traderTracker.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? []),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        if let marketRecorder {
            // The bar still open when the arena stopped.
            try marketRecorder.finish()
            logger.info("market recording closed", metadata: ["file": "\(marketRecorder.path)", "intervals": "\(marketRecorder.intervalsWritten)"])
        }
        try database.close()
        logger.info("database closed")
    }
}
