/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not SHA3-256's (0x06).
///
/// OpenSSL 3.0 offers only SHA3-256, whose digests differ from Keccak-256's for every input, so the
/// permutation lives here. `Keccak256.hash([])` is `c5d24601…5d85a470`.
public struct Keccak256: Sendable {
    /// The number of bytes absorbed per permutation: 1600 bits of state minus twice the 256-bit output.
    static let rate = 136

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8]()

    /// Creates an empty hasher.
    public init() {
        buffer.reserveCapacity(Self.rate)
    }

    /// Returns the 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Absorbs more input.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            buffer.append(byte)
            if buffer.count == Self.rate {
                absorbBuffer()
            }
        }
    }

    /// Pads, absorbs the last block and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let padding = Self.rate - buffer.count
        buffer.append(contentsOf: repeatElement(0, count: padding))
        buffer[buffer.count - padding] ^= 0x01
        buffer[Self.rate - 1] ^= 0x80
        absorbBuffer()
        var digest = [UInt8]()
        digest.reserveCapacity(32)
        for lane in state.prefix(4) {
            for shift in stride(from: 0, to: 64, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
            }
        }
        return digest
    }

    private mutating func absorbBuffer() {
        for laneIndex in 0..<(Self.rate / 8) {
            var lane: UInt64 = 0
            for byteIndex in 0..<8 {
                lane |= UInt64(buffer[laneIndex * 8 + byteIndex]) << UInt64(byteIndex * 8)
            }
            state[laneIndex] ^= lane
        }
        buffer.removeAll(keepingCapacity: true)
        state.withUnsafeMutableBufferPointer { Self.permute($0) }
    }

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// The rho rotation of each lane, in the order the pi step visits them.
    private static let rotations: [UInt64] = [
        1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
    ]
    /// The lane the pi step moves each visited lane to, starting from lane 1.
    private static let piLanes: [Int] = [
        10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
    ]

    @inline(__always)
    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    /// Keccak-f[1600]: 24 rounds of theta, rho, pi, chi and iota over the 5×5 lanes.
    private static func permute(_ lanes: UnsafeMutableBufferPointer<UInt64>) {
        var columns: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        for round in 0..<24 {
            columns.0 = lanes[0] ^ lanes[5] ^ lanes[10] ^ lanes[15] ^ lanes[20]
            columns.1 = lanes[1] ^ lanes[6] ^ lanes[11] ^ lanes[16] ^ lanes[21]
            columns.2 = lanes[2] ^ lanes[7] ^ lanes[12] ^ lanes[17] ^ lanes[22]
            columns.3 = lanes[3] ^ lanes[8] ^ lanes[13] ^ lanes[18] ^ lanes[23]
            columns.4 = lanes[4] ^ lanes[9] ^ lanes[14] ^ lanes[19] ^ lanes[24]
            let theta = (
                columns.4 ^ rotateLeft(columns.1, 1),
                columns.0 ^ rotateLeft(columns.2, 1),
                columns.1 ^ rotateLeft(columns.3, 1),
                columns.2 ^ rotateLeft(columns.4, 1),
                columns.3 ^ rotateLeft(columns.0, 1)
            )
            for row in stride(from: 0, to: 25, by: 5) {
                lanes[row] ^= theta.0
                lanes[row + 1] ^= theta.1
                lanes[row + 2] ^= theta.2
                lanes[row + 3] ^= theta.3
                lanes[row + 4] ^= theta.4
            }

            var carried = lanes[1]
            for step in 0..<24 {
                let target = piLanes[step]
                let displaced = lanes[target]
                lanes[target] = rotateLeft(carried, rotations[step])
                carried = displaced
            }

            for row in stride(from: 0, to: 25, by: 5) {
                let a0 = lanes[row], a1 = lanes[row + 1], a2 = lanes[row + 2], a3 = lanes[row + 3], a4 = lanes[row + 4]
                lanes[row] = a0 ^ (~a1 & a2)
                lanes[row + 1] = a1 ^ (~a2 & a3)
                lanes[row + 2] = a2 ^ (~a3 & a4)
                lanes[row + 3] = a3 ^ (~a4 & a0)
                lanes[row + 4] = a4 ^ (~a0 & a1)
            }

            lanes[0] ^= roundConstants[round]
        }
    }
}
