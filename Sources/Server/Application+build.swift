import Arena
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// Where and how the HTTP server listens.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The folder of the web page (`static/`).
    public var staticFolder: String
    /// Undelivered feed messages a WebSocket client may fall behind by before it is closed.
    public var feedQueueLimit: Int
    /// The admin API's tokens by name and role; none turns every admin endpoint off.
    public var adminCredentials: AdminCredentials
    /// `/metrics`, the access log and the alert webhooks.
    public var operations = ServerOperations()
    /// The tracked traders (`/api/traders`, the leaderboard's trader rows); none answers 404 there.
    public var traders: TraderBook?
    /// The folder of past seasons (`arena serve --seasons-dir`), each a subfolder written by `arena season run`.
    public var seasonsFolder = "seasons"

    /// Creates a configuration; `adminToken` alone is one admin token named `admin`.
    public init(host: String = "127.0.0.1", port: Int = 8080, staticFolder: String = "static", feedQueueLimit: Int = 4096,
                adminToken: AdminToken? = nil, adminCredentials: AdminCredentials? = nil) {
        self.host = host
        self.port = port
        self.staticFolder = staticFolder
        self.feedQueueLimit = feedQueueLimit
        self.adminCredentials = adminCredentials ?? adminToken.map { AdminCredentials(token: $0) } ?? AdminCredentials()
    }
}

/// The router of every route the server answers; `router.routes` lists them (method and path),
/// which the test of `static/openapi.json` compares with the document.
func buildRouter(arena: any ArenaInterface, configuration: ServerConfiguration, logger: Logger) -> Router<ArenaRequestContext> {
    let router = Router(context: ArenaRequestContext.self)
    router.middlewares.add(configuration.operations.observationMiddleware(logger: logger))
    router.middlewares.add(ErrorBodyMiddleware())
    router.middlewares.add(FileMiddleware(configuration.staticFolder, searchForIndexHtml: true, logger: logger))
    APIController(arena: arena, traders: configuration.traders).addRoutes(to: router)
    TradersController(book: configuration.traders, arena: arena, credentials: configuration.adminCredentials).addRoutes(to: router)
    HistoryController(arena: arena).addRoutes(to: router)
    AdminController(arena: arena, credentials: configuration.adminCredentials).addRoutes(to: router)
    AuditController(arena: arena, credentials: configuration.adminCredentials).addRoutes(to: router)
    RiskController(arena: arena, credentials: configuration.adminCredentials).addRoutes(to: router)
    PromptController(arena: arena, credentials: configuration.adminCredentials).addRoutes(to: router)
    StrategyController(arena: arena).addRoutes(to: router)
    let seasons = SeasonCatalog(folder: URL(fileURLWithPath: configuration.seasonsFolder, isDirectory: true))
    ModelsController(arena: arena, seasons: seasons).addRoutes(to: router)
    SeasonsController(catalog: seasons).addRoutes(to: router)
    MarketsController(arena: arena).addRoutes(to: router)
    FeedController(arena: arena, queueLimit: configuration.feedQueueLimit).addRoutes(to: router)
    configuration.operations.addRoutes(to: router, arena: arena, credentials: configuration.adminCredentials)
    DocsController(staticFolder: configuration.staticFolder).addRoutes(to: router)
    return router
}

/// Builds the HTTP and WebSocket application over an arena, seen only through its narrow
/// interface: the same function serves `arena serve` and the tests (in process with
/// `app.test(.router)`, or on a socket).
public func buildApplication(arena: any ArenaInterface, configuration: ServerConfiguration, logger: Logger,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    -> some ApplicationProtocol {
    let router = buildRouter(arena: arena, configuration: configuration, logger: logger)
    return Application(
        router: router,
        server: .http1WebSocketUpgrade(webSocketRouter: router),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "arena"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
