import CSecp256k1
import Glibc

/// A secp256k1 private key that signs 32-byte digests the way Ethereum wallets do, and the
/// address it controls.
///
/// `@unchecked Sendable`: the libsecp256k1 context is created and randomized in `init`, before
/// `self` can be shared; afterwards only functions taking a `const` context are called, which the
/// library documents as safe from several threads at once. The key buffer is written only in
/// `init` and `deinit`. Nothing is mutated after `init`, so sharing the instance is safe.
public final class Signer: @unchecked Sendable {
    private let context: OpaquePointer
    /// The 32-byte secret, in memory we own so that `deinit` can wipe it.
    private let secretKey: UnsafeMutablePointer<UInt8>

    /// The address of the key: keccak256 of the uncompressed public key, last 20 bytes.
    public let address: EthereumAddress

    /// Creates a signer from `0x` and 64 hex digits (the prefix is optional).
    /// - Throws: `HyperliquidError.invalidPrivateKey`; the message never contains the key.
    public convenience init(privateKeyHex: String) throws(HyperliquidError) {
        guard var bytes = Hex.decode(privateKeyHex, byteCount: 32) else { throw .invalidPrivateKey }
        defer { bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
        try self.init(privateKey: bytes)
    }

    /// Creates a signer from the 32 bytes of a private key.
    /// - Throws: `HyperliquidError.invalidPrivateKey` unless the bytes are a valid secp256k1
    ///   secret (non-zero and below the curve order).
    public init(privateKey: [UInt8]) throws(HyperliquidError) {
        guard privateKey.count == 32 else { throw .invalidPrivateKey }
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            throw .signingFailed("could not create a secp256k1 context")
        }
        // Randomization blinds the signing computation against side channels; it must happen
        // now, while no other thread can see the context.
        var seed = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in seed.indices { seed[index] = UInt8.random(in: .min ... .max, using: &generator) }
        guard secp256k1_context_randomize(context, seed) == 1 else {
            secp256k1_context_destroy(context)
            throw .signingFailed("could not randomize the secp256k1 context")
        }
        let secretKey = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
        secretKey.initialize(from: privateKey, count: 32)
        func discard() {
            explicit_bzero(secretKey, 32)
            secretKey.deallocate()
            secp256k1_context_destroy(context)
        }
        guard secp256k1_ec_seckey_verify(context, secretKey) == 1 else {
            discard()
            throw .invalidPrivateKey
        }
        var publicKey = secp256k1_pubkey()
        var serialized = [UInt8](repeating: 0, count: 65)
        var serializedLength = 65
        guard secp256k1_ec_pubkey_create(context, &publicKey, secretKey) == 1,
              secp256k1_ec_pubkey_serialize(context, &serialized, &serializedLength, &publicKey, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1,
              serializedLength == 65,
              let address = EthereumAddress(uncompressedPublicKey: Array(serialized.dropFirst()))
        else {
            discard()
            throw .signingFailed("could not derive the public key")
        }
        self.context = context
        self.secretKey = secretKey
        self.address = address
    }

    deinit {
        explicit_bzero(secretKey, 32)
        secretKey.deallocate()
        secp256k1_context_destroy(context)
    }

    /// Signs a 32-byte digest with the deterministic RFC 6979 nonce (libsecp256k1's default, no
    /// extra entropy), so the same key and digest always give the same signature, with a low s.
    /// - Throws: `HyperliquidError.signingFailed` when the digest is not 32 bytes or the library
    ///   fails.
    public func sign(digest: [UInt8]) throws(HyperliquidError) -> RecoverableSignature {
        guard digest.count == 32 else { throw .signingFailed("the digest must be 32 bytes") }
        var signature = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secretKey, nil, nil) == 1 else {
            throw .signingFailed("secp256k1 could not sign")
        }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        guard secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature) == 1,
              let result = RecoverableSignature(r: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryID: UInt8(truncatingIfNeeded: recoveryID))
        else {
            throw .signingFailed("secp256k1 could not serialize the signature")
        }
        return result
    }
}

extension Signer: CustomStringConvertible {
    /// Names the address only; the key never appears.
    public var description: String { "Signer(\(address.checksummed))" }
}
