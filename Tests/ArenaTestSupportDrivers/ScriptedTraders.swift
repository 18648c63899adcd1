import ArenaCore
import Drivers

/// A trader tracker that answers from a script, standing in for the runtime's tracker: it speaks
/// `TraderPositionSource` exactly as the copy driver and the account service use it.
public actor ScriptedTraders: TraderPositionSource {
    private var traders: [String: TraderPositions] = [:]
    /// Every address `follow` was called with, in order.
    public private(set) var followed: [String] = []
    /// When set, `follow` refuses with this message.
    public private(set) var followRefusal: String?

    /// The error of a refused `follow`.
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    public init() {}

    public func latestPositions(of address: String) async -> TraderPositions? { traders[address] }

    public func follow(_ address: String) async throws {
        followed.append(address)
        if let followRefusal { throw Refused(description: followRefusal) }
    }

    /// Sets what the tracker last saw of `address`: signed sizes by coin name.
    public func set(_ address: String, accountValue: FixedDecimal = 100_000, positions: [(String, FixedDecimal)], observedAt: Int64,
                    cadenceMilliseconds: Int64 = 60_000) {
        var map: [Symbol: TraderPositions.Position] = [:]
        for (name, size) in positions {
            guard let symbol = Symbol(name) else { continue }
            map[symbol] = TraderPositions.Position(symbol: symbol, size: size, entryPrice: 1)
        }
        traders[address] = TraderPositions(address: address, accountValue: accountValue, positions: map,
                                           observedAt: Timestamp(milliseconds: observedAt), cadenceMilliseconds: cadenceMilliseconds)
    }

    /// Marks `address` as seen again at `time`, its positions unchanged (the tracker's next poll).
    public func touch(_ address: String, at time: Int64) {
        traders[address]?.observedAt = Timestamp(milliseconds: time)
    }

    /// Makes `follow` refuse with `message` (nil: accept again).
    public func setFollowRefusal(_ message: String?) { followRefusal = message }
}
