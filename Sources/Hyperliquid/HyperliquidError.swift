import JSONCore

/// Why a Hyperliquid signing input was refused.
///
/// Messages name the field and the rule broken, never the value: a private key, a signature or a
/// payload must not reach a log through an error.
public enum HyperliquidError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The private key is not 32 bytes of hex or not a valid secp256k1 secret.
    case invalidPrivateKey
    /// A field that must be a 20-byte hex address is not one.
    case invalidAddress(field: String)
    /// A field that must be hex is not, or has the wrong length.
    case invalidHex(field: String)
    /// A decimal cannot be written with at most eight fractional digits without rounding.
    case numberNeedsRounding(field: String)
    /// An action or its fields break the venue's schema.
    case invalidAction(String)
    /// A JSON text could not be parsed; the reason gives the byte offset.
    case invalidJSON(String)
    /// The secp256k1 library refused an operation it should accept.
    case signingFailed(String)

    /// A message naming the field and the rule, without values.
    public var description: String {
        switch self {
        case .invalidPrivateKey:
            "invalid private key: expected 32 bytes as 64 hex digits (optionally 0x-prefixed) forming a valid secp256k1 secret"
        case .invalidAddress(let field):
            "invalid address in \(field): expected 0x and 40 hex digits"
        case .invalidHex(let field):
            "invalid hex in \(field)"
        case .numberNeedsRounding(let field):
            "number in \(field) needs rounding: at most 8 fractional digits are allowed"
        case .invalidAction(let reason):
            "invalid action: \(reason)"
        case .invalidJSON(let reason):
            "invalid JSON: \(reason)"
        case .signingFailed(let reason):
            "signing failed: \(reason)"
        }
    }
}

extension HyperliquidError {
    /// Wraps a parse failure; the parser's description never quotes the input, so this keeps the
    /// rule that no value reaches a log through an error.
    public init(_ error: JSONParseError) {
        self = .invalidJSON(error.description)
    }
}
