import ArenaCore
import Drivers

extension DriverSettings {
    /// The largest `ratio` a copier may use.
    static let maximumCopyRatio = FixedDecimal(100)
    /// The longest `delay_seconds` (one day).
    static let maximumCopyDelaySeconds = 86_400

    /// Settings for an account that copies `trader`, sized by `ratio` or `notional_usd` (exactly one).
    public static func copy(trader: TraderAddress, ratio: FixedDecimal? = nil, notionalUSD: FixedDecimal? = nil,
                            delaySeconds: Int? = nil, maxTradeUSD: FixedDecimal? = nil, intervalSeconds: Int? = nil) -> DriverSettings {
        var settings = DriverSettings(kind: .copy, intervalSeconds: intervalSeconds)
        settings.trader = trader
        settings.ratio = ratio
        settings.notional_usd = notionalUSD
        settings.delay_seconds = delaySeconds
        settings.max_trade_usd = maxTradeUSD
        return settings
    }

    /// Checks a `copy` driver's settings.
    /// - Throws: `ArenaError.invalidRoster` saying what to give instead.
    func validateCopySettings() throws {
        guard trader != nil else {
            throw ArenaError.invalidRoster("copy needs a trader: the address it follows, 0x followed by 40 hexadecimal digits")
        }
        switch (ratio, notional_usd) {
        case (nil, nil):
            throw ArenaError.invalidRoster("copy needs ratio (the trader's sizes times it) or notional_usd (the trader's account scaled to that many USD)")
        case (.some, .some):
            throw ArenaError.invalidRoster("copy takes ratio or notional_usd, not both")
        case (let ratio?, nil):
            guard ratio.isPositive, ratio <= Self.maximumCopyRatio else {
                throw ArenaError.invalidRoster("copy's ratio must be above 0 and at most \(Self.maximumCopyRatio) (got \(ratio))")
            }
        case (nil, let notional?):
            guard notional >= Instrument.minimumOrderValue, notional <= FixedDecimal(1_000_000_000) else {
                throw ArenaError.invalidRoster("copy's notional_usd must be between \(Instrument.minimumOrderValue) and 1000000000 (got \(notional))")
            }
        }
        if let delay = delay_seconds, !(0...Self.maximumCopyDelaySeconds).contains(delay) {
            throw ArenaError.invalidRoster("copy's delay_seconds must be 0 to \(Self.maximumCopyDelaySeconds) (got \(delay))")
        }
        if let cap = max_trade_usd, !(cap >= Instrument.minimumOrderValue && cap <= FixedDecimal(1_000_000_000)) {
            throw ArenaError.invalidRoster("copy's max_trade_usd must be between \(Instrument.minimumOrderValue) (the venue's minimum order) and 1000000000 (got \(cap))")
        }
    }

    /// A `copy` driver's parameters; nil without a trader or a sizing.
    public var copyParameters: CopyParameters? {
        guard let trader else { return nil }
        let sizing: CopySizing
        if let ratio {
            sizing = .ratio(ratio)
        } else if let notional_usd {
            sizing = .notionalUSD(notional_usd)
        } else {
            return nil
        }
        return CopyParameters(trader: trader, sizing: sizing, delayMilliseconds: Int64(delay_seconds ?? 0) * 1000,
                              maximumTradeUSD: max_trade_usd)
    }
}
