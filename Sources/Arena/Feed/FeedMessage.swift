import ArenaCore

/// The kinds of feed message, as they appear in the `type` field.
public enum FeedTopic: String, Sendable, Hashable, Codable, CaseIterable {
    case hello, order, fill, decision, snapshot, price
    case modeChange = "mode_change"
    case alert, leaderboard, funding
}

/// One message of the feed, already encoded: the same bytes go to every client and into the
/// `events` table, so a client that resumes from a seq sees exactly what a live client saw.
public struct FeedMessage: Sendable, Hashable {
    public let seq: Int64
    public let topic: FeedTopic
    public let accountID: AccountID?
    public let time: Timestamp
    /// The whole message as JSON text: `{"type":..,"seq":..,"ts":..,"account_id":..,"data":{..}}`.
    public let json: String

    public init(seq: Int64, topic: FeedTopic, accountID: AccountID?, time: Timestamp, json: String) {
        self.seq = seq
        self.topic = topic
        self.accountID = accountID
        self.time = time
        self.json = json
    }
}
