import ArenaCore
import Custody
import Drivers
import Foundation
import Storage

/// Builds an account's driver from its stored kind and settings.
enum DriverFactory {
    static func settings(of record: AccountRecord) throws -> DriverSettings {
        do {
            let settings = try JSONDecoder().decode(DriverSettings.self, from: Data(record.driverSettings.utf8))
            try settings.validate(symbols: record.symbols)
            return settings
        } catch let error as DecodingError {
            throw ArenaError.invalidAccount("\(record.name)'s driver settings: \(ArenaError.describe(error))")
        }
    }

    /// - Parameter clock: The wall clock (a copy driver measures its trader's data's age on it).
    static func make(_ settings: DriverSettings, for record: AccountRecord, environment: DriverEnvironment,
                     vault: KeyVault? = nil, clock: any WallClock = SystemClock()) throws -> any Driver {
        switch settings.kind {
        case .buyAndHold:
            guard let symbol = settings.symbol else { throw ArenaError.invalidAccount("\(record.name): buy_and_hold needs a symbol") }
            return BuyAndHoldDriver(symbol: symbol)
        case .random:
            return RandomTraderDriver(seed: settings.seed ?? UInt64(bitPattern: record.id.rawValue))
        case .hedge4:
            guard let symbol = settings.symbol, let unitSize = settings.unit_size, let initialMargin = settings.initial_margin else {
                throw ArenaError.invalidAccount("\(record.name): hedge4 needs symbol, unit_size and initial_margin")
            }
            do {
                return try HedgeDriver(symbol: symbol, unitSize: unitSize, initialMargin: initialMargin, persistedState: record.driverState)
            } catch {
                throw ArenaError.invalidAccount("\(record.name): \(error)")
            }
        case .fibonacci:
            guard let parameters = settings.fibonacciParameters else {
                throw ArenaError.invalidAccount("\(record.name): fibonacci needs symbol and initial_margin")
            }
            do {
                return try FibonacciDriver(parameters: parameters, persistedState: record.driverState)
            } catch {
                throw ArenaError.invalidAccount("\(record.name): \(error)")
            }
        case .llm:
            return try environment.makeModelDriver(settings, for: record, vault: vault)
        case .copy:
            guard let parameters = settings.copyParameters else {
                throw ArenaError.invalidAccount("\(record.name): copy needs a trader and ratio or notional_usd")
            }
            guard let source = environment.traderPositions else {
                throw ArenaError.invalidAccount("\(record.name): \(DriverEnvironment.noTrackerReason)")
            }
            return CopyDriver(parameters: parameters, source: source, clock: clock, persistedState: record.driverState)
        }
    }
}
