import Arena
import ArenaCore
import Custody
import Foundation
import Hummingbird
import Storage

/// The admin API: accounts, operators' orders, the kill switch. Every route here sits behind
/// `AdminAuthMiddleware`, except the account list, which is read-only.
struct AdminController: Sendable {
    let runtime: ArenaRuntime
    let token: AdminToken?

    /// Request bodies larger than this are refused.
    static let maximumBodyBytes = 64 * 1024

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/api/accounts") { _, _ in try listAccounts() }
        let admin = router.group().add(middleware: AdminAuthMiddleware(token: token))
        admin.post("/api/accounts") { request, context in try await createAccount(request, context) }
        admin.patch("/api/accounts/{id}") { request, context in try await updateAccount(request, context) }
        admin.delete("/api/accounts/{id}") { _, context in try await archiveAccount(context.parameters.get("id")) }
        admin.post("/api/accounts/{id}/orders") { request, context in try await placeOrder(request, context) }
        admin.delete("/api/accounts/{id}/orders/{order_id}") { _, context in
            try await cancelOrder(context.parameters.get("id"), context.parameters.get("order_id"))
        }
        admin.post("/api/accounts/{id}/close-all") { _, context in try await closeAll(context.parameters.get("id")) }
        admin.post("/api/accounts/{id}/mode") { request, context in try await switchMode(request, context) }
        admin.post("/api/kill-switch") { request, context in try await engageKillSwitch(request, context) }
        admin.delete("/api/kill-switch") { _, _ in releaseKillSwitch() }
    }

    // MARK: Bodies

    func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: some RequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, "The body is larger than \(Self.maximumBodyBytes) bytes.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(.badRequest, "Invalid body: \(ArenaError.describe(error)).")
        } catch {
            throw APIError(.badRequest, "The body is not JSON.")
        }
    }

    func accountID(_ text: String?) throws -> AccountID {
        guard let text, let raw = Int64(text), raw > 0 else { throw APIError(.badRequest, "The account id must be a positive integer.") }
        return AccountID(raw)
    }

    func runningAccount(_ text: String?) throws -> (AccountID, AccountRunner) {
        let id = try accountID(text)
        guard let runner = runtime.runner(id) else {
            throw APIError(.notFound, "No running account \(id.rawValue) (archived accounts cannot trade).")
        }
        return (id, runner)
    }

    static func now() -> Timestamp { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) }

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
        }
    }

    struct SecretView: Encodable {
        let name: String
        let set: Bool
        let address: String?
    }

    struct AccountList: Encodable { let accounts: [AccountView] }

    func view(_ record: AccountRecord) throws -> AccountView {
        AccountView(record, secrets: try runtime.ledger.secretSummaries(accountID: record.id))
    }

    func listAccounts() throws -> JSONResponse {
        JSONResponse(AccountList(accounts: try runtime.ledger.accounts(includeArchived: true).map(view)))
    }

    /// Checks the secrets of a request before anything is stored: the vault is open, every name
    /// is known and every value is valid for its name.
    func validatedSecrets(_ secrets: [String: String]?) throws -> [(SecretName, SecretValue)] {
        guard let secrets, !secrets.isEmpty else { return [] }
        guard runtime.vault != nil else {
            throw APIError(.badRequest, "Secrets cannot be stored: the server has no master key. Run arena keys init and restart with ARENA_MASTER_KEY_FILE.")
        }
        return try secrets.sorted { $0.key < $1.key }.map { name, value in
            do {
                let secretName = try SecretName.accountSecret(name)
                let (trimmed, _) = try KeyVault.validate(SecretValue(value), named: secretName)
                return (secretName, trimmed)
            } catch let error as CustodyError {
                throw APIError(.badRequest, error.description)
            }
        }
    }

    func store(_ secrets: [(SecretName, SecretValue)], for id: AccountID) throws {
        guard let vault = runtime.vault else { return }
        for (name, value) in secrets {
            do {
                _ = try vault.setSecret(value, named: name, for: id, now: Self.now())
            } catch let error as CustodyError {
                throw APIError(.internalServerError, error.description)
            }
        }
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
    }

    func createAccount(_ request: Request, _ context: some RequestContext) async throws -> JSONResponse {
        let body = try await decode(CreateAccount.self, request, context)
        let entry = Roster.Entry(name: body.name, driver: body.driver, symbols: body.symbols, initial_capital: body.initial_capital,
                                 risk_limits: body.risk_limits, mode: body.mode)
        do {
            try Roster(accounts: [entry]).validate()
        } catch let error as ArenaError {
            throw APIError(.badRequest, error.description)
        }
        guard (body.mode ?? .paper) == .paper else {
            throw APIError(.badRequest, "Create the account in paper mode, then switch it with POST /api/accounts/{id}/mode.")
        }
        let secrets = try validatedSecrets(body.secrets)
        let new = NewAccount(name: body.name.trimmingCharacters(in: .whitespaces), driverKind: body.driver.kind.rawValue,
                             driverSettings: JSON.encode(body.driver), symbols: body.symbols, mode: .paper,
                             network: body.network ?? .testnet, initialCapital: body.initial_capital,
                             riskLimits: JSON.encode(body.risk_limits ?? .default))
        do {
            let record = try runtime.createAccount(new, now: Self.now())
            if !secrets.isEmpty {
                try store(secrets, for: record.id)
                // Rebuild the driver so a model driver picks up its key from the vault.
                _ = try await runtime.reconfigureAccount(record.id, driverSettings: body.driver, symbols: body.symbols,
                                                         limits: body.risk_limits ?? .default, now: Self.now())
            }
            return JSONResponse(try view(record), status: .created)
        } catch let error as StorageError {
            throw APIError(.conflict, error.description)
        } catch let error as ArenaError {
            throw APIError(.badRequest, error.description)
        }
    }

    struct UpdateAccount: Decodable {
        let driver: DriverSettings?
        let symbols: [Symbol]?
        let risk_limits: RiskLimits?
        /// `active` resumes a paused or halted account; `paused` stops its decisions.
        let status: AccountStatus?
        /// Secrets to set or replace, by name.
        let secrets: [String: String]?
    }

    func updateAccount(_ request: Request, _ context: some RequestContext) async throws -> JSONResponse {
        let (id, runner) = try runningAccount(context.parameters.get("id"))
        let body = try await decode(UpdateAccount.self, request, context)
        guard let record = try runtime.ledger.account(id) else { throw APIError(.notFound, "No account \(id.rawValue).") }
        if let status = body.status, status != .active, status != .paused {
            throw APIError(.badRequest, "status may be active or paused; use DELETE to archive.")
        }
        let secrets = try validatedSecrets(body.secrets)
        try store(secrets, for: id)
        if body.driver != nil || body.symbols != nil || body.risk_limits != nil || !secrets.isEmpty {
            let settings = try body.driver ?? JSONDecoder().decode(DriverSettings.self, from: Data(record.driverSettings.utf8))
            let limits = try body.risk_limits ?? JSONDecoder().decode(RiskLimits.self, from: Data(record.riskLimits.utf8))
            guard !(body.symbols ?? record.symbols).isEmpty else { throw APIError(.badRequest, "symbols must not be empty.") }
            do {
                _ = try await runtime.reconfigureAccount(id, driverSettings: settings, symbols: body.symbols ?? record.symbols,
                                                         limits: limits, now: Self.now())
            } catch let error as ArenaError {
                throw APIError(.badRequest, error.description)
            }
        }
        if let status = body.status {
            await runner.changeStatus(status, reason: "Set to \(status.rawValue) by an operator.")
        }
        guard let updated = try runtime.ledger.account(id) else { throw APIError(.notFound, "No account \(id.rawValue).") }
        return JSONResponse(try view(updated))
    }

    func archiveAccount(_ text: String?) async throws -> JSONResponse {
        let (id, _) = try runningAccount(text)
        do {
            try await runtime.archiveAccount(id)
        } catch let error as ArenaError {
            throw APIError(.conflict, error.description)
        }
        guard let record = try runtime.ledger.account(id) else { throw APIError(.notFound, "No account \(id.rawValue).") }
        return JSONResponse(try view(record))
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
    }

    struct OrderResult: Encodable {
        let order: OrderView?
        let fills: [FillView]
        let exits: [OrderView]
    }

    func placeOrder(_ request: Request, _ context: some RequestContext) async throws -> JSONResponse {
        let (id, runner) = try runningAccount(context.parameters.get("id"))
        let body = try await decode(PlaceOrder.self, request, context)
        var gated = GatedOrder(symbol: body.symbol, side: body.side, size: body.size, reduceOnly: body.reduce_only ?? false,
                               leverage: body.leverage, takeProfit: body.take_profit, stopLoss: body.stop_loss)
        switch body.type ?? "market" {
        case "market":
            guard body.price == nil else { throw APIError(.badRequest, "A market order takes no price.") }
        case "limit":
            guard let price = body.price, price.isPositive else { throw APIError(.badRequest, "A limit order needs a positive price.") }
            gated.limit = (price, body.tif ?? .gtc)
        default:
            throw APIError(.badRequest, "type must be market or limit.")
        }
        let events = await runner.submitOperatorOrder(gated)
        return JSONResponse(try result(of: events, account: id))
    }

    /// The orders of `events` as stored (with ids), their fills, and exit triggers placed after them.
    func result(of events: [ExchangeEvent], account: AccountID) throws -> OrderResult {
        var orders: [OrderView] = []
        var seen = Set<ClientOrderID>()
        for case .orderUpdated(let order) in events.reversed() where seen.insert(order.request.clientOrderID).inserted {
            if let stored = try runtime.ledger.order(clientOrderID: order.request.clientOrderID) {
                orders.insert(OrderView(id: stored.id, accountID: stored.accountID, mode: stored.mode, order: stored.order), at: 0)
            }
        }
        let fills = events.compactMap { event -> FillView? in
            if case .filled(let fill) = event { FillView(accountID: account, fill: fill) } else { nil }
        }
        return OrderResult(order: orders.first, fills: fills, exits: Array(orders.dropFirst()))
    }

    func cancelOrder(_ accountText: String?, _ orderText: String?) async throws -> JSONResponse {
        let (id, runner) = try runningAccount(accountText)
        guard let orderText, let orderID = Int64(orderText), orderID > 0 else {
            throw APIError(.badRequest, "The order id must be a positive integer.")
        }
        guard let stored = try runtime.ledger.order(id: orderID), stored.accountID == id else {
            throw APIError(.notFound, "Account \(id.rawValue) has no order \(orderID).")
        }
        guard !stored.order.status.isFinal else {
            throw APIError(.conflict, "Order \(orderID) is already \(stored.order.status.rawValue).")
        }
        let events = await runner.cancel(stored.order.request.clientOrderID)
        return JSONResponse(try result(of: events + [.orderUpdated(stored.order)], account: id))
    }

    struct CloseAllResult: Encodable { let orders: [OrderView] }

    func closeAll(_ text: String?) async throws -> JSONResponse {
        let (_, runner) = try runningAccount(text)
        let events = await runner.closeAll(origin: .operator)
        var views: [OrderView] = []
        var seen = Set<ClientOrderID>()
        for case .orderUpdated(let order) in events where seen.insert(order.request.clientOrderID).inserted {
            if let stored = try runtime.ledger.order(clientOrderID: order.request.clientOrderID) {
                views.append(OrderView(id: stored.id, accountID: stored.accountID, mode: stored.mode, order: stored.order))
            }
        }
        return JSONResponse(CloseAllResult(orders: views))
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

    func switchMode(_ request: Request, _ context: some RequestContext) async throws -> JSONResponse {
        let (id, _) = try runningAccount(context.parameters.get("id"))
        let body = try await decode(SwitchMode.self, request, context)
        guard let record = try runtime.ledger.account(id) else { throw APIError(.notFound, "No account \(id.rawValue).") }
        guard body.confirm == record.name else {
            throw APIError(.badRequest, "confirm must be the account's name, exactly.")
        }
        guard [nil, "close", "keep"].contains(body.positions) else { throw APIError(.badRequest, "positions must be close or keep.") }
        let network = body.network ?? record.network
        guard body.mode != record.mode || network != record.network else {
            throw APIError(.conflict, "The account is already \(record.mode.rawValue) on \(record.network.rawValue).")
        }
        let outcome: (report: PreflightReport, switched: Bool)
        do {
            outcome = try await runtime.switchMode(id, to: body.mode, network: network, keepPositions: body.positions == "keep",
                                                   actor: "operator")
        } catch let error as ArenaError {
            throw APIError(.conflict, error.description)
        }
        let result = SwitchResult(switched: outcome.switched, mode: outcome.switched ? body.mode.rawValue : record.mode.rawValue,
                                  network: outcome.switched ? network.rawValue : record.network.rawValue,
                                  reason: outcome.switched ? nil : outcome.report.reason, preflight: outcome.report.checks)
        return JSONResponse(result, status: outcome.switched ? .ok : .unprocessableContent)
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

    func engageKillSwitch(_ request: Request, _ context: some RequestContext) async throws -> JSONResponse {
        let body = try await decode(KillSwitchRequest.self, request, context)
        let reason = String((body.reason ?? "engaged by an operator").prefix(200))
        await runtime.engageKillSwitch(closePositions: body.close_positions ?? false, reason: reason)
        return JSONResponse(KillSwitchState(engaged: true, reason: runtime.tradingSwitch.haltReason))
    }

    func releaseKillSwitch() -> JSONResponse {
        runtime.releaseKillSwitch()
        return JSONResponse(KillSwitchState(engaged: false, reason: nil))
    }
}
