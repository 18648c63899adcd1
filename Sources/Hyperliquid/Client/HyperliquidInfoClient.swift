import ArenaCore
import Foundation
import HTTP

/// Reads from the venue's `/info` endpoint: market data and an account's state. Every request
/// pays its documented weight to the shared limiter first; reads are repeated after 429s, 5xx
/// answers and lost connections.
public final class HyperliquidInfoClient: Sendable {
    /// Where requests go.
    public let endpoint: HyperliquidEndpoint
    let transport: HyperliquidTransport

    /// Creates a client.
    /// - Parameters:
    ///   - http: The process's libcurl client.
    ///   - endpoint: The network and its URLs.
    ///   - limiter: The weight budget shared by every client of this IP address.
    ///   - configuration: Timeouts, limits and retries.
    ///   - observer: Told of every request and its answer, for an audit trail.
    public init(http: HTTPClient, endpoint: HyperliquidEndpoint, limiter: RequestWeightLimiter,
                configuration: HyperliquidTransportConfiguration = HyperliquidTransportConfiguration(),
                observer: (any VenueRequestObserver)? = nil) {
        self.endpoint = endpoint
        transport = HyperliquidTransport(http: http, limiter: limiter, configuration: configuration, observer: observer)
    }

    /// Sends `{"type": type, ...fields}` and decodes the answer as `Answer`.
    /// - Parameter items: counts the answer's entries for the weight some requests add per item.
    /// - Throws: `HyperliquidClientError` or `CancellationError`.
    func request<Answer: Decodable>(_ type: String, _ fields: [(key: String, value: WireValue)] = [], as answer: Answer.Type,
                                    items: (Answer) -> Int = { _ in 0 }) async throws -> Answer {
        let body = WireValue.map([("type", .string(type))] + fields)
        let bytes = try await transport.post(url: endpoint.infoURL, body: Array(body.jsonText().utf8), weight: RequestWeight.info(type),
                                             repetition: .whenIdempotent)
        let decoded: Answer
        do {
            decoded = try JSONDecoder().decode(Answer.self, from: Data(bytes))
        } catch {
            throw HyperliquidClientError.malformedResponse("the \(type) answer does not have the expected shape (\(Self.describe(error)))")
        }
        transport.limiter.charge(weight: RequestWeight.infoItems(type, items: items(decoded)))
        return decoded
    }

    /// Returns the perpetuals universe: names, size decimals, maximum leverage.
    public func meta() async throws -> PerpMeta {
        try await request("meta", as: PerpMeta.self)
    }

    /// Returns the universe and each asset's funding, open interest, mark and oracle prices.
    public func metaAndAssetContexts() async throws -> PerpMetaAndAssetContexts {
        try await request("metaAndAssetCtxs", as: PerpMetaAndAssetContexts.self)
    }

    /// Returns the mid of every coin, by the venue's coin name.
    public func allMids() async throws -> [String: String] {
        try await request("allMids", as: [String: String].self)
    }

    /// Returns the book of `coin` (the venue's name), at most 20 levels a side.
    public func l2Book(coin: String) async throws -> L2BookSnapshot {
        try await request("l2Book", [("coin", .string(coin))], as: L2BookSnapshot.self)
    }

    /// Returns the candles of `coin` at `interval` (`1m`, `5m`, `1h`, ...) between two times.
    public func candleSnapshot(coin: String, interval: String, startTime: Timestamp, endTime: Timestamp) async throws -> [CandleWire] {
        let requestFields: WireValue = .map([
            ("coin", .string(coin)), ("interval", .string(interval)),
            ("startTime", .integer(startTime.milliseconds)), ("endTime", .integer(endTime.milliseconds)),
        ])
        return try await request("candleSnapshot", [("req", requestFields)], as: [CandleWire].self, items: \.count)
    }

    /// Returns the perpetuals account of `user`: margin summary and positions.
    public func clearinghouseState(user: EthereumAddress) async throws -> ClearinghouseState {
        try await request("clearinghouseState", [("user", .string(user.lowercaseHex))], as: ClearinghouseState.self)
    }

    /// Returns what the venue knows `user` as: a user, an agent (with its master), a vault or missing.
    public func userRole(user: EthereumAddress) async throws -> UserRoleWire {
        try await request("userRole", [("user", .string(user.lowercaseHex))], as: UserRoleWire.self)
    }

    /// Returns the open orders of `user`.
    public func openOrders(user: EthereumAddress) async throws -> [OpenOrderWire] {
        try await request("openOrders", [("user", .string(user.lowercaseHex))], as: [OpenOrderWire].self)
    }

    /// Returns the open orders of `user` with all their terms (trigger, reduce only, time in force).
    public func frontendOpenOrders(user: EthereumAddress) async throws -> [FrontendOrderWire] {
        try await request("frontendOpenOrders", [("user", .string(user.lowercaseHex))], as: [FrontendOrderWire].self)
    }

    /// Returns the most recent fills of `user` (the venue returns at most 2000), newest first.
    public func userFills(user: EthereumAddress) async throws -> [UserFillWire] {
        try await request("userFills", [("user", .string(user.lowercaseHex))], as: [UserFillWire].self, items: \.count)
    }

    /// Returns the funding payments of `user` from `startTime`, up to `endTime` when given.
    public func userFunding(user: EthereumAddress, startTime: Timestamp, endTime: Timestamp? = nil) async throws -> [UserFundingWire] {
        var fields: [(key: String, value: WireValue)] = [("user", .string(user.lowercaseHex)), ("startTime", .integer(startTime.milliseconds))]
        if let endTime { fields.append(("endTime", .integer(endTime.milliseconds))) }
        return try await request("userFunding", fields, as: [UserFundingWire].self, items: \.count)
    }

    /// Returns what became of an order of `user`, by venue order id or client order id.
    public func orderStatus(user: EthereumAddress, order: OrderReference) async throws -> OrderStatusResponseWire {
        try await request("orderStatus", [("user", .string(user.lowercaseHex)), ("oid", order.wireValue)], as: OrderStatusResponseWire.self)
    }

    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return joined.isEmpty ? "the top level" : joined
        }
        switch decoding {
        case .keyNotFound(let key, let context): return "\(key.stringValue) missing at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at \(path(context))"
        case .dataCorrupted(let context): return "unreadable at \(path(context))"
        @unknown default: return "unreadable"
        }
    }
}
