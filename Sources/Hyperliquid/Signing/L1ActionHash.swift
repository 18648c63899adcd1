/// The hash that binds an L1 action to its nonce, vault and expiry: the `connectionId` of the
/// phantom agent that is actually signed.
public enum L1ActionHash {
    /// Returns the bytes appended to the action's msgpack: the nonce as 8 bytes big-endian, then
    /// 0x00 without a vault or 0x01 and the vault's 20 bytes, then, only when an expiry is set,
    /// 0x00 and the expiry as 8 bytes big-endian.
    public static func suffix(nonce: UInt64, vaultAddress: EthereumAddress?, expiresAfter: UInt64?) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(38)
        WireValue.appendBigEndian(nonce, byteCount: 8, to: &bytes)
        if let vaultAddress {
            bytes.append(0x01)
            bytes.append(contentsOf: vaultAddress.bytes)
        } else {
            bytes.append(0x00)
        }
        if let expiresAfter {
            bytes.append(0x00)
            WireValue.appendBigEndian(expiresAfter, byteCount: 8, to: &bytes)
        }
        return bytes
    }

    /// Returns keccak256(msgpack(action) ‖ suffix).
    public static func connectionID(action: WireValue, nonce: UInt64, vaultAddress: EthereumAddress?, expiresAfter: UInt64?) -> [UInt8] {
        var bytes = action.messagePack()
        bytes.append(contentsOf: suffix(nonce: nonce, vaultAddress: vaultAddress, expiresAfter: expiresAfter))
        return Keccak256.hash(bytes)
    }

    /// Returns the phantom agent `Agent(string source,bytes32 connectionId)` that is signed in the
    /// `Exchange` domain.
    public static func phantomAgent(connectionID: [UInt8], network: HyperliquidNetwork) -> EIP712Struct {
        EIP712Struct(typeName: "Agent", fields: [
            .init("source", .string(network.phantomAgentSource)),
            .init("connectionId", .bytes32(connectionID)),
        ])
    }
}
