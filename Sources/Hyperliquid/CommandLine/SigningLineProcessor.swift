import JSONCore

/// Signs one request per line of JSON, for `arena hyperliquid sign` and for cross-checking this
/// module against the Python SDK.
///
/// An input line is an object with the keys of a signing vector: `kind` ("l1" or "user_signed"),
/// `private_key`, `action` (an object, in wire key order), `nonce` (l1), `is_mainnet`, and
/// optionally `vault_address` and `expires_after` (l1 only; null or absent when unset). Other keys
/// are ignored. The output line is
/// `{"connection_id":…,"digest":…,"signature":{"r":…,"s":…,"v":…},"signer_address":…}`
/// (`connection_id` for l1 only), or `{"error":"…"}` naming what was wrong; an error never
/// repeats the private key or any other input value. A user-signed `approveAgent` may leave out
/// `agentName`, as the SDK posts an unnamed agent: it is then signed with the empty name.
public enum SigningLineProcessor {
    /// The longest line accepted, in bytes.
    public static let maximumLineBytes = 1 << 20

    /// The output for a line longer than `maximumLineBytes`, which a reader may discard unread.
    public static var oversizedLineResponse: String {
        errorLine("line exceeds \(maximumLineBytes) bytes")
    }

    /// Returns the output line (without a newline) for one input line (without its newline).
    public static func process(_ line: some StringProtocol) -> String {
        process(utf8: Array(line.utf8))
    }

    /// Returns the output line (without a newline) for one input line given as UTF-8 bytes.
    public static func process(utf8 line: [UInt8]) -> String {
        do {
            return try sign(line).jsonText()
        } catch {
            return errorLine(error.description)
        }
    }

    static func errorLine(_ message: String) -> String {
        WireValue.map([("error", .string(message))]).jsonText()
    }

    private static func sign(_ line: [UInt8]) throws(HyperliquidError) -> WireValue {
        guard line.count <= maximumLineBytes else { throw .invalidJSON("line exceeds \(maximumLineBytes) bytes") }
        let request: JSONValue
        do {
            request = try JSONParser.parse(utf8: line, limits: .init(maximumDepth: 32, maximumBytes: maximumLineBytes))
        } catch {
            throw HyperliquidError(error)
        }
        guard case .object = request else { throw .invalidJSON("the line must be a JSON object") }

        guard case .string(let kind)? = request["kind"] else { throw missing("kind", "a string") }
        guard kind == "l1" || kind == "user_signed" else { throw .invalidAction("kind must be \"l1\" or \"user_signed\"") }
        guard case .string(let privateKey)? = request["private_key"] else { throw missing("private_key", "a string") }
        guard case .bool(let isMainnet)? = request["is_mainnet"] else { throw missing("is_mainnet", "true or false") }
        let network: HyperliquidNetwork = isMainnet ? .mainnet : .testnet
        guard let actionJSON = request["action"], case .object = actionJSON else { throw missing("action", "an object") }
        let action = try WireValue(json: actionJSON, path: "action")
        guard case .string? = action["type"] else { throw .invalidAction("action.type must be a string") }
        let vaultAddress = try optionalAddress(request["vault_address"], key: "vault_address")
        let expiresAfter = try optionalUnsigned(request["expires_after"], key: "expires_after")

        let signer = try Signer(privateKeyHex: privateKey)
        var output: [(key: String, value: WireValue)] = []
        let digest: [UInt8]
        let signature: RecoverableSignature
        if kind == "l1" {
            guard let nonceJSON = request["nonce"] else { throw missing("nonce", "a non-negative integer") }
            guard let nonce = try optionalUnsigned(nonceJSON, key: "nonce") else {
                throw missing("nonce", "a non-negative integer")
            }
            let signed = try signer.signL1Action(action, nonce: nonce, vaultAddress: vaultAddress, expiresAfter: expiresAfter, network: network)
            output.append(("connection_id", .string(Hex.prefixed(signed.connectionID))))
            digest = signed.digest
            signature = signed.signature
        } else {
            guard expiresAfter == nil else { throw .invalidAction("expires_after is not supported on user-signed actions") }
            guard case .string(let chain)? = action["hyperliquidChain"] else {
                throw .invalidAction("action.hyperliquidChain must be \"Mainnet\" or \"Testnet\"")
            }
            guard chain == network.chainName else {
                throw .invalidAction("action.hyperliquidChain does not match is_mainnet")
            }
            let signed = try signer.signUserSignedAction(action)
            digest = signed.digest
            signature = signed.signature
        }
        output.append(("digest", .string(Hex.prefixed(digest))))
        output.append(("signature", signature.wireValue))
        output.append(("signer_address", .string(signer.address.checksummed)))
        return .map(output)
    }

    private static func missing(_ key: String, _ expected: String) -> HyperliquidError {
        .invalidAction("the key \(key) must be present and be \(expected)")
    }

    private static func optionalAddress(_ value: JSONValue?, key: String) throws(HyperliquidError) -> EthereumAddress? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let text)?:
            guard let address = EthereumAddress(hex: text) else { throw .invalidAddress(field: key) }
            return address
        default:
            throw .invalidAction("\(key) must be null or an address string")
        }
    }

    private static func optionalUnsigned(_ value: JSONValue?, key: String) throws(HyperliquidError) -> UInt64? {
        switch value {
        case nil, .null?:
            return nil
        case .number(let text)?:
            guard let number = UInt64(text) else { throw .invalidAction("\(key) must be a non-negative integer below 2^64") }
            return number
        default:
            throw .invalidAction("\(key) must be null or a non-negative integer")
        }
    }
}

/// Returns the output line for one input line of `arena hyperliquid sign`; see
/// `SigningLineProcessor`.
public func processSigningLine(_ line: String) -> String {
    SigningLineProcessor.process(line)
}
