import ArenaCore
import Foundation

/// How an alert is written for its receiver.
public enum AlertFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// `{"kind", "message", "account_id", "seq", "time", "source"}`.
    case generic
    /// Slack's incoming webhook: `{"text": ...}`.
    case slack
    /// Discord's webhook: `{"content": ...}` (at most 2000 characters).
    case discord
    /// Telegram's `sendMessage`: `{"chat_id": ..., "text": ...}`.
    case telegram
}

/// Where alerts go: a URL that may hold a token (Slack's and Telegram's do), so it is shown only
/// masked, and a format.
public struct AlertWebhook: Sendable, Hashable {
    public let id: Int64
    /// The whole URL: a secret, never shown, logged or stored.
    let url: String
    public let format: AlertFormat
    /// Telegram's chat (a number or `@channel`): the `chat_id` field, or the URL's `chat_id` query.
    let chatID: String?
    /// `roster` or `api`.
    public let source: String

    /// Telegram's chat id: not a secret (the bot token is), so shown as is.
    public var chatIDForDisplay: String? { chatID }

    /// The URL with no path, query or credentials: safe to show.
    public var maskedURL: String { Self.mask(url) }

    /// Checks a webhook's fields; returns the URL to post to and Telegram's chat id.
    /// - Throws: `ArenaError.invalidRequest` naming what is wrong.
    static func validated(url: String, format: AlertFormat, chatID: String?) throws -> (url: String, chatID: String?) {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 2_048, let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil else {
            throw ArenaError.invalidRequest("url must be an http or https URL of at most 2048 characters, without a user or password.")
        }
        guard format == .telegram else {
            guard chatID == nil else { throw ArenaError.invalidRequest("chat_id is for the telegram format only.") }
            return (trimmed, nil)
        }
        // Telegram: the chat may come in the URL's query; the request then goes to the URL without it.
        var postURL = components
        let queryChat = components.queryItems?.first(where: { $0.name == "chat_id" })?.value
        postURL.queryItems = components.queryItems?.filter { $0.name != "chat_id" }
        if postURL.queryItems?.isEmpty == true { postURL.queryItems = nil }
        guard let chat = (chatID ?? queryChat)?.trimmingCharacters(in: .whitespaces), !chat.isEmpty, chat.count <= 128 else {
            throw ArenaError.invalidRequest("The telegram format needs the chat: give chat_id, or ?chat_id=... in the url (https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat>).")
        }
        return (postURL.string ?? trimmed, chat)
    }

    /// `scheme://host[:port]/…`: what identifies a webhook to a person without its token.
    static func mask(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(unreadable url)"
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let hidden = components.path.isEmpty || components.path == "/" ? (components.query == nil ? "" : "/…") : "/…"
        return "\(scheme)://\(host)\(port)\(hidden)"
    }

    /// The request body of `event` in this webhook's format.
    func body(for event: AlertEvent) -> [UInt8] {
        let text = event.text
        let object: [String: Any]
        switch format {
        case .generic:
            object = ["source": "arena", "kind": event.kind, "message": event.message,
                      "account_id": event.accountID.map { $0.rawValue as Any } ?? NSNull(),
                      "seq": event.seq.map { $0 as Any } ?? NSNull(), "time": event.time.milliseconds]
        case .slack:
            object = ["text": text]
        case .discord:
            object = ["content": String(text.prefix(2_000))]
        case .telegram:
            object = ["chat_id": chatID ?? "", "text": String(text.prefix(4_096))]
        }
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
    }
}

/// A stored webhook whose URL could not be decrypted at start (another master key, altered data):
/// what may be shown of it and why it receives nothing.
public struct UnreadableAlertWebhook: Sendable, Hashable {
    public let id: Int64
    public let maskedURL: String
    public let format: String
    public let chatID: String?
    public let error: String
}

/// Something a person must see, as the feed recorded it.
public struct AlertEvent: Sendable, Hashable {
    /// `halted`, `kill_switch`, `liquidation`, `mode_change`, `model_failures`, `market_source_down`, ...
    public var kind: String
    public var message: String
    public var accountID: AccountID?
    /// The feed message that reported it.
    public var seq: Int64?
    public var time: Timestamp

    public init(kind: String, message: String, accountID: AccountID? = nil, seq: Int64? = nil, time: Timestamp) {
        self.kind = kind
        self.message = message
        self.accountID = accountID
        self.seq = seq
        self.time = time
    }

    /// One line for chat formats.
    var text: String { "[arena] \(kind): \(message)" }
}

/// The `alerts` section of a roster: webhooks that exist from start-up, and when to alert.
public struct AlertSettings: Sendable, Decodable, Hashable {
    public struct Webhook: Sendable, Decodable, Hashable {
        /// The URL itself; prefer `url_env` for URLs holding a token.
        public var url: String?
        /// The NAME of the environment variable holding the URL.
        public var url_env: String?
        public var format: AlertFormat
        public var chat_id: String?
    }

    public var webhooks: [Webhook]?
    /// Model failures in a row (per account) that raise a `model_failures` alert; default 3.
    public var model_failures_in_a_row: Int?
    /// Deliveries per webhook per minute at most; more are stored as `rate_limited`; default 20.
    public var max_per_minute: Int?

    /// Checks the numbers; the webhooks are checked when they are added.
    /// - Throws: `ArenaError.invalidRoster` naming the problem.
    func validate() throws {
        if let count = model_failures_in_a_row, !(1...1_000).contains(count) {
            throw ArenaError.invalidRoster("alerts.model_failures_in_a_row must be 1 to 1000")
        }
        if let rate = max_per_minute, !(1...10_000).contains(rate) {
            throw ArenaError.invalidRoster("alerts.max_per_minute must be 1 to 10000")
        }
        for webhook in webhooks ?? [] where (webhook.url == nil) == (webhook.url_env == nil) {
            throw ArenaError.invalidRoster("each alerts webhook needs exactly one of url and url_env")
        }
    }
}
