import Arena
import ArenaCore
import Drivers
import Hummingbird

/// The state of an account's rule-based strategy: `GET /api/accounts/{id}/strategy`, for accounts
/// run by the four-phase or the Fibonacci hedge (404 for every other driver).
struct StrategyController: Sendable {
    let arena: any ArenaInterface

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/api/accounts/{id}/strategy") { _, context in try await strategy(context.parameters.accountID()) }
    }

    /// One reversal record: what an action did to the legs, in coins.
    struct ActionView: Encodable {
        let unit: Int
        let long_size: String
        let short_size: String
    }

    struct StrategyBody: Encodable {
        let account_id: Int64
        let name: String
        let driver: String
        let symbol: String
        let started: Bool
        let phase: String
        let entry_price: String
        let unit_size: String
        let leverage: Int
        let current_unit: Int
        let peak_unit: Int
        let valley_unit: Int
        let position_fragment: String
        let hedge_fragment: String
        let current_position_allocation: String
        let long_value: String
        let short_value: String
        let cash: String
        let long_size: String
        let short_size: String
        let net_size: String
        let short_entry_price: String
        let last_price: String
        let resets: Int
        let retracement_actions: [ActionView]
        let recovery_actions: [ActionView]
        let last_reconciliation: String?
    }

    func strategy(_ id: AccountID) async throws -> JSONResponse {
        let raw = id.rawValue
        guard let record = try arena.account(id) else { throw APIError(.notFound, "No account \(raw).") }
        let kind = DriverSettings.Kind(rawValue: record.driverKind)
        guard kind == .hedge4 || kind == .fibonacci else {
            throw APIError(.notFound, "Account \(raw) is not run by the hedge4 or the fibonacci strategy.")
        }
        let json = await arena.strategyState(of: id)
        guard let json else { throw APIError(.notFound, "Account \(raw) has no strategy state yet.") }
        if kind == .fibonacci { return try fibonacci(json, id: raw, name: record.name, driver: record.driverKind) }
        let state: HedgeState
        do {
            state = try HedgeDriver.decode(json)
        } catch {
            throw APIError(.internalServerError, "Account \(raw)'s strategy state cannot be read.")
        }
        let actions = { (list: [HedgeLegChange]) in
            list.map { ActionView(unit: $0.unit, long_size: $0.longSize.description, short_size: $0.shortSize.description) }
        }
        return try JSONResponse(StrategyBody(
            account_id: raw, name: record.name, driver: record.driverKind, symbol: state.symbol.name, started: state.started,
            phase: state.phase.rawValue, entry_price: state.entryPrice.description, unit_size: state.unitSize.description,
            leverage: state.leverage, current_unit: state.currentUnit, peak_unit: state.peakUnit, valley_unit: state.valleyUnit,
            position_fragment: state.positionFragment.description, hedge_fragment: state.hedgeFragment.description,
            current_position_allocation: state.currentPositionAllocation.description, long_value: state.longValue.description,
            short_value: state.shortValue.description, cash: state.cash.description, long_size: state.longSize.description,
            short_size: state.shortSize.description, net_size: state.netSize.description,
            short_entry_price: state.shortEntryPrice.description, last_price: state.lastPrice.description, resets: state.resets,
            retracement_actions: actions(state.retracementActions), recovery_actions: actions(state.recoveryActions),
            last_reconciliation: state.lastReconciliation))
    }

    /// The Fibonacci hedge's state: phase, swing, valley, both legs, cycle and the trailing stop.
    struct FibonacciBody: Encodable {
        let account_id: Int64
        let name: String
        let driver: String
        let symbol: String
        let started: Bool
        let phase: String
        let swing_low: String
        let swing_high: String
        let valley: String
        let long_leg: String
        let short_leg: String
        let net_leg: String
        let base_notional: String
        let cycle: Int
        let level_reached: Int
        let leverage: Int
        let trailing_stop: String?
        let retracement: String
        let last_price: String
        let last_reconciliation: String?
    }

    func fibonacci(_ json: String, id raw: Int64, name: String, driver: String) throws -> JSONResponse {
        let state: FibonacciState
        do {
            state = try FibonacciDriver.decode(json)
        } catch {
            throw APIError(.internalServerError, "Account \(raw)'s strategy state cannot be read.")
        }
        return try JSONResponse(FibonacciBody(
            account_id: raw, name: name, driver: driver, symbol: state.symbol.name, started: state.started,
            phase: state.phase.rawValue, swing_low: state.swingLow.description, swing_high: state.swingHigh.description,
            valley: state.valley.description, long_leg: state.longLeg.description, short_leg: state.shortLeg.description,
            net_leg: state.netLeg.description, base_notional: state.baseNotional.description, cycle: state.cycle,
            level_reached: state.levelReached, leverage: state.leverage, trailing_stop: state.trailingStop?.description,
            retracement: state.lastRetracement.description, last_price: state.lastPrice.description,
            last_reconciliation: state.lastReconciliation))
    }
}
