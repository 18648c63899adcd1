import ArenaCore
import Drivers
import Foundation
import Testing
@testable import Arena

/// The `fibonacci` kind's settings as a roster or the API gives them.
@Suite("Fibonacci hedge settings")
struct FibonacciSettingsTests {
    static let eth = Symbol("ETH")!  // A literal that is a valid symbol.

    func settings(_ json: String) throws -> DriverSettings {
        try JSONDecoder().decode(DriverSettings.self, from: Data(json.utf8))
    }

    @Test("the defaults stand in for what is not given; given values are kept")
    func defaultsAndValues() throws {
        let plain = try settings(#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1000"}"#)
        try plain.validate(symbols: [Self.eth])
        #expect(plain.fibonacciParameters == FibonacciParameters(symbol: Self.eth, initialMargin: 1_000, leverage: 3,
                                                                 minSwingPercent: 2, trailFraction: FixedDecimal(236, exponent: 3)))
        let given = try settings(#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "500", "leverage": 2, "min_swing_pct": "1.5", "#
            + #""trail_fraction": "0.3", "levels": ["0.2", "0.4", "0.6"]}"#)
        try given.validate(symbols: [Self.eth])
        let parameters = try #require(given.fibonacciParameters)
        #expect(parameters.leverage == 2 && parameters.minSwingPercent == FixedDecimal(15, exponent: 1))
        #expect(parameters.levels == [FixedDecimal(2, exponent: 1), FixedDecimal(4, exponent: 1), FixedDecimal(6, exponent: 1)])
    }

    @Test("settings that break a rule are refused with a message naming it", arguments: [
        (#"{"kind": "fibonacci", "initial_margin": "1000"}"#, "fibonacci needs a symbol"),
        (#"{"kind": "fibonacci", "symbol": "BTC", "initial_margin": "1000"}"#, "not in the account's symbols"),
        (#"{"kind": "fibonacci", "symbol": "ETH"}"#, "needs an initial_margin"),
        (#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1"}"#, "initial_margin must be between"),
        (#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1000", "leverage": 0}"#, "leverage must be 1 to 100"),
        (#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1000", "trail_fraction": "1"}"#, "trail_fraction"),
        (#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1000", "min_swing_pct": "-1"}"#, "min_swing_pct"),
        (#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1000", "levels": ["0.5", "0.382", "0.236"]}"#, "levels must increase"),
        (#"{"kind": "fibonacci", "symbol": "ETH", "initial_margin": "1000", "levels": ["0.236", "0.5", "1"]}"#, "below 1"),
    ])
    func refusals(_ json: String, _ message: String) throws {
        let decoded = try settings(json)
        do {
            try decoded.validate(symbols: [Self.eth])
            Issue.record("accepted \(json)")
        } catch let ArenaError.invalidRoster(text) {
            #expect(text.contains(message), "\(text)")
        }
    }
}
