import ArenaTestSupport
import Foundation
import HTTP
import Hyperliquid
import Testing

struct FakeExchangeError: Error, CustomStringConvertible {
    let description: String
}

/// The Python fake venue (`Tests/Fixtures/hyperliquid/fake_exchange.py`) as a subprocess on a free
/// 127.0.0.1 port. It verifies every signature with the official SDK, so it needs `.venv/` as
/// `make venv-hyperliquid` makes it. It exits when its standard input closes.
final class FakeExchange: Sendable {
    private let child: ChildProcess
    let port: Int
    let http: HTTPClient

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the fake and waits (suspending) until it listens.
    static func start(network: HyperliquidNetwork = .testnet) async throws -> FakeExchange {
        let python = packageFile(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw FakeExchangeError(description: "\(python.path) is missing: run `make venv-hyperliquid` (it installs hyperliquid-python-sdk 0.24.0 into .venv/)")
        }
        let child = try ChildProcess(executable: python,
                                     arguments: [packageFile("Tests/Fixtures/hyperliquid/fake_exchange.py").path,
                                                 "--port", "0", "--network", network.rawValue],
                                     errorOutput: .inherited)
        // The first line is `listening PORT`. Python needs a second or two to import the SDK.
        let line = await child.waitForLine(timeout: .seconds(120)) ?? child.output
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst("listening ".count)) else {
            throw FakeExchangeError(description: "the fake exchange did not start (said: \(line)); is hyperliquid-python-sdk installed in .venv/?")
        }
        return FakeExchange(child: child, port: port, http: try HTTPClient())
    }

    private init(child: ChildProcess, port: Int, http: HTTPClient) {
        self.child = child
        self.port = port
        self.http = http
    }

    deinit {
        // The child ends with its value (standard input closed, then killed if it hangs).
        http.shutdown()
    }

    /// The endpoint of the fake, signed for `network`.
    func endpoint(_ network: HyperliquidNetwork = .testnet) throws -> HyperliquidEndpoint {
        try HyperliquidEndpoint(network: network, baseURL: baseURL)
    }

    /// Sends a control command and returns the fake's state.
    @discardableResult
    func control(_ command: [String: Any] = [:]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: command)
        let response = try await http.execute(HTTPRequest(method: .post, url: baseURL + "/control",
                                                          headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(body)))
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw FakeExchangeError(description: "control answered \(response.status)")
        }
        return object
    }

    /// Adds a venue account with a USDC balance.
    func addUser(_ address: EthereumAddress, balance: String = "10000") async throws {
        try await control(["add_user": ["address": address.lowercaseHex, "balance": balance]])
    }

    /// Approves `agent` to sign for `user`.
    func addAgent(_ agent: EthereumAddress, for user: EthereumAddress) async throws {
        try await control(["add_agent": ["agent": agent.lowercaseHex, "user": user.lowercaseHex]])
    }

    /// Sets mids (and fills resting orders and triggers that they reach).
    func setMids(_ mids: [String: String]) async throws {
        try await control(["set_mids": mids])
    }

    /// Makes the next `count` requests to `endpoint` fail in `mode`: `err`, `http500`, `rate_limit`,
    /// `drop`, `timeout_before` or `timeout_after` (the action is applied, the answer never comes).
    func fail(_ mode: String, endpoint: String = "exchange", count: Int = 1, seconds: Double = 2, text: String? = nil) async throws {
        var spec: [String: Any] = ["mode": mode, "endpoint": endpoint, "count": count, "seconds": seconds]
        if let text { spec["text"] = text }
        try await control(["fail": spec])
    }

    /// The orders the fake holds for `user`, each with `status` and the venue's fields.
    func orders(of user: EthereumAddress) async throws -> [[String: Any]] {
        let all = try await control()["orders"] as? [[String: Any]] ?? []
        return all.filter { $0["user"] as? String == user.lowercaseHex }
    }

    /// The types of the actions the fake applied for `user`, in order.
    func actions(of user: EthereumAddress) async throws -> [String] {
        (try await control()["actions"] as? [String: [String]])?[user.lowercaseHex] ?? []
    }

    /// How many signatures by `signer` the fake verified.
    func signaturesVerified(by signer: EthereumAddress) async throws -> Int {
        (try await control()["verified"] as? [String: Int])?[signer.lowercaseHex] ?? 0
    }

    /// Injected failures not consumed yet.
    func pendingFailures() async throws -> Int {
        try await control()["pending_failures"] as? Int ?? -1
    }
}

/// One fake venue shared by the tests of a serialized suite: Python needs a second or two of CPU
/// to import the SDK, so starting one per test would crowd the machine. Tests keep apart by using
/// their own keys (accounts); failures are injected only while one test runs.
final class SharedFakeExchange: Sendable {
    private let starting: Task<FakeExchange, any Error>

    init(network: HyperliquidNetwork = .testnet) {
        starting = Task { try await FakeExchange.start(network: network) }
    }

    /// The running fake, started on first use.
    var fake: FakeExchange {
        get async throws { try await starting.value }
    }
}

/// A fixed test key; its address is derived, never hard-coded.
func testSigner(_ byte: UInt8) throws -> Signer {
    try Signer(privateKey: [UInt8](repeating: byte, count: 32))
}
