import ArenaCore
import JSONCore

/// One request sent to the venue and what came of it: what an audit trail keeps.
///
/// It is read from the bytes that were actually sent and received, so it holds exactly what the
/// venue saw, and no more: never a key (requests carry none), never a signature (only its hash),
/// never a body.
public struct VenueRequestReport: Sendable, Hashable {
    /// When the attempt started, wall-clock time.
    public var time: Timestamp
    /// `info` or `exchange`.
    public var endpoint: String
    /// The action's `type` (`order`, `cancelByCloid`, ...) or the info request's (`meta`, ...).
    public var actionType: String?
    /// The client order ids the request names (orders, cancels by cloid, modifies), in order.
    public var clientOrderIDs: [String]
    /// The signed request's nonce.
    public var nonce: UInt64?
    /// The address whose key signed the request (an agent's or the account's), lowercase hex.
    public var signerAddress: String?
    /// The vault or subaccount acted for, if any.
    public var vaultAddress: String?
    /// `0x` and the keccak-256 of the 65-byte signature r ‖ s ‖ v: identifies the signature without
    /// storing it.
    public var signatureHash: String?
    /// 1 for the first attempt of a call, 2 and up for repetitions (after a 429, a lost connection).
    public var attempt: Int
    /// Milliseconds from sending to the answer, or to the failure.
    public var latencyMilliseconds: Int64
    /// The HTTP status of the answer; nil when none came.
    public var httpStatus: Int?
    /// The venue's own status for `/exchange` answers: `ok` or `err`.
    public var venueStatus: String?
    /// What went wrong, in the venue's words where it gave some (a refused action, refused orders,
    /// an error body), else the transport's; nil when nothing did.
    public var errorText: String?

    /// Creates a report.
    public init(time: Timestamp, endpoint: String, actionType: String?, clientOrderIDs: [String], nonce: UInt64?,
                signerAddress: String?, vaultAddress: String?, signatureHash: String?, attempt: Int, latencyMilliseconds: Int64,
                httpStatus: Int?, venueStatus: String?, errorText: String?) {
        self.time = time
        self.endpoint = endpoint
        self.actionType = actionType
        self.clientOrderIDs = clientOrderIDs
        self.nonce = nonce
        self.signerAddress = signerAddress
        self.vaultAddress = vaultAddress
        self.signatureHash = signatureHash
        self.attempt = attempt
        self.latencyMilliseconds = latencyMilliseconds
        self.httpStatus = httpStatus
        self.venueStatus = venueStatus
        self.errorText = errorText
    }
}

/// Receives a report of every attempt the info and exchange clients send to the venue, after
/// the attempt and before the client acts on its answer.
///
/// The clients call it on their own task; an implementation should be quick (a database insert
/// is fine) and must not throw: the trail is kept beside trading, never in its way.
public protocol VenueRequestObserver: Sendable {
    /// Takes the report of one finished attempt.
    func venueRequestFinished(_ report: VenueRequestReport)
}

/// Reads the audit's fields out of request and answer bodies.
enum VenueRequestSummary {
    static let limits = JSONParser.Limits(maximumDepth: 32, maximumBytes: 1 << 22)
    /// Error texts are clipped: a venue error is a sentence, not a document.
    static let maximumErrorCharacters = 500

    /// The fields of a request body: its type, client order ids, nonce, vault and signature hash.
    static func request(_ body: [UInt8]) -> (type: String?, clientOrderIDs: [String], nonce: UInt64?, vault: String?, signatureHash: String?) {
        guard let json = try? JSONParser.parse(utf8: body, limits: limits) else { return (nil, [], nil, nil, nil) }
        guard let action = json["action"] else {
            // An info request: `{"type": ..., ...}`.
            return (string(json["type"]), [], nil, nil, nil)
        }
        var clientOrderIDs: [String] = []
        func collect(orders: JSONValue?) {
            guard case .array(let entries)? = orders else { return }
            for entry in entries { if let cloid = string(entry["c"]) { clientOrderIDs.append(cloid) } }
        }
        collect(orders: action["orders"])
        if case .array(let cancels)? = action["cancels"] {
            for cancel in cancels { if let cloid = string(cancel["cloid"]) { clientOrderIDs.append(cloid) } }
        }
        if let order = action["order"] { collect(orders: .array([order])) }
        if case .array(let modifies)? = action["modifies"] {
            collect(orders: .array(modifies.compactMap { $0["order"] }))
        }
        var nonce: UInt64?
        if case .number(let text)? = json["nonce"] { nonce = UInt64(text) }
        return (string(action["type"]), clientOrderIDs, nonce, string(json["vaultAddress"]).map { $0.lowercased() },
                signatureHash(json["signature"]))
    }

    /// The venue's status and error words in an `/exchange` answer; nil status for other bodies.
    static func exchangeAnswer(_ body: [UInt8]) -> (status: String?, error: String?) {
        guard let json = try? JSONParser.parse(utf8: body, limits: limits), let status = string(json["status"]) else {
            return (nil, body.isEmpty ? nil : clip(HyperliquidTransport.detail(of: body)))
        }
        if status == "err" { return (status, clip(string(json["response"]) ?? "refused without a reason")) }
        guard case .array(let statuses)? = json["response"]?["data"]?["statuses"] else { return (status, nil) }
        let errors = statuses.enumerated().compactMap { index, entry in string(entry["error"]).map { "\(index): \($0)" } }
        return (status, errors.isEmpty ? nil : clip(errors.joined(separator: "; ")))
    }

    static func clip(_ text: String) -> String {
        text.count <= maximumErrorCharacters ? text : String(text.prefix(maximumErrorCharacters)) + "…"
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { text } else { nil }
    }

    /// keccak-256 of r ‖ s ‖ v, r and s as 32 bytes each, v as one byte.
    private static func signatureHash(_ signature: JSONValue?) -> String? {
        guard let r = string(signature?["r"]).flatMap(word), let s = string(signature?["s"]).flatMap(word),
              case .number(let vText)? = signature?["v"], let v = UInt8(vText) else { return nil }
        return Hex.prefixed(Keccak256.hash(r + s + [v]))
    }

    /// A `0x` quantity of at most 32 bytes, left-padded to 32.
    private static func word(_ text: String) -> [UInt8]? {
        var digits = Substring(text)
        if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 64 else { return nil }
        return Hex.decode(String(repeating: "0", count: 64 - digits.count) + digits, byteCount: 32)
    }
}
