import ArenaCore
import Custody
import Foundation
import HTTP
import Hyperliquid
import Logging
import Storage

/// One check of a switch to live, as the audit and the API show it.
public struct PreflightCheck: Codable, Sendable, Hashable {
    public var name: String
    public var passed: Bool
    public var detail: String
}

/// Every check of a switch to live; it passes only if all do.
public struct PreflightReport: Codable, Sendable, Hashable {
    public var checks: [PreflightCheck]
    public var passed: Bool { !checks.isEmpty && checks.allSatisfy(\.passed) }
    /// The first failed check's detail.
    public var reason: String? { checks.first { !$0.passed }.map { "\($0.name): \($0.detail)" } }
}

/// Where live accounts trade: Hyperliquid's mainnet or testnet, reached over one HTTP client and
/// one shared rate limit. The base URLs can be pointed elsewhere (tests use a local fake venue)
/// with `ARENA_HYPERLIQUID_MAINNET_URL` and `ARENA_HYPERLIQUID_TESTNET_URL`.
public final class LiveVenue: Sendable {
    let http: HTTPClient
    let limiter = RequestWeightLimiter()
    private let endpoints: [Network: HyperliquidEndpoint]
    /// The venue's time is wall-clock time.
    private let clock: any WallClock

    /// - Throws: when a base URL override is not a usable URL.
    public init(environment: [String: String], clock: any WallClock = SystemClock()) throws {
        http = try HTTPClient()
        self.clock = clock
        var endpoints: [Network: HyperliquidEndpoint] = [.mainnet: .mainnet, .testnet: .testnet]
        for (network, variable) in [(Network.mainnet, "ARENA_HYPERLIQUID_MAINNET_URL"), (.testnet, "ARENA_HYPERLIQUID_TESTNET_URL")] {
            if let base = environment[variable], !base.isEmpty {
                endpoints[network] = try HyperliquidEndpoint(network: network == .mainnet ? .mainnet : .testnet, baseURL: base)
            }
        }
        self.endpoints = endpoints
    }

    func endpoint(_ network: Network) -> HyperliquidEndpoint {
        endpoints[network] ?? (network == .mainnet ? .mainnet : .testnet)
    }

    /// Checks that the account can trade live on `network` — its keys decrypt, the agent wallet is
    /// approved for the master address, the venue answers, the master account's value covers the
    /// account's capital, its symbols are listed — and returns the report with a ready executor
    /// when every check passed. Every request the check and the executor send is reported to
    /// `audit`.
    func preflight(record: AccountRecord, network: Network, vault: KeyVault?, logger: Logger,
                   audit: (any VenueRequestObserver)? = nil) async -> (PreflightReport, HyperliquidExecutor?) {
        var checks: [PreflightCheck] = []
        func check(_ name: String, _ passed: Bool, _ detail: String) -> Bool {
            checks.append(PreflightCheck(name: name, passed: passed, detail: detail))
            return passed
        }
        let endpoint = endpoint(network)
        let info = HyperliquidInfoClient(http: http, endpoint: endpoint, limiter: limiter, observer: audit)
        let universe: HyperliquidUniverse
        do {
            universe = HyperliquidUniverse(meta: try await info.meta())
            _ = check("venue", true, "\(network.rawValue) answered")
        } catch {
            _ = check("venue", false, "\(network.rawValue) did not answer: \(error)")
            return (PreflightReport(checks: checks), nil)
        }
        let missing = record.symbols.filter { universe.asset(for: $0) == nil }
        _ = check("symbols", missing.isEmpty,
                  missing.isEmpty ? "all listed" : "not listed on \(network.rawValue): \(missing.map(\.name).joined(separator: ", "))")
        guard let vault else {
            _ = check("keys", false, "the server has no master key, so the account has no stored keys")
            return (PreflightReport(checks: checks), nil)
        }
        let signer: Signer
        let master: EthereumAddress
        do {
            guard let agent = try vault.agentSigner(for: record.id) else {
                _ = check("keys", false, "no hyperliquid_agent_key is set")
                return (PreflightReport(checks: checks), nil)
            }
            guard let text = try vault.secret(named: .hyperliquidMasterAddress, for: record.id)?.revealString(),
                  let address = EthereumAddress(hex: text.trimmingCharacters(in: .whitespaces)) else {
                _ = check("keys", false, "no usable hyperliquid_master_address is set")
                return (PreflightReport(checks: checks), nil)
            }
            signer = agent
            master = address
            _ = check("keys", true, "agent \(agent.address.checksummed) for \(address.checksummed)")
        } catch {
            _ = check("keys", false, "\(error)")
            return (PreflightReport(checks: checks), nil)
        }
        do {
            let role = try await info.userRole(user: signer.address)
            let approved = role.role == "agent" && role.data?.user?.lowercased() == master.lowercaseHex.lowercased()
            _ = check("agent_approved", approved, approved ? "approved" : "the agent wallet is not approved for the master address (role \(role.role))")
            let state = try await info.clearinghouseState(user: master)
            let value = FixedDecimal(state.marginSummary.accountValue) ?? .zero
            _ = check("balance", value >= record.initialCapital,
                      "account value \(value) USDC against the account's capital \(record.initialCapital)")
        } catch {
            _ = check("venue", false, "\(error)")
        }
        let report = PreflightReport(checks: checks)
        guard report.passed else { return (report, nil) }
        let exchange = HyperliquidExchangeClient(http: http, endpoint: endpoint, signer: signer, accountAddress: master,
                                                 nonces: NonceSource(), limiter: limiter, observer: audit)
        let executor = HyperliquidExecutor(exchange: exchange, universe: universe, accountID: record.id,
                                           fillsAfter: clock.now(), clock: clock, logger: logger)
        return (report, executor)
    }
}
