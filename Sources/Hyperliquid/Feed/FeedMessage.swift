import Foundation

/// A subscription of the venue's WebSocket (`{"method": "subscribe", "subscription": {...}}`).
public enum HyperliquidSubscription: Sendable, Hashable {
    /// Every coin's mid.
    case allMids
    /// One coin's book.
    case l2Book(coin: String)
    /// One coin's trades.
    case trades(coin: String)
    /// One coin's candles at `interval` (`1m`, `5m`, ...).
    case candle(coin: String, interval: String)

    /// The `subscription` object.
    public var wireValue: WireValue {
        switch self {
        case .allMids: .map([("type", .string("allMids"))])
        case .l2Book(let coin): .map([("type", .string("l2Book")), ("coin", .string(coin))])
        case .trades(let coin): .map([("type", .string("trades")), ("coin", .string(coin))])
        case .candle(let coin, let interval): .map([("type", .string("candle")), ("coin", .string(coin)), ("interval", .string(interval))])
        }
    }

    /// The text frame that subscribes.
    public var subscribeMessage: String {
        WireValue.map([("method", .string("subscribe")), ("subscription", wireValue)]).jsonText()
    }

    /// The heartbeat frame; the venue answers `{"channel": "pong"}` and drops connections idle
    /// for 60 seconds.
    public static let pingMessage = #"{"method":"ping"}"#
}

/// One message of the venue's WebSocket, by `channel`.
public enum HyperliquidFeedMessage: Sendable, Equatable {
    /// `allMids`: every coin's mid, by the venue's coin name.
    case allMids([String: String])
    /// `l2Book`: a whole book (the venue sends snapshots, not deltas).
    case l2Book(L2BookSnapshot)
    /// `trades`: new trades.
    case trades([TradeWire])
    /// `candle`: the current candle of a coin.
    case candle(CandleWire)
    /// The answer to a ping.
    case pong
    /// The acknowledgement of a subscription.
    case subscriptionResponse
    /// The venue's complaint about a message we sent.
    case error(String)
    /// A channel this client does not use.
    case other(channel: String)

    private struct Envelope: Decodable { var channel: String }
    private struct Payload<Content: Decodable>: Decodable { var data: Content }
    private struct Mids: Decodable { var mids: [String: String] }

    /// Parses one text frame.
    /// - Throws: `HyperliquidClientError.malformedResponse` naming the channel whose data does not
    ///   have the venue's shape.
    public static func parse(_ text: String) throws(HyperliquidClientError) -> HyperliquidFeedMessage {
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        let channel: String
        do {
            channel = try decoder.decode(Envelope.self, from: data).channel
        } catch {
            throw .malformedResponse("a feed message has no channel")
        }
        do {
            switch channel {
            case "allMids": return .allMids(try decoder.decode(Payload<Mids>.self, from: data).data.mids)
            case "l2Book": return .l2Book(try decoder.decode(Payload<L2BookSnapshot>.self, from: data).data)
            case "trades": return .trades(try decoder.decode(Payload<[TradeWire]>.self, from: data).data)
            case "candle": return .candle(try decoder.decode(Payload<CandleWire>.self, from: data).data)
            case "pong": return .pong
            case "subscriptionResponse": return .subscriptionResponse
            case "error": return .error((try? decoder.decode(Payload<String>.self, from: data).data) ?? "unreadable error")
            default: return .other(channel: channel)
            }
        } catch {
            throw .malformedResponse("the \(channel) message does not have the expected shape (\(HyperliquidInfoClient.describe(error)))")
        }
    }
}
