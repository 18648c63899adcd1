import Drivers

extension AccountService {
    /// Makes sure the trader of valid `copy` settings is tracked, so creating or updating a copy
    /// account through the API starts tracking an address not yet tracked (the driver also follows
    /// at its first decision, which covers the roster and restarts). Other settings, or a server
    /// without a tracker, do nothing here.
    /// - Throws: `ArenaError.invalidRequest` when the tracker refuses the address.
    func followTrader(of settings: DriverSettings) async throws {
        guard settings.kind == .copy, (try? settings.validateCopySettings()) != nil, let trader = settings.trader,
              let tracker = setup.drivers.traderPositions else { return }
        do {
            try await tracker.follow(trader.text)
        } catch {
            throw ArenaError.invalidRequest("The trader \(trader) cannot be followed: \(error)")
        }
    }
}
