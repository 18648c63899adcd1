import Arena
import ArenaCore
import Drivers
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Market
import Server
import ServiceLifecycle

/// The arena and its HTTP application in this process, over a fresh ledger: requests go straight
/// to the router (`app.test(.router)`), with no socket, while the runtime trades on a simulation.
struct InProcessArena {
    /// A client of the router that speaks the API's JSON.
    struct Client: Sendable {
        let client: any TestClientProtocol

        /// Sends a request and returns the status and the decoded JSON object (empty if none).
        func send(_ methodName: String, _ path: String, body: String? = nil, token: String? = nil) async throws -> (Int, [String: Any]) {
            guard let method = HTTPRequest.Method(methodName) else { throw ArenaProcessError(description: "no HTTP method \(methodName)") }
            var headers: HTTPFields = [:]
            if body != nil { headers[.contentType] = "application/json" }
            if let token { headers[.authorization] = "Bearer \(token)" }
            let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return (Int(response.status.code), object)
        }

        /// GETs `path` and returns the status and the decoded JSON object.
        func getJSON(_ path: String) async throws -> (Int, [String: Any]) {
            try await send("GET", path)
        }
    }

    /// Runs `body` against an arena with the demo roster, on a simulation at `speed` times real time.
    /// - Parameters:
    ///   - adminToken: The admin API's token; nil turns the admin API off, as `arena serve` does without one.
    ///   - environment: Variables the live venue reads (`ARENA_HYPERLIQUID_TESTNET_URL`).
    ///   - models: Whether model accounts can run (with the repository's prompts), as under `arena serve`.
    ///   - traderPositions: The trader tracker copy accounts read (nil: none runs, and copy accounts are skipped).
    static func run<Value: Sendable>(adminToken: String? = nil, speed: Double = 4, environment: [String: String] = [:], models: Bool = false,
                                     traderPositions: (any TraderPositionSource)? = nil,
                                     _ body: @escaping @Sendable (Client) async throws -> Value) async throws -> Value {
        let test = try TestLedger()
        let logger = Logger(label: "in-process-arena")
        let start = Timestamp(milliseconds: 1_700_000_000_000)
        let runtime = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 42, start: start),
                                       configuration: ArenaConfiguration(pacing: .realTime(speed: speed)), logger: logger,
                                       drivers: models ? DriverEnvironment.standard(logger: logger)
                                           : DriverEnvironment(llm: nil, localModel: nil, variables: [:], traderPositions: traderPositions),
                                       liveVenue: try LiveVenue(environment: environment))
        try runtime.apply(Roster.demo, environment: [:])
        let app = buildApplication(arena: runtime, configuration: ServerConfiguration(
            port: 0, staticFolder: packageFile("static").path, adminToken: adminToken.flatMap(AdminToken.init)), logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: runtime)], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            defer { tasks.cancelAll() }
            let value = try await app.test(.router) { client in try await body(Client(client: client)) }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
            _ = test
            return value
        }
    }
}
