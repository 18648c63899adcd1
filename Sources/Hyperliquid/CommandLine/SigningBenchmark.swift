import ArenaCore

/// The throughput of the full L1 signing path.
public struct SigningBenchmarkResult: Sendable {
    /// Actions signed.
    public let iterations: Int
    /// Wall time taken, in seconds.
    public let seconds: Double
    /// Signed actions per second.
    public var actionsPerSecond: Double { seconds > 0 ? Double(iterations) / seconds : 0 }
    /// Mean microseconds per signed action.
    public var microsecondsPerAction: Double { iterations > 0 ? seconds * 1_000_000 / Double(iterations) : 0 }
}

/// Measures signing a one-order L1 action end to end (wire map, msgpack, keccak, EIP-712,
/// secp256k1 signature) `iterations` times with a fixed key, for `arena-bench`.
public func signingBenchmark(iterations: Int) throws(HyperliquidError) -> SigningBenchmarkResult {
    let signer = try Signer(privateKeyHex: "0x0123456789012345678901234567890123456789012345678901234567890123")
    let clock = ContinuousClock()
    let start = clock.now
    var checksum: UInt8 = 0
    for index in 0..<max(iterations, 0) {
        let order = OrderWire(
            asset: 1, isBuy: index % 2 == 0, price: FixedDecimal(raw: 200_050_000_000 + Int64(index % 100) * 10_000_000),
            size: FixedDecimal(raw: 12_345_000), reduceOnly: false, type: .limit(.gtc)
        )
        let signed = try signer.signL1Action(
            ExchangeAction.order(orders: [order], grouping: .none, builder: nil),
            nonce: 1_767_225_600_000 + UInt64(index), network: .testnet
        )
        checksum ^= signed.signature.r[0]
    }
    let elapsed = clock.now - start
    // Keeps the loop's work observable so the optimizer cannot drop it.
    withExtendedLifetime(checksum) {}
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return SigningBenchmarkResult(iterations: max(iterations, 0), seconds: seconds)
}
