import Arena
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
    /// The token of the admin API; nil turns every mutating endpoint off.
    public var adminToken: AdminToken?

    public init(host: String = "127.0.0.1", port: Int = 8080, staticFolder: String = "static", feedQueueLimit: Int = 4096,
                adminToken: AdminToken? = nil) {
        self.host = host
        self.port = port
        self.staticFolder = staticFolder
        self.feedQueueLimit = feedQueueLimit
        self.adminToken = adminToken
    }
}

/// Builds the HTTP and WebSocket application over a running arena: the same function serves
/// `arena serve` and the tests.
public func buildApplication(runtime: ArenaRuntime, configuration: ServerConfiguration, logger: Logger,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    -> some ApplicationProtocol {
    let router = Router(context: ArenaRequestContext.self)
    router.middlewares.add(FileMiddleware(configuration.staticFolder, searchForIndexHtml: true, logger: logger))
    APIController(runtime: runtime).addRoutes(to: router)
    HistoryController(runtime: runtime).addRoutes(to: router)
    AdminController(runtime: runtime, token: configuration.adminToken).addRoutes(to: router)
    StrategyController(runtime: runtime).addRoutes(to: router)
    ModelsController(runtime: runtime).addRoutes(to: router)
    FeedController(runtime: runtime, queueLimit: configuration.feedQueueLimit).addRoutes(to: router)
    return Application(
        router: router,
        server: .http1WebSocketUpgrade(webSocketRouter: router),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "arena"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
