import ArenaCore
import HTTP

/// Sends signed actions to the venue's `/exchange` endpoint for one account.
///
/// The signer is the account's key or an agent (API wallet) key approved by it; queries use the
/// account's (master) address, or the vault's when trading for one. Orders that carry a client
/// order id are placed at most once: after an answer that never came, the client asks
/// `orderStatus` by client order id before sending the identical signed request again (same nonce,
/// so the venue would refuse a second copy in any case).
public final class HyperliquidExchangeClient: Sendable {
    /// Where requests go and which chain they are signed for.
    public let endpoint: HyperliquidEndpoint
    /// The key that signs.
    public let signer: Signer
    /// The account acted for: the master address when the signer is an agent.
    public let accountAddress: EthereumAddress
    /// The vault or subaccount acted for, if any; it is then the address queried.
    public let vaultAddress: EthereumAddress?
    /// The read client used to resolve unclear outcomes.
    public let info: HyperliquidInfoClient
    let nonces: NonceSource
    let transport: HyperliquidTransport
    /// How often an order request whose outcome stayed unclear is sent again after the venue said
    /// it does not know the orders.
    let maximumResubmissions: Int

    /// Creates a client.
    /// - Parameters:
    ///   - http: The process's libcurl client.
    ///   - endpoint: The network and its URLs.
    ///   - signer: The account's key or an approved agent's.
    ///   - accountAddress: The master account; nil when the signer is the account itself.
    ///   - vaultAddress: The vault or subaccount to act for, if any.
    ///   - nonces: The signer's nonce source; share one per signer across clients.
    ///   - limiter: The weight budget shared by every client of this IP address.
    ///   - configuration: Timeouts and limits; retries apply only to what is safe to repeat.
    ///   - maximumResubmissions: How often to resend an order request the venue does not know.
    ///   - observer: Told of every request (its own and its info client's) and its answer, for an
    ///     audit trail.
    public init(http: HTTPClient, endpoint: HyperliquidEndpoint, signer: Signer, accountAddress: EthereumAddress? = nil,
                vaultAddress: EthereumAddress? = nil, nonces: NonceSource, limiter: RequestWeightLimiter,
                configuration: HyperliquidTransportConfiguration = HyperliquidTransportConfiguration(), maximumResubmissions: Int = 2,
                observer: (any VenueRequestObserver)? = nil) {
        self.endpoint = endpoint
        self.signer = signer
        self.accountAddress = accountAddress ?? signer.address
        self.vaultAddress = vaultAddress
        self.nonces = nonces
        transport = HyperliquidTransport(http: http, limiter: limiter, configuration: configuration, observer: observer,
                                         signerAddress: signer.address)
        info = HyperliquidInfoClient(http: http, endpoint: endpoint, limiter: limiter, configuration: configuration, observer: observer)
        self.maximumResubmissions = max(0, maximumResubmissions)
    }

    /// The address whose orders, fills and positions the actions change.
    public var queriedAddress: EthereumAddress { vaultAddress ?? accountAddress }

    // MARK: Raw

    /// Signs `action` with a fresh nonce and returns the request body.
    /// - Throws: `HyperliquidClientError.signing`.
    public func signedBody(_ action: ExchangeAction) throws(HyperliquidClientError) -> [UInt8] {
        let nonce = nonces.next()
        let signed: SignedL1Action
        do {
            signed = try signer.signL1Action(action, nonce: nonce, vaultAddress: vaultAddress, network: endpoint.network)
        } catch {
            throw .signing(error)
        }
        let body = ExchangeRequestBody(action: action.wireValue, nonce: nonce, signature: signed.signature, vaultAddress: vaultAddress)
        return Array(body.jsonText.utf8)
    }

    /// Posts a signed body once (repeated only when nothing was sent or on 429) and parses the answer.
    /// - Throws: `HyperliquidClientError` (an unclear outcome when the request may have arrived)
    ///   or `CancellationError`.
    public func post(body: [UInt8], batchLength: Int = 1) async throws -> ExchangeResponseWire {
        let answer = try await transport.post(url: endpoint.exchangeURL, body: body, weight: RequestWeight.exchange(batchLength: batchLength),
                                              repetition: .onlyWhenNothingWasSent)
        return try ExchangeResponseWire.parse(answer)
    }

    /// Signs and posts an action that is not an order, and returns its statuses.
    /// - Throws: `HyperliquidClientError.venueError` with the venue's words on `"status": "err"`.
    public func send(_ action: ExchangeAction, batchLength: Int = 1) async throws -> [ExchangeStatusWire] {
        switch try await post(body: try signedBody(action), batchLength: batchLength) {
        case .ok(_, let statuses): return statuses
        case .err(let text): throw HyperliquidClientError.venueError(text)
        }
    }

    // MARK: Orders

    /// Places orders and returns what became of each, in order.
    ///
    /// A whole-request refusal (`"status": "err"`, even with HTTP 200) rejects every order with the
    /// venue's words. When no answer came, orders with client order ids are looked up by them:
    /// found ones report what the venue did; if none is found the identical request is sent again.
    /// What cannot be established is `.unknown`: the caller must reconcile before trading.
    /// - Throws: `HyperliquidClientError` for failures that certainly placed nothing (signing,
    ///   rate limit, a malformed answer), or `CancellationError`.
    public func placeOrders(_ orders: [OrderWire], grouping: OrderGrouping = .none) async throws -> [OrderPlacement] {
        guard !orders.isEmpty else { return [] }
        let body = try signedBody(.order(orders: orders, grouping: grouping, builder: nil))
        var sends = 0
        var lastUnclear = ""
        while true {
            sends += 1
            do {
                switch try await post(body: body, batchLength: orders.count) {
                case .ok(_, let statuses):
                    guard statuses.count == orders.count else {
                        throw HyperliquidClientError.malformedResponse("\(statuses.count) statuses for \(orders.count) orders")
                    }
                    var placements: [OrderPlacement] = []
                    for status in statuses { placements.append(try HyperliquidConversion.placement(status)) }
                    return placements
                case .err(let text):
                    if sends == 1 { return orders.map { _ in .rejected(reason: text) } }
                    // A resend refused (for example for its repeated nonce) may follow a first copy
                    // that did arrive: only the venue's order status can tell.
                    lastUnclear = text
                }
            } catch let error as HyperliquidClientError where error.isUnclearOutcome {
                lastUnclear = error.description
            }
            let found = await lookUp(orders)
            if found.allSatisfy({ $0 != nil }) { return found.compactMap { $0 } }
            let anyFound = found.contains { $0 != nil }
            if anyFound || sends > maximumResubmissions || orders.contains(where: { $0.clientOrderID == nil }) {
                return found.map { $0 ?? .unknown(reason: lastUnclear) }
            }
        }
    }

    /// Looks each order up by client order id; nil where the venue does not know it or cannot be asked.
    func lookUp(_ orders: [OrderWire]) async -> [OrderPlacement?] {
        var results: [OrderPlacement?] = []
        for order in orders {
            guard let clientOrderID = order.clientOrderID,
                  let answer = try? await info.orderStatus(user: queriedAddress, order: .client(clientOrderID)),
                  answer.status == "order", let entry = answer.order,
                  let originalSize = FixedDecimal(entry.order.origSz), let openSize = FixedDecimal(entry.order.sz)
            else {
                results.append(nil)
                continue
            }
            let status = HyperliquidConversion.orderStatus(entry.status, isTrigger: entry.order.isTrigger == true)
            let reason = (status == .rejected || status == .canceled) && entry.status != "canceled" ? entry.status : nil
            results.append(.found(status: status, filledSize: max(.zero, originalSize - openSize), venueOrderID: entry.order.oid,
                                  reason: reason))
        }
        return results
    }

    /// Cancels orders by venue order id; one result per cancel: nil for success, else the venue's words.
    public func cancel(_ cancels: [VenueCancel]) async throws -> [String?] {
        try Self.cancelResults(try await send(.cancel(cancels), batchLength: cancels.count), count: cancels.count)
    }

    /// Cancels orders by client order id; one result per cancel: nil for success, else the venue's words.
    public func cancel(byClientOrderID cancels: [ClientCancel]) async throws -> [String?] {
        try Self.cancelResults(try await send(.cancelByClientOrderID(cancels), batchLength: cancels.count), count: cancels.count)
    }

    static func cancelResults(_ statuses: [ExchangeStatusWire], count: Int) throws(HyperliquidClientError) -> [String?] {
        guard statuses.count == count else { throw .malformedResponse("\(statuses.count) statuses for \(count) cancels") }
        return statuses.map { status in
            switch status {
            case .success: nil
            case .error(let text): text
            default: "unexpected cancel status"
            }
        }
    }

    /// Replaces an order's terms.
    /// - Throws: `HyperliquidClientError.venueError` with the venue's words when refused.
    public func modify(_ modification: OrderModification) async throws {
        let statuses = try await send(.modify(modification))
        if case .error(let text)? = statuses.first { throw HyperliquidClientError.venueError(text) }
    }

    /// Sets the leverage and margin mode of an asset.
    /// - Throws: `HyperliquidClientError.venueError` with the venue's words when refused.
    public func updateLeverage(asset: Int, isCross: Bool, leverage: Int) async throws {
        _ = try await send(.updateLeverage(asset: asset, isCross: isCross, leverage: leverage))
    }

    /// Arms (or with nil disarms) the dead man's switch: every open order is cancelled at `time`
    /// unless it is pushed back before.
    /// - Throws: `HyperliquidClientError.venueError` with the venue's words when refused.
    public func scheduleCancel(at time: Timestamp?) async throws {
        _ = try await send(.scheduleCancel(time: time))
    }
}
