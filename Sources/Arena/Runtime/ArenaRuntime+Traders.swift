import Hyperliquid

extension ArenaRuntime {
    /// The request-weight budget live accounts spend at Hyperliquid (one per IP address): the
    /// trader tracker draws on it in the background lane, so that live orders go first. Nil when
    /// live trading is not set up.
    public var venueWeightLimiter: RequestWeightLimiter? { liveVenue?.limiter }
}
