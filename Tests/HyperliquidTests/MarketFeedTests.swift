import ArenaCore
import Foundation
import HTTP
import Hummingbird
import HummingbirdWebSocket
import Logging
import Synchronization
import Testing
@testable import Hyperliquid

/// A logger that keeps test output to failures.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}

@Suite("The WebSocket market feed")
struct MarketFeedTests {
    @Test("feed messages parse by channel; unknown channels pass, malformed data is refused")
    func parsing() throws {
        #expect(try HyperliquidFeedMessage.parse(#"{"channel":"allMids","data":{"mids":{"BTC":"65000.5","@1":"1.0"}}}"#)
            == .allMids(["BTC": "65000.5", "@1": "1.0"]))
        guard case .l2Book(let book) = try HyperliquidFeedMessage.parse(
            #"{"channel":"l2Book","data":{"coin":"ETH","time":5,"levels":[[{"px":"2999.9","sz":"1.0","n":1}],[{"px":"3000.1","sz":"2.0","n":2}]]}}"#)
        else {
            Issue.record("not a book")
            return
        }
        #expect(book.coin == "ETH" && book.levels[1][0].n == 2)
        #expect(try HyperliquidFeedMessage.parse(
            #"{"channel":"trades","data":[{"coin":"BTC","side":"B","px":"65000.0","sz":"0.1","time":7,"hash":"0x0","tid":3,"users":["0x1","0x2"]}]}"#)
            == .trades([TradeWire(coin: "BTC", side: "B", px: "65000.0", sz: "0.1", time: 7, tid: 3, hash: "0x0")]))
        #expect(try HyperliquidFeedMessage.parse(#"{"channel":"pong"}"#) == .pong)
        #expect(try HyperliquidFeedMessage.parse(#"{"channel":"subscriptionResponse","data":{"method":"subscribe"}}"#) == .subscriptionResponse)
        #expect(try HyperliquidFeedMessage.parse(#"{"channel":"error","data":"Invalid subscription"}"#) == .error("Invalid subscription"))
        #expect(try HyperliquidFeedMessage.parse(#"{"channel":"notification","data":{}}"#) == .other(channel: "notification"))
        #expect(throws: HyperliquidClientError.self) { try HyperliquidFeedMessage.parse(#"{"channel":"l2Book","data":{"coin":"BTC"}}"#) }
        #expect(throws: HyperliquidClientError.self) { try HyperliquidFeedMessage.parse("[]") }
    }

    @Test("subscriptions and the ping are written as the venue expects")
    func subscriptionFrames() {
        #expect(HyperliquidSubscription.allMids.subscribeMessage == #"{"method":"subscribe","subscription":{"type":"allMids"}}"#)
        #expect(HyperliquidSubscription.candle(coin: "BTC", interval: "1m").subscribeMessage
            == #"{"method":"subscribe","subscription":{"type":"candle","coin":"BTC","interval":"1m"}}"#)
        #expect(HyperliquidSubscription.pingMessage == #"{"method":"ping"}"#)
    }

    @Test("the state keeps the wanted coins, counts each trade once, and never goes back to an older candle")
    func state() {
        var state = HyperliquidFeedState()
        state.apply(.allMids(["BTC": "100", "DOGE": "0.1", "ETH": "junk"]), coins: ["BTC", "ETH"])
        #expect(state.mids == ["BTC": FixedDecimal(100)])
        let trade = TradeWire(coin: "BTC", side: "A", px: "100", sz: "0.5", time: 1, tid: 10)
        state.apply(.trades([trade, TradeWire(coin: "BTC", side: "B", px: "100", sz: "0.25", time: 2, tid: 11)]), coins: ["BTC"])
        state.apply(.trades([trade]), coins: ["BTC"])
        #expect(state.takeVolumes() == ["BTC": FixedDecimal(75, exponent: 2)])
        #expect(state.volumes.isEmpty)
        let newer = CandleWire(t: 120_000, T: 179_999, s: "BTC", i: "1m", o: "1", c: "2", h: "2", l: "1", v: "3", n: 4)
        let older = CandleWire(t: 60_000, T: 119_999, s: "BTC", i: "1m", o: "1", c: "1", h: "1", l: "1", v: "1", n: 1)
        state.apply(.candle(newer), coins: ["BTC"])
        state.apply(.candle(older), coins: ["BTC"])
        #expect(state.candles["BTC"] == newer)
        state.apply(.l2Book(L2BookSnapshot(coin: "BTC", time: 9, levels: [[L2Level(px: "bad", sz: "1", n: 1)], []])), coins: ["BTC"])
        #expect(state.malformedMessages == 1 && state.books["BTC"] == nil)
    }

    @Test("candle intervals convert to milliseconds", arguments: [("1m", Int64(60_000)), ("15m", 900_000), ("4h", 14_400_000), ("1d", 86_400_000)])
    func intervals(interval: String, milliseconds: Int64) {
        #expect(HyperliquidMarketFeed.milliseconds(ofInterval: interval) == milliseconds)
    }

    @Test("reconnection waits grow exponentially up to the cap, scaled by the jitter")
    func backoff() {
        let base = Duration.milliseconds(500)
        #expect(HyperliquidMarketFeed.backoff(failure: 1, base: base, maximum: .seconds(30), random: 1) == .milliseconds(500))
        #expect(HyperliquidMarketFeed.backoff(failure: 4, base: base, maximum: .seconds(30), random: 1) == .seconds(4))
        #expect(HyperliquidMarketFeed.backoff(failure: 30, base: base, maximum: .seconds(30), random: 0.5) == .seconds(15))
    }

    @Test("the feed subscribes, pings, and after a dropped connection reconnects, fills the gap over REST and subscribes again")
    func reconnects() async throws {
        let venue = FakeFeedVenue()
        try await venue.withRunning { port in
            let http = try HTTPClient()
            let endpoint = try HyperliquidEndpoint(network: .mainnet, baseURL: "http://127.0.0.1:\(port)")
            #expect(endpoint.webSocketURL == "ws://127.0.0.1:\(port)/ws")
            let info = HyperliquidInfoClient(http: http, endpoint: endpoint, limiter: RequestWeightLimiter())
            let feed = HyperliquidMarketFeed(
                configuration: .init(endpoint: endpoint, coins: ["BTC", "ETH"], heartbeatInterval: .milliseconds(100), staleAfter: .seconds(5),
                                     reconnectBaseDelay: .milliseconds(50), maximumReconnectDelay: .milliseconds(200)),
                info: info, logger: quietLogger("feed-test"))
            try await feed.loadFromREST()
            #expect(feed.current.mids["BTC"] == FixedDecimal(65_000))
            #expect(feed.current.contexts["ETH"]?.markPx == "3001.0")

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await feed.run() }
                var done = false
                for _ in 0..<500 {
                    let counters = feed.counters
                    if counters.connections >= 2, counters.gapFills >= 1, feed.current.mids["BTC"] == FixedDecimal(65_100) {
                        done = true
                        break
                    }
                    try await Task.sleep(for: .milliseconds(10))
                }
                group.cancelAll()
                #expect(done, "the feed did not reconnect and catch up: \(feed.counters), \(feed.current.mids)")
            }
            let subscriptions = venue.subscriptions
            #expect(subscriptions.count >= 2)
            let expected: Set<String> = [
                #"{"type":"allMids"}"#, #"{"type":"l2Book","coin":"BTC"}"#, #"{"type":"trades","coin":"BTC"}"#,
                #"{"type":"candle","coin":"BTC","interval":"1m"}"#, #"{"type":"l2Book","coin":"ETH"}"#, #"{"type":"trades","coin":"ETH"}"#,
                #"{"type":"candle","coin":"ETH","interval":"1m"}"#,
            ]
            for connection in subscriptions.prefix(2) { #expect(Set(connection) == expected) }
            #expect(venue.pings >= 1)
            #expect(feed.current.books["BTC"]?.bestBid == FixedDecimal(64_999))
            #expect(feed.current.volumes["BTC"] == FixedDecimal(2, exponent: 1))
            #expect(feed.current.candles["BTC"]?.t == 120_000)
            // Once at the start, once to fill the gap.
            #expect(venue.restCalls["l2Book"] == 4)
            http.shutdown()
        }
    }
}

/// A venue on 127.0.0.1 for the feed: `/info` answers the REST reads, `/ws` takes subscriptions,
/// answers pings, sends a book, a trade and mids, and closes the first connection after a moment.
final class FakeFeedVenue: Sendable {
    private let state = Mutex<(subscriptions: [[String]], pings: Int, restCalls: [String: Int])>(([], 0, [:]))

    var subscriptions: [[String]] { state.withLock { $0.subscriptions } }
    var pings: Int { state.withLock { $0.pings } }
    var restCalls: [String: Int] { state.withLock { $0.restCalls } }

    static let contexts = #"""
    [{"universe":[{"name":"BTC","szDecimals":5,"maxLeverage":40},{"name":"ETH","szDecimals":4,"maxLeverage":25}]},
     [{"funding":"0.00001","openInterest":"10.0","oraclePx":"65000.0","markPx":"65001.0","midPx":"65000.0"},
      {"funding":"0.00002","openInterest":"20.0","oraclePx":"3000.0","markPx":"3001.0","midPx":"3000.0"}]]
    """#

    func withRunning(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.post("/info") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
            let type = object?["type"] as? String ?? ""
            self.state.withLock { $0.restCalls[type, default: 0] += 1 }
            let answer: String = switch type {
            case "metaAndAssetCtxs": Self.contexts
            case "meta": #"{"universe":[{"name":"BTC","szDecimals":5,"maxLeverage":40},{"name":"ETH","szDecimals":4,"maxLeverage":25}]}"#
            case "allMids": #"{"BTC":"65000.0","ETH":"3000.0"}"#
            case "candleSnapshot":
                #"[{"t":60000,"T":119999,"s":"BTC","i":"1m","o":"1","c":"2","h":"2","l":"1","v":"5","n":3},{"t":120000,"T":179999,"s":"BTC","i":"1m","o":"2","c":"3","h":"3","l":"2","v":"1","n":1}]"#
            case "l2Book":
                #"{"coin":"\#(object?["coin"] as? String ?? "")","time":1,"levels":[[{"px":"64999.0","sz":"1.0","n":1}],[{"px":"65001.0","sz":"1.0","n":1}]]}"#
            default: "null"
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        router.ws("/ws") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, _ in
            let connection = self.state.withLock { state in
                state.subscriptions.append([])
                return state.subscriptions.count
            }
            var subscribed = 0
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = message,
                      let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { continue }
                if object["method"] as? String == "ping" {
                    self.state.withLock { $0.pings += 1 }
                    try await outbound.writeTextMessage(#"{"channel":"pong"}"#)
                    if connection == 1 {
                        // Enough seen: drop this connection so the client must come back.
                        return
                    }
                    continue
                }
                guard let subscription = object["subscription"],
                      let data = try? JSONSerialization.data(withJSONObject: subscription, options: [.sortedKeys]) else { continue }
                let key = Self.venueOrder(String(decoding: data, as: UTF8.self))
                self.state.withLock { $0.subscriptions[connection - 1].append(key) }
                subscribed += 1
                try await outbound.writeTextMessage(#"{"channel":"subscriptionResponse","data":{"method":"subscribe"}}"#)
                if subscribed == 7 {
                    let mid = connection == 1 ? "64900.0" : "65100.0"
                    try await outbound.writeTextMessage(#"{"channel":"allMids","data":{"mids":{"BTC":"\#(mid)","SOL":"150.0"}}}"#)
                    if connection > 1 {
                        try await outbound.writeTextMessage(#"{"channel":"trades","data":[{"coin":"BTC","side":"B","px":"65100.0","sz":"0.2","time":5,"tid":\#(connection)}]}"#)
                    }
                }
            }
        }
        let port = Mutex<Int?>(nil)
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
                              logger: quietLogger("fake-feed-venue"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var bound: Int?
            for _ in 0..<500 {
                bound = port.withLock { $0 }
                if bound != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            guard let bound else {
                group.cancelAll()
                throw HyperliquidClientError.invalidRequest("the fake feed venue did not start")
            }
            do {
                try await body(bound)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Writes a subscription with `type` first and the venue's key order, for comparison.
    static func venueOrder(_ sortedJSON: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(sortedJSON.utf8)) as? [String: String], let type = object["type"] else {
            return sortedJSON
        }
        var entries: [(key: String, value: WireValue)] = [("type", .string(type))]
        for key in ["coin", "interval"] { if let value = object[key] { entries.append((key, .string(value))) } }
        return WireValue.map(entries).jsonText()
    }
}
