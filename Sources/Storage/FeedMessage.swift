import ArenaCore

/// The kinds of feed message, as they appear in the `type` field and the `events.type` column.
public enum FeedTopic: String, Sendable, Hashable, Codable, CaseIterable {
    case hello, order, fill, decision, snapshot, price
    case modeChange = "mode_change"
    case alert, leaderboard, funding
    case traderEvent = "trader_event"
}

/// One message of the feed, already encoded: the same bytes go into the `events` table and to
/// every client, so a client that resumes from a seq sees exactly what a live client saw.
public struct FeedMessage: Sendable, Hashable {
    public let seq: Int64
    public let topic: FeedTopic
    public let accountID: AccountID?
    /// The coin the message is about (orders, fills, funding), if one.
    public let symbol: Symbol?
    public let time: Timestamp
    /// The whole message as JSON text: `{"type":..,"seq":..,"ts":..,"account_id":..,"data":{..}}`.
    public let json: String

    /// Wraps an encoded payload in the feed's envelope: the one place the envelope is built.
    /// - Parameter dataJSON: The payload, already encoded as a JSON value.
    public init(seq: Int64, topic: FeedTopic, accountID: AccountID?, symbol: Symbol? = nil, time: Timestamp, dataJSON: String) {
        var json = "{\"type\":\"\(topic.rawValue)\",\"seq\":\(seq),\"ts\":\(time.milliseconds)"
        if let accountID { json += ",\"account_id\":\(accountID.rawValue)" }
        json += ",\"data\":\(dataJSON)}"
        self.init(stored: seq, topic: topic, accountID: accountID, symbol: symbol, time: time, json: json)
    }

    /// A message as read back from the `events` table.
    init(stored seq: Int64, topic: FeedTopic, accountID: AccountID?, symbol: Symbol?, time: Timestamp, json: String) {
        self.seq = seq
        self.topic = topic
        self.accountID = accountID
        self.symbol = symbol
        self.time = time
        self.json = json
    }
}
