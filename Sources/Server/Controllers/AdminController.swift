import Arena
import ArenaCore
import Custody
import Foundation
import Hummingbird
import Storage

/// The admin API: accounts, operators' orders, the kill switch. Every route here sits behind
/// `AdminAuthMiddleware` (who is it) and `AdminActionMiddleware` (may it, and the record of it),
/// except the account list, which is open.
struct AdminController: Sendable {
    let arena: any ArenaInterface
    let credentials: AdminCredentials

    func addRoutes(to router: Router<some AdminRequestContext>) {
        router.get("/api/accounts") { _, _ in try listAccounts() }
        let admin = router.group().add(middleware: AdminAuthMiddleware(credentials: credentials))
            .add(middleware: AdminActionMiddleware(arena: arena))
        admin.post("/api/accounts") { request, context in
            try await createAccount(request.decode(as: CreateAccount.self, context: context))
        }
        admin.patch("/api/accounts/{id}") { request, context in
            try await updateAccount(context.parameters.accountID(), request.decode(as: UpdateAccount.self, context: context),
                                    actor: context.adminIdentity?.name ?? "operator")
        }
        admin.delete("/api/accounts/{id}") { _, context in try await archiveAccount(context.parameters.accountID()) }
        admin.post("/api/accounts/{id}/orders") { request, context in
            try await placeOrder(context.parameters.accountID(), request.decode(as: PlaceOrder.self, context: context))
        }
        admin.delete("/api/accounts/{id}/orders/{order_id}") { _, context in
            try await cancelOrder(context.parameters.accountID(), context.parameters.get("order_id"))
        }
        admin.post("/api/accounts/{id}/close-all") { _, context in try await closeAll(context.parameters.accountID()) }
        admin.post("/api/accounts/{id}/mode") { request, context in
            try await switchMode(context.parameters.accountID(), request.decode(as: SwitchMode.self, context: context),
                                 actor: context.adminIdentity?.name ?? "operator")
        }
        admin.post("/api/kill-switch") { request, context in
            try await engageKillSwitch(request.decode(as: KillSwitchRequest.self, context: context),
                                       actor: context.adminIdentity?.name ?? "operator")
        }
        admin.delete("/api/kill-switch") { request, context in
            try await releaseKillSwitch(request.decodeIfPresent(as: ReleaseKillSwitch.self, context: context),
                                        actor: context.adminIdentity?.name ?? "operator")
        }
    }

    // MARK: Accounts

    struct AccountView: Encodable {
        let id: Int64
        let name: String
        let driver: DriverSettings?
        let symbols: [String]
        let initial_capital: String
        let mode: String
        let network: String
        let status: String
        let risk_limits: RiskLimits?
        let created_at: Int64
        /// Which secrets are set, with a wallet's address; never a secret itself.
        let secrets: [SecretView]
        /// The paper venue's realism: `venue` (faithful) or `noisy` (the seed-003 profile).
        let realism: String

        init(_ record: AccountRecord, secrets: [SecretSummary]) {
            self.secrets = secrets.map { SecretView(name: $0.name, set: true, address: $0.publicHint) }
            id = record.id.rawValue
            name = record.name
            driver = try? JSONDecoder().decode(DriverSettings.self, from: Data(record.driverSettings.utf8))
            symbols = record.symbols.map(\.name)
            initial_capital = record.initialCapital.description
            mode = record.mode.rawValue
            network = record.network.rawValue
            status = record.status.rawValue
            risk_limits = try? JSONDecoder().decode(RiskLimits.self, from: Data(record.riskLimits.utf8))
            created_at = record.createdAt.milliseconds
            realism = record.paperRealism
        }
    }

    struct SecretView: Encodable {
        let name: String
        let set: Bool
        let address: String?
    }

    struct AccountList: Encodable { let accounts: [AccountView] }

    func view(_ record: AccountRecord) throws -> AccountView {
        AccountView(record, secrets: try arena.secrets(of: record.id))
    }

    func listAccounts() throws -> JSONResponse {
        try JSONResponse(AccountList(accounts: try arena.accounts(includeArchived: true).map(view)))
    }

    struct CreateAccount: Decodable {
        let name: String
        let driver: DriverSettings
        let symbols: [Symbol]
        let initial_capital: FixedDecimal
        let mode: AccountMode?
        let network: Network?
        let risk_limits: RiskLimits?
        /// Secrets by name (`llm_api_key`, `hyperliquid_agent_key`, `hyperliquid_master_address`), stored encrypted.
        let secrets: [String: String]?
        /// The paper venue's realism: `venue` (the default) or `noisy`.
        let realism: PaperRealism?
    }

    func createAccount(_ body: CreateAccount) async throws -> JSONResponse {
        let entry = Roster.Entry(name: body.name, driver: body.driver, symbols: body.symbols, initial_capital: body.initial_capital,
                                 risk_limits: body.risk_limits, mode: body.mode, realism: body.realism)
        let record = try await arena.createAccount(entry, network: body.network, secrets: body.secrets ?? [:])
        return try JSONResponse(try view(record), status: .created)
    }

    struct UpdateAccount: Decodable {
        let driver: DriverSettings?
        let symbols: [Symbol]?
        let risk_limits: RiskLimits?
        /// `active` resumes a paused or halted account; `paused` stops its decisions.
        let status: AccountStatus?
        /// Secrets to set or replace, by name.
        let secrets: [String: String]?
        /// Why the status changes (pause, resume); stored with it in the account's halts history.
        let reason: String?
        /// The paper venue's realism (`venue` or `noisy`), applied from the account's next order.
        let realism: PaperRealism?
    }

    func updateAccount(_ id: AccountID, _ body: UpdateAccount, actor: String) async throws -> JSONResponse {
        let record = try await arena.updateAccount(id, AccountService.Changes(
            driver: body.driver, symbols: body.symbols, riskLimits: body.risk_limits, status: body.status, secrets: body.secrets ?? [:],
            reason: try body.reason.map(Self.validReason), actor: actor, realism: body.realism))
        return try JSONResponse(try view(record))
    }

    func archiveAccount(_ id: AccountID) async throws -> JSONResponse {
        try JSONResponse(try view(try await arena.archiveAccount(id)))
    }

    // MARK: Orders

    struct PlaceOrder: Decodable {
        let symbol: Symbol
        let side: Side
        let type: String?
        let size: FixedDecimal
        let price: FixedDecimal?
        let tif: TimeInForce?
        let reduce_only: Bool?
        let leverage: Int?
        let take_profit: FixedDecimal?
        let stop_loss: FixedDecimal?
        /// The limit of the entry's take-profit (a take-profit-limit) and of its stop (a stop-limit).
        let take_profit_limit: FixedDecimal?
        let stop_loss_limit: FixedDecimal?
        /// A trailing stop: its distance in USD or in percent of the price (an entry's exit, or the
        /// distance of a `trailing_stop` order).
        let trail_usd: FixedDecimal?
        let trail_pct: FixedDecimal?
        /// The trigger of a stop or take-profit order placed on its own on a position.
        let trigger_price: FixedDecimal?
    }

    struct OrderResult: Encodable {
        let order: OrderView?
        let fills: [FillView]
        let exits: [OrderView]
    }

    func placeOrder(_ id: AccountID, _ body: PlaceOrder) async throws -> JSONResponse {
        var gated = GatedOrder(symbol: body.symbol, side: body.side, size: body.size, reduceOnly: body.reduce_only ?? false,
                               leverage: body.leverage, takeProfit: body.take_profit, stopLoss: body.stop_loss)
        let trailing = try Self.trailing(body)
        let type = body.type ?? "market"
        switch type {
        case "market", "limit":
            if type == "market" {
                guard body.price == nil else { throw APIError(.badRequest, "A market order takes no price.") }
            } else {
                guard let price = body.price, price.isPositive else { throw APIError(.badRequest, "A limit order needs a positive price.") }
                gated.limit = (price, body.tif ?? .gtc)
            }
            guard body.trigger_price == nil else {
                throw APIError(.badRequest, "trigger_price is for stop and take-profit orders; an entry's exits are take_profit and stop_loss.")
            }
            if body.take_profit_limit != nil, body.take_profit == nil { throw APIError(.badRequest, "take_profit_limit needs take_profit.") }
            if body.stop_loss_limit != nil, body.stop_loss == nil { throw APIError(.badRequest, "stop_loss_limit needs stop_loss.") }
            if gated.reduceOnly, body.take_profit != nil || body.stop_loss != nil || trailing != nil {
                throw APIError(.badRequest, "A reduce-only order has no exits of its own; place a stop or take-profit order on the position instead.")
            }
            gated.exits = ExitTerms(takeProfitLimit: body.take_profit_limit, stopLossLimit: body.stop_loss_limit, trailingStop: trailing)
        case "stop_market", "stop_limit", "take_profit_market", "take_profit_limit", "trailing_stop":
            guard body.take_profit == nil, body.stop_loss == nil, body.take_profit_limit == nil, body.stop_loss_limit == nil,
                  body.leverage == nil, body.tif == nil else {
                throw APIError(.badRequest, "A \(type) order is itself an exit of the position: it takes no take_profit, stop_loss, leverage or tif.")
            }
            let needsLimit = type.hasSuffix("_limit")
            guard needsLimit == (body.price != nil) else {
                throw APIError(.badRequest, needsLimit ? "A \(type) order needs a price (its limit)." : "A \(type) order takes no price.")
            }
            if type == "trailing_stop" {
                guard let trailing else { throw APIError(.badRequest, "A trailing_stop order needs trail_usd or trail_pct.") }
                guard body.trigger_price == nil else {
                    throw APIError(.badRequest, "A trailing_stop starts at the mark less its distance; it takes no trigger_price.")
                }
                gated.exits.trigger = PositionExit(kind: .stopLoss, triggerPrice: nil, trailing: trailing)
            } else {
                guard trailing == nil else { throw APIError(.badRequest, "trail_usd and trail_pct are for trailing stops.") }
                guard let trigger = body.trigger_price, trigger.isPositive else {
                    throw APIError(.badRequest, "A \(type) order needs a positive trigger_price.")
                }
                gated.exits.trigger = PositionExit(kind: type.hasPrefix("stop") ? .stopLoss : .takeProfit, triggerPrice: trigger,
                                                   limitPrice: body.price)
            }
            gated.reduceOnly = true
        default:
            throw APIError(.badRequest, "type must be market, limit, stop_market, stop_limit, take_profit_market, take_profit_limit or trailing_stop.")
        }
        let events = try await arena.placeOrder(gated, for: id)
        return try JSONResponse(try result(of: events, account: id))
    }

    /// The trailing distance a body asks for, if any.
    static func trailing(_ body: PlaceOrder) throws -> TrailingDistance? {
        switch (body.trail_usd, body.trail_pct) {
        case (nil, nil): return nil
        case (let usd?, nil):
            guard usd.isPositive else { throw APIError(.badRequest, "trail_usd must be positive.") }
            return .price(usd)
        case (nil, let percent?):
            guard TrailingDistance.percent(percent).isValid else { throw APIError(.badRequest, "trail_pct must be above 0 and below 100.") }
            return .percent(percent)
        default:
            throw APIError(.badRequest, "Give a trailing stop's distance as trail_usd or trail_pct, not both.")
        }
    }

    /// The orders of `events` as stored (with ids), their fills, and exit triggers placed after them.
    func result(of events: [ExchangeEvent], account: AccountID) throws -> OrderResult {
        var orders: [OrderView] = []
        var seen = Set<ClientOrderID>()
        for case .orderUpdated(let order) in events.reversed() where seen.insert(order.request.clientOrderID).inserted {
            if let stored = try arena.order(clientOrderID: order.request.clientOrderID) {
                orders.insert(OrderView(id: stored.id, accountID: stored.accountID, mode: stored.mode, order: stored.order), at: 0)
            }
        }
        let fills = events.compactMap { event -> FillView? in
            if case .filled(let fill) = event { FillView(accountID: account, fill: fill) } else { nil }
        }
        return OrderResult(order: orders.first, fills: fills, exits: Array(orders.dropFirst()))
    }

    func cancelOrder(_ id: AccountID, _ orderText: String?) async throws -> JSONResponse {
        guard let orderText, let orderID = Int64(orderText), orderID > 0 else {
            throw APIError(.badRequest, "The order id must be a positive integer.")
        }
        guard let stored = try arena.order(id: orderID), stored.accountID == id else {
            throw APIError(.notFound, "Account \(id.rawValue) has no order \(orderID).")
        }
        guard !stored.order.status.isFinal else {
            throw APIError(.conflict, "Order \(orderID) is already \(stored.order.status.rawValue).")
        }
        let events = try await arena.cancelOrder(stored.order.request.clientOrderID, of: id)
        return try JSONResponse(try result(of: events + [.orderUpdated(stored.order)], account: id))
    }

    struct CloseAllResult: Encodable { let orders: [OrderView] }

    func closeAll(_ id: AccountID) async throws -> JSONResponse {
        let events = try await arena.closeAll(id)
        var views: [OrderView] = []
        var seen = Set<ClientOrderID>()
        for case .orderUpdated(let order) in events where seen.insert(order.request.clientOrderID).inserted {
            if let stored = try arena.order(clientOrderID: order.request.clientOrderID) {
                views.append(OrderView(id: stored.id, accountID: stored.accountID, mode: stored.mode, order: stored.order))
            }
        }
        return try JSONResponse(CloseAllResult(orders: views))
    }

    // MARK: Mode

    struct SwitchMode: Decodable {
        let mode: AccountMode
        let network: Network?
        /// The account's name, typed again: a guard against switching the wrong account.
        let confirm: String
        /// Leaving live: `close` (default) or `keep` the venue positions.
        let positions: String?
    }

    struct SwitchResult: Encodable {
        let switched: Bool
        let mode: String
        let network: String
        let reason: String?
        let preflight: [PreflightCheck]
    }

    func switchMode(_ id: AccountID, _ body: SwitchMode, actor: String) async throws -> JSONResponse {
        guard let record = try arena.account(id), record.status != .archived else {
            throw APIError(.notFound, "No running account \(id.rawValue) (archived accounts cannot trade).")
        }
        guard body.confirm == record.name else {
            throw APIError(.badRequest, "confirm must be the account's name, exactly.")
        }
        guard [nil, "close", "keep"].contains(body.positions) else { throw APIError(.badRequest, "positions must be close or keep.") }
        let network = body.network ?? record.network
        guard body.mode != record.mode || network != record.network else {
            throw APIError(.conflict, "The account is already \(record.mode.rawValue) on \(record.network.rawValue).")
        }
        let outcome = try await arena.switchMode(id, to: body.mode, network: network, keepPositions: body.positions == "keep",
                                                 actor: actor)
        let result = SwitchResult(switched: outcome.switched, mode: outcome.switched ? body.mode.rawValue : record.mode.rawValue,
                                  network: outcome.switched ? network.rawValue : record.network.rawValue,
                                  reason: outcome.switched ? nil : outcome.report.reason, preflight: outcome.report.checks)
        return try JSONResponse(result, status: outcome.switched ? .ok : .unprocessableContent)
    }

    // MARK: Kill switch

    struct KillSwitchRequest: Decodable {
        let close_positions: Bool?
        let reason: String?
    }

    struct KillSwitchState: Encodable {
        let engaged: Bool
        let reason: String?
    }

    struct ReleaseKillSwitch: Decodable {
        let reason: String?
    }

    func engageKillSwitch(_ body: KillSwitchRequest, actor: String) async throws -> JSONResponse {
        let reason = try body.reason.map(Self.validReason) ?? "engaged by an operator"
        await arena.engageKillSwitch(closePositions: body.close_positions ?? false, reason: reason, actor: actor)
        return try JSONResponse(KillSwitchState(engaged: true, reason: arena.killSwitchReason))
    }

    func releaseKillSwitch(_ body: ReleaseKillSwitch?, actor: String) throws -> JSONResponse {
        arena.releaseKillSwitch(reason: try body?.reason.map(Self.validReason) ?? "released by an operator", actor: actor)
        return try JSONResponse(KillSwitchState(engaged: false, reason: nil))
    }

    /// The longest reason stored with a halt, a resume or the kill switch.
    static let maximumReasonLength = 200

    /// A reason as stored: trimmed, not empty, at most `maximumReasonLength` characters.
    static func validReason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= maximumReasonLength else {
            throw APIError(.badRequest, "reason must be 1 to \(maximumReasonLength) characters; shorten it or leave it out.")
        }
        return reason
    }
}
