import JSONCore

/// The answer of `/exchange`, as the venue shapes it:
/// `{"status": "ok", "response": {"type": "order", "data": {"statuses": [...]}}}`,
/// `{"status": "ok", "response": {"type": "default"}}`, or, with HTTP 200 all the same,
/// `{"status": "err", "response": "why"}`.
public enum ExchangeResponseWire: Sendable, Equatable {
    /// The action was processed; `statuses` holds one entry per order or cancel (empty for actions
    /// that answer `default`).
    case ok(type: String, statuses: [ExchangeStatusWire])
    /// The whole action was refused; the venue's words.
    case err(String)

    /// Parses a response body.
    /// - Throws: `HyperliquidClientError.malformedResponse` naming what is missing; the message
    ///   quotes no more than the venue's own error text.
    public static func parse(_ body: [UInt8]) throws(HyperliquidClientError) -> ExchangeResponseWire {
        let json: JSONValue
        do {
            json = try JSONParser.parse(utf8: body, limits: JSONParser.Limits(maximumDepth: 16, maximumBytes: 1 << 20))
        } catch {
            throw .malformedResponse("the exchange answered with text that is not JSON (\(HyperliquidError(error)))")
        }
        guard case .string(let status)? = json["status"] else {
            throw .malformedResponse("the exchange answer has no status")
        }
        switch status {
        case "ok":
            guard let response = json["response"] else { return .ok(type: "default", statuses: []) }
            guard case .string(let type)? = response["type"] else {
                throw .malformedResponse("the exchange answer's response has no type")
            }
            guard let data = response["data"] else { return .ok(type: type, statuses: []) }
            guard case .array(let entries)? = data["statuses"] else {
                throw .malformedResponse("the exchange answer's data has no statuses")
            }
            var statuses: [ExchangeStatusWire] = []
            statuses.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                statuses.append(try ExchangeStatusWire(json: entry, index: index))
            }
            return .ok(type: type, statuses: statuses)
        case "err":
            if case .string(let text)? = json["response"] { return .err(text) }
            return .err("the exchange refused the action without a reason")
        default:
            throw .malformedResponse("the exchange answer's status is neither ok nor err")
        }
    }
}

/// One entry of `statuses`: what became of one order or cancel.
public enum ExchangeStatusWire: Sendable, Equatable {
    /// Resting on the book (or, for a trigger, waiting for its price) under `oid`.
    case resting(oid: Int64, cloid: String?)
    /// Filled at once, wholly or in part (an IOC's remainder is cancelled).
    case filled(totalSz: String, avgPx: String, oid: Int64, cloid: String?)
    /// Refused; the venue's words.
    case error(String)
    /// A cancel, modify or leverage change that worked.
    case success
    /// A child order of a grouped order waiting for its parent to fill.
    case waitingForFill
    /// A child order waiting for its trigger.
    case waitingForTrigger

    init(json: JSONValue, index: Int) throws(HyperliquidClientError) {
        switch json {
        case .string("success"): self = .success
        case .string("waitingForFill"): self = .waitingForFill
        case .string("waitingForTrigger"): self = .waitingForTrigger
        case .object:
            if case .string(let text)? = json["error"] {
                self = .error(text)
            } else if let resting = json["resting"] {
                guard let oid = Self.integer(resting["oid"]) else {
                    throw .malformedResponse("status \(index) is resting without an order id")
                }
                self = .resting(oid: oid, cloid: Self.string(resting["cloid"]))
            } else if let filled = json["filled"] {
                guard let oid = Self.integer(filled["oid"]), let totalSize = Self.string(filled["totalSz"]),
                      let averagePrice = Self.string(filled["avgPx"])
                else {
                    throw .malformedResponse("status \(index) is filled without oid, totalSz and avgPx")
                }
                self = .filled(totalSz: totalSize, avgPx: averagePrice, oid: oid, cloid: Self.string(filled["cloid"]))
            } else {
                throw .malformedResponse("status \(index) is an object of an unknown kind")
            }
        default:
            throw .malformedResponse("status \(index) is of an unknown kind")
        }
    }

    private static func integer(_ json: JSONValue?) -> Int64? {
        if case .number(let text)? = json { return Int64(text) }
        return nil
    }

    private static func string(_ json: JSONValue?) -> String? {
        if case .string(let text)? = json { return text }
        return nil
    }
}
