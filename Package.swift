// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The executables allocate with tcmalloc (Debian's libtcmalloc-minimal4, which `make` installs)
/// instead of glibc's malloc: the arena makes millions of small allocations per minute from
/// several threads, and with tcmalloc a season reruns about 7% faster and in less memory (see
/// docs/PERFORMANCE.md). Named by its file, as the package has no unversioned `.so` link.
let allocatorSettings: [LinkerSetting] = [
    .linkedLibrary(":libtcmalloc_minimal.so.4", .when(platforms: [.linux])),
]

let package = Package(
    name: "Arena",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "arena", targets: ["arena"]),
        .executable(name: "arena-bench", targets: ["arena-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // Already in the graph through hummingbird-websocket; named for gzip of cached API bodies.
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Already in the graph through Hummingbird; named for the feed's writes on the event loops.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Already in the graph through Hummingbird; named for the arena's own metrics (CoreMetrics only).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // The Prometheus text format of `/metrics` (Server only).
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System libraries (Debian's -dev packages; `make` installs them).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CEpoll", path: "bench/CEpoll"),

        // Domain types and pure rules; depends on nothing.
        .target(name: "ArenaCore", swiftSettings: swiftSettings),
        // The JSON value (key order and number text kept), its strict parser, and a text encoder with
        // JSONEncoder's exact bytes; depends on nothing.
        .target(name: "JSONCore", swiftSettings: swiftSettings),
        // The simulated venue.
        .target(name: "PaperExchange", dependencies: ["ArenaCore"], swiftSettings: swiftSettings),
        // All outbound HTTP: libcurl's multi interface behind async/await.
        .target(name: "HTTP", dependencies: ["CCurl"], swiftSettings: swiftSettings),
        // Hyperliquid: hashing, msgpack, EIP-712 signing, wire types, clients.
        .target(
            name: "Hyperliquid",
            dependencies: [
                "ArenaCore", "JSONCore", "HTTP", "CSecp256k1",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Market sources: seeded simulation, CSV replay; candles and indicators.
        .target(
            name: "Market",
            dependencies: ["ArenaCore", "HTTP", "Hyperliquid", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The Driver protocol and its kinds; drivers see the shared indicators of Market.
        .target(name: "Drivers", dependencies: ["ArenaCore", "Market", "JSONCore"], swiftSettings: swiftSettings),
        // Model drivers: providers over HTTP, prompts from prompts/, structured output, parsing, cost.
        .target(
            name: "LLM",
            dependencies: ["ArenaCore", "JSONCore", "HTTP", "Market", "Drivers"],
            swiftSettings: swiftSettings
        ),
        // SQLite through GRDB: migrations and repositories.
        .target(
            name: "Storage",
            dependencies: [
                "ArenaCore", "CCrypto", "CSQLite", "JSONCore", .product(name: "GRDB", package: "GRDB.swift"),
                // zstd, for prompts stored compressed.
                "CZstd",
                // The SQLite C API, for the ledger's bulk writes (GRDB's own C module, no second copy).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                // zlib, for prompts stored deflated before zstd (already in the graph through Server).
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Key custody: secrets sealed with AES-256-GCM under a master key, key files, rotation.
        .target(
            name: "Custody",
            dependencies: ["ArenaCore", "CCrypto", "Storage", "Hyperliquid"],
            swiftSettings: swiftSettings
        ),
        // The runtime: scheduler, account runners, executors, snapshots, leaderboard, event bus.
        .target(
            name: "Arena",
            dependencies: [
                "ArenaCore", "JSONCore", "PaperExchange", "Market", "Drivers", "LLM", "Storage", "Custody", "Hyperliquid", "HTTP",
                .product(name: "Logging", package: "swift-log"),
                // The season report's PNG is deflated with zlib.
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP API, WebSocket feed, static files.
        .target(
            name: "Server",
            dependencies: [
                "Arena", "Custody",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "arena",
            dependencies: [
                "Server", "Arena", "Storage", "Market", "Hyperliquid", "Custody", "HTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: allocatorSettings
        ),
        .executableTarget(
            name: "arena-bench",
            dependencies: [
                "ArenaCore", "PaperExchange", "Storage", "Arena", "Market", "Drivers", "LLM", "Server", "Hyperliquid", "HTTP", "CEpoll",
                "ArenaTestSupport", "ArenaTestSupportCore", "ArenaTestSupportLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // zlib, the prompt-compression benchmark's comparison.
                .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "bench",
            exclude: ["README.md", "CEpoll"],
            swiftSettings: swiftSettings,
            linkerSettings: allocatorSettings
        ),

        // Test support, shared by the test targets and `arena-bench`: regular targets, so the benchmark can link them.
        // Split by dependency, so that a test target builds only the modules it already needs:
        // root, temporary folders, child processes and loopback sockets (Foundation only),
        .target(name: "ArenaTestSupport", path: "Tests/ArenaTestSupport", swiftSettings: swiftSettings),
        // order books and market snapshots (ArenaCore),
        .target(name: "ArenaTestSupportCore", dependencies: ["ArenaCore"], path: "Tests/ArenaTestSupportCore", swiftSettings: swiftSettings),
        // the migrated test ledger (Storage),
        .target(
            name: "ArenaTestSupportLedger",
            dependencies: ["ArenaTestSupport", "ArenaCore", "Storage"],
            path: "Tests/ArenaTestSupportLedger",
            swiftSettings: swiftSettings
        ),
        // scripted drivers and a warmed-up simulated market (Drivers, Market).
        .target(
            name: "ArenaTestSupportDrivers",
            dependencies: ["ArenaCore", "Drivers", "Market"],
            path: "Tests/ArenaTestSupportDrivers",
            swiftSettings: swiftSettings
        ),
        // hand-made season runs with known numbers (Arena).
        .target(
            name: "ArenaTestSupportSeason",
            dependencies: ["ArenaCore", "Arena"],
            path: "Tests/ArenaTestSupportSeason",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "ArenaCoreTests", dependencies: ["ArenaCore"], swiftSettings: swiftSettings),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PaperExchangeTests",
            dependencies: ["PaperExchange", "ArenaTestSupport", "ArenaTestSupportCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "ArenaTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HyperliquidTests",
            dependencies: [
                "Hyperliquid", "JSONCore", "HTTP", "ArenaTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MarketTests",
            dependencies: [
                "Market", "Hyperliquid", "HTTP", "ArenaTestSupport", "ArenaTestSupportCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DriversTests",
            dependencies: [
                "Drivers", "ArenaCore", "Arena", "PaperExchange", "Storage", "ArenaTestSupportCore", "ArenaTestSupportLedger",
                // The copy driver's tests follow a scripted trader tracker.
                "ArenaTestSupportDrivers",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LLMTests",
            dependencies: [
                "LLM", "Arena", "ArenaCore", "Drivers", "HTTP", "JSONCore", "Market", "PaperExchange", "Storage",
                "ArenaTestSupport", "ArenaTestSupportCore", "ArenaTestSupportLedger", "ArenaTestSupportDrivers",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "ArenaTestSupport", "ArenaTestSupportLedger", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CustodyTests",
            dependencies: [
                "Custody", "Storage", "Hyperliquid", "ArenaTestSupport", "ArenaTestSupportLedger",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ArenaTests",
            dependencies: [
                "Arena", "Custody", "Market", "PaperExchange", "Drivers", "Storage", "Hyperliquid", "HTTP",
                "ArenaTestSupport", "ArenaTestSupportCore", "ArenaTestSupportLedger", "ArenaTestSupportDrivers", "ArenaTestSupportSeason",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                // The season report tests inflate the PNG's image data.
                .product(name: "CompressNIO", package: "compress-nio"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Arena", "ArenaCore", "Market", "ArenaTestSupport", "ArenaTestSupportLedger",
                // The season API tests write seasons from hand-made runs.
                "ArenaTestSupportSeason",
                // The alert tests deliver through the project's client and read the stored deliveries.
                "HTTP", "Storage",
                // The alert tests seal API webhooks under a master key.
                "Custody",
                // The copy account tests give the arena a scripted trader tracker.
                "Drivers", "ArenaTestSupportDrivers",
                // The API tests call the router in process (`app.test(.router)`).
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                // The storage-bounds tests read the ledger's columns as stored.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
