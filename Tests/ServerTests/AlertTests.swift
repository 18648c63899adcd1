import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Custody
import Foundation
import class HTTP.HTTPClient
import Hummingbird
import HummingbirdTesting
import Logging
import Market
import Server
import ServiceLifecycle
import Storage
import Synchronization
import Testing

/// Alert webhooks against a real receiver on 127.0.0.1: each format's payload, retries with
/// backoff, the rate limit, what is stored, and the admin API that manages them.
@Suite("Alerts")
struct AlertTests {
    /// A webhook receiver: `POST /ok/...` answers 200, `POST /fail` 503; every request is kept.
    final class Receiver: Sendable {
        struct Received: Sendable {
            let path: String
            let body: [String: any Sendable]
            let contentType: String?
            let at: ContinuousClock.Instant
        }

        final class Log: Sendable { let items = Mutex<[Received]>([]) }

        let log = Log()
        let port: Int
        private let task: Task<Void, any Error>

        init() async throws {
            let router = Router()
            let log = self.log
            @Sendable func keep(_ request: Request, _ context: BasicRequestContext) async throws {
                let buffer = try await request.body.collect(upTo: 1 << 20)
                let object = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
                let body = object.mapValues { value -> any Sendable in
                    if let text = value as? String { return text }
                    if let number = value as? NSNumber { return number.int64Value }
                    return "\(value)"
                }
                log.items.withLock {
                    $0.append(Received(path: request.uri.path, body: body, contentType: request.headers[.contentType], at: .now))
                }
            }
            router.post("/ok/{name}") { request, context in
                try await keep(request, context)
                return Response(status: .ok)
            }
            router.post("/fail") { request, context in
                try await keep(request, context)
                return Response(status: .serviceUnavailable)
            }
            let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                                  logger: Logger(label: "receiver"))
            task = Task { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = stream.makeAsyncIterator()
            port = await iterator.next() ?? 0
        }

        deinit { task.cancel() }

        func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
        var all: [Received] { log.items.withLock { $0 } }
    }

    /// A recorder over a fresh ledger and an alert service following its feed, running for `body`.
    static func withAlerts<Value>(policy: AlertPolicy,
                                  _ body: (Recorder, AlertService) async throws -> Value) async throws -> Value {
        let test = try TestLedger(accounts: 1)
        let recorder = try Recorder(ledger: test.ledger)
        let alerts = try AlertService(ledger: test.ledger, bus: recorder.bus, http: try HTTPClient(), policy: policy,
                                      vault: try Self.vault(test.ledger), logger: Logger(label: "alerts"))
        let task = Task { try await alerts.run() }
        defer { task.cancel() }
        // The service subscribes as it starts: give it that moment before anything is recorded.
        try await Task.sleep(for: .milliseconds(100))
        let value = try await body(recorder, alerts)
        _ = test
        return value
    }

    /// A vault under a fresh random master key: webhooks added through the API are sealed in it.
    static func vault(_ ledger: LedgerStore) throws -> KeyVault {
        try KeyVault(store: ledger, masterKey: try MasterKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) }),
                     now: Timestamp(milliseconds: 1_700_000_000_000))
    }

    static func halt(_ recorder: Recorder, account: Int64 = 1, message: String = "account-1 was halted: drawdown 12% is over the limit 10%.") throws {
        try recorder.record([FeedDraft(.alert, accountID: AccountID(account), time: Timestamp(milliseconds: 1_700_000_000_000),
                                       data: AlertView(kind: "halted", message: message))])
    }

    /// Waits until `count` deliveries are stored.
    static func deliveries(_ alerts: AlertService, count: Int, timeout: Duration = .seconds(20)) async throws -> [AlertDeliveryRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let rows = try alerts.deliveries(webhookID: nil, before: nil, limit: 100)
            if rows.count >= count || ContinuousClock.now > deadline { return rows }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("a halt is delivered to a webhook of each format, in its real payload shape, and stored")
    func eachFormat() async throws {
        let receiver = try await Receiver()
        try await Self.withAlerts(policy: AlertPolicy()) { recorder, alerts in
            _ = try alerts.add(url: receiver.url("/ok/generic"), format: .generic, chatID: nil)
            _ = try alerts.add(url: receiver.url("/ok/slack-T000-B000-secret"), format: .slack, chatID: nil)
            _ = try alerts.add(url: receiver.url("/ok/discord-123-secret"), format: .discord, chatID: nil)
            _ = try alerts.add(url: receiver.url("/ok/bot123:secret-sendMessage?chat_id=-100777"), format: .telegram, chatID: nil)
            try Self.halt(recorder)
            let rows = try await Self.deliveries(alerts, count: 4)
            #expect(rows.count == 4)
            #expect(rows.allSatisfy { $0.status == "delivered" && $0.attempts == 1 && $0.httpStatus == 200 && $0.eventKind == "halted" })
            #expect(rows.allSatisfy { $0.accountID == AccountID(1) && $0.eventSeq != nil })
            #expect(rows.allSatisfy { !$0.webhook.contains("secret") }, "a stored webhook is not masked: \(rows.map(\.webhook))")

            let received = receiver.all
            #expect(received.count == 4)
            #expect(received.allSatisfy { $0.contentType == "application/json" })
            let generic = try #require(received.first { $0.path == "/ok/generic" })
            #expect(generic.body["kind"] as? String == "halted")
            #expect((generic.body["message"] as? String)?.contains("drawdown") == true)
            #expect(generic.body["account_id"] as? Int64 == 1)
            let slack = try #require(received.first { $0.path.hasPrefix("/ok/slack") })
            #expect(Set(slack.body.keys) == ["text"])
            #expect((slack.body["text"] as? String)?.contains("halted") == true)
            let discord = try #require(received.first { $0.path.hasPrefix("/ok/discord") })
            #expect(Set(discord.body.keys) == ["content"])
            let telegram = try #require(received.first { $0.path.hasPrefix("/ok/bot123") })
            #expect(Set(telegram.body.keys) == ["chat_id", "text"])
            #expect(telegram.body["chat_id"] as? String == "-100777")
        }
    }

    @Test("a failing receiver is retried with doubling waits, then the delivery is stored as failed")
    func retries() async throws {
        let receiver = try await Receiver()
        try await Self.withAlerts(policy: AlertPolicy(maximumAttempts: 3, baseDelay: .milliseconds(200))) { recorder, alerts in
            _ = try alerts.add(url: receiver.url("/fail"), format: .generic, chatID: nil)
            try Self.halt(recorder)
            let rows = try await Self.deliveries(alerts, count: 1)
            let row = try #require(rows.first)
            #expect(row.status == "failed")
            #expect(row.attempts == 3)
            #expect(row.httpStatus == 503)
            #expect(row.error?.contains("503") == true)
            let times = receiver.all.map(\.at)
            #expect(times.count == 3)
            if times.count == 3 {
                #expect(times[1] - times[0] >= .milliseconds(190))
                #expect(times[2] - times[1] >= .milliseconds(390), "the second wait doubles")
            }
        }
    }

    @Test("the rate limit holds per webhook: the rest are stored as rate_limited, not sent")
    func rateLimit() async throws {
        let receiver = try await Receiver()
        try await Self.withAlerts(policy: AlertPolicy(maximumPerMinute: 2)) { recorder, alerts in
            let limited = try alerts.add(url: receiver.url("/ok/a"), format: .slack, chatID: nil)
            for index in 0..<5 { try Self.halt(recorder, message: "halt \(index)") }
            let rows = try await Self.deliveries(alerts, count: 5)
            #expect(rows.filter { $0.status == "delivered" }.count == 2)
            #expect(rows.filter { $0.status == "rate_limited" && $0.attempts == 0 }.count == 3)
            #expect(rows.allSatisfy { $0.webhookID == limited.id })
            #expect(receiver.all.count == 2)
        }
    }

    @Test("N failed model decisions in a row raise one alert; a success resets the count")
    func modelFailures() async throws {
        let receiver = try await Receiver()
        try await Self.withAlerts(policy: AlertPolicy(modelFailuresInARow: 3)) { recorder, alerts in
            _ = try alerts.add(url: receiver.url("/ok/generic"), format: .generic, chatID: nil)
            func decision(_ outcome: String) throws {
                try recorder.record([FeedDraft(.decision, accountID: AccountID(1), time: Timestamp(milliseconds: 1),
                                               data: ["outcome": outcome, "driver": "llm", "rejection_reason": "the model timed out"])])
            }
            for outcome in ["failed", "failed", "hold", "failed", "failed", "failed", "failed"] { try decision(outcome) }
            try recorder.record([FeedDraft(.modeChange, accountID: AccountID(1), time: Timestamp(milliseconds: 2), data: ModeChangeProbe())])
            let rows = try await Self.deliveries(alerts, count: 2)
            try await Task.sleep(for: .milliseconds(300))
            let kinds = try alerts.deliveries(webhookID: nil, before: nil, limit: 100).map(\.eventKind).sorted()
            #expect(kinds == ["mode_change", "model_failures"], "\(rows.map(\.message))")
        }
    }

    struct ModeChangeProbe: Encodable {
        let account_id = 1
        let from = "paper"
        let to = "live"
        let network = "testnet"
        let switched = false
        let reason = "the agent is not approved"
        let checks: [String] = []
    }

    @Test("the admin API adds, lists (masked), removes webhooks and pages deliveries; bad bodies are 400")
    func adminAPI() async throws {
        let adminToken = "alerts-api-token-41"
        let test = try TestLedger()
        let recorder = try Recorder(ledger: test.ledger)
        let alerts = try AlertService(ledger: test.ledger, bus: recorder.bus, http: try HTTPClient(), vault: try Self.vault(test.ledger),
                                      logger: Logger(label: "alerts"))
        let runtime = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: Timestamp(milliseconds: 1_700_000_000_000)),
                                       configuration: ArenaConfiguration(), logger: Logger(label: "arena"),
                                       drivers: DriverEnvironment(llm: nil, localModel: nil, variables: [:]))
        var configuration = ServerConfiguration(port: 0, staticFolder: packageFile("static").path, adminToken: AdminToken(adminToken))
        configuration.operations = ServerOperations(alerts: alerts)
        let app = buildApplication(arena: runtime, configuration: configuration, logger: Logger(label: "server"))
        let ledger = test.ledger
        try await app.test(.router) { client in
            func send(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, authorized: Bool = true) async throws -> (Int, [String: Any]) {
                var headers: HTTPFields = [.contentType: "application/json"]
                if authorized { headers[.authorization] = "Bearer \(adminToken)" }
                let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
                return (Int(response.status.code), object)
            }
            let secretURL = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
            #expect(try await send(.post, "/api/alerts/webhooks", #"{"url":"\#(secretURL)","format":"slack"}"#, authorized: false).0 == 401)
            let (created, webhook) = try await send(.post, "/api/alerts/webhooks", #"{"url":"\#(secretURL)","format":"slack"}"#)
            #expect(created == 201, "\(webhook)")
            #expect(webhook["url"] as? String == "https://hooks.slack.com/…")
            #expect(webhook["format"] as? String == "slack")
            #expect(webhook["source"] as? String == "api")
            let id = try #require(webhook["id"] as? Int)

            for bad in [#"{"url":"ftp://x","format":"slack"}"#, #"{"url":"https://x.test","format":"teams"}"#,
                        #"{"url":"https://x.test","format":"slack","secret":"x"}"#, #"{"url":"https://api.telegram.org/botX/sendMessage","format":"telegram"}"#,
                        #"{"format":"generic"}"#, "not json"] {
                let (status, reply) = try await send(.post, "/api/alerts/webhooks", bad)
                #expect(status == 400, "\(bad) answered \(status)")
                #expect(reply["error"] is String)
            }
            let (_, telegram) = try await send(.post, "/api/alerts/webhooks", #"{"url":"https://api.telegram.org/bot1:AAsecret/sendMessage","format":"telegram","chat_id":"-1001"}"#)
            #expect(telegram["chat_id"] as? String == "-1001")
            #expect((telegram["url"] as? String)?.contains("secret") == false)

            let (listed, list) = try await send(.get, "/api/alerts/webhooks")
            #expect(listed == 200)
            let hooks = try #require(list["webhooks"] as? [[String: Any]])
            #expect(hooks.count == 2)
            #expect(try ledger.storedAlertWebhooks().map(\.id).sorted() == hooks.compactMap { ($0["id"] as? Int).map(Int64.init) }.sorted())
            #expect(!"\(list)".contains("secret"))

            #expect(try await send(.delete, "/api/alerts/webhooks/\(id)").0 == 200)
            #expect(try await send(.delete, "/api/alerts/webhooks/\(id)").0 == 404)
            #expect(try ledger.storedAlertWebhooks().count == 1, "the deleted webhook is gone from the database")
            let (paged, page) = try await send(.get, "/api/alerts/deliveries?limit=10")
            #expect(paged == 200)
            #expect(page["deliveries"] is [Any])
            #expect(page.keys.contains("next_cursor"))
            #expect(try await send(.get, "/api/alerts/deliveries?limit=0").0 == 400)
            #expect(try await send(.get, "/api/alerts/deliveries?secret=1").0 == 400)
        }
        _ = test
    }

    @Test("the roster's alerts section is decoded strictly and its webhooks added")
    func roster() async throws {
        let folder = try TemporaryDatabase(prefix: "arena-roster")
        let path = folder.folder.path("roster.json")
        let good = #"{"accounts":[],"alerts":{"webhooks":[{"url_env":"HOOK_URL","format":"discord"},{"url":"https://x.test/hook","format":"generic"}],"model_failures_in_a_row":5,"max_per_minute":7}}"#
        try Data(good.utf8).write(to: URL(fileURLWithPath: path))
        let roster = try Roster.load(path: path)
        #expect(roster.alerts?.model_failures_in_a_row == 5)
        let test = try TestLedger()
        let alerts = try AlertService(ledger: test.ledger, bus: EventBus(lastSeq: 0), http: try HTTPClient(),
                                      policy: AlertPolicy().applying(roster.alerts), logger: Logger(label: "alerts"))
        #expect(alerts.policy.maximumPerMinute == 7)
        #expect(throws: ArenaError.self) { try alerts.addWebhooks(from: roster.alerts, environment: [:]) }
        try alerts.addWebhooks(from: roster.alerts, environment: ["HOOK_URL": "https://discord.test/api/webhooks/1/secret"])
        #expect(alerts.webhooks.map(\.source).allSatisfy { $0 == "roster" })
        #expect(alerts.webhooks.contains { $0.maskedURL == "https://discord.test/…" })

        let unknown = #"{"accounts":[],"alerts":{"webhooks":[],"retries":3}}"#
        try Data(unknown.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ArenaError.self) { try Roster.load(path: path) }
    }

    @Test("without a master key a webhook from the API is refused, saying how to set one; a stored one is listed with its error")
    func withoutMasterKey() async throws {
        let test = try TestLedger()
        let keyed = try AlertService(ledger: test.ledger, bus: EventBus(lastSeq: 0), http: try HTTPClient(), vault: try Self.vault(test.ledger),
                                     logger: Logger(label: "alerts"))
        let stored = try keyed.add(url: "https://hooks.slack.com/services/T1/B1/storedsecret", format: .slack, chatID: nil)

        let keyless = try AlertService(ledger: test.ledger, bus: EventBus(lastSeq: 0), http: try HTTPClient(), logger: Logger(label: "alerts"))
        #expect(keyless.webhooks.isEmpty, "a webhook whose URL cannot be decrypted receives nothing")
        let unreadable = try #require(keyless.unreadableWebhooks.first)
        #expect(unreadable.id == stored.id && unreadable.maskedURL == "https://hooks.slack.com/…")
        #expect(unreadable.error.contains("master key"))
        do {
            _ = try keyless.add(url: "https://hooks.slack.com/services/T2/B2/other", format: .slack, chatID: nil)
            Issue.record("a webhook was accepted without a master key")
        } catch let error as ArenaError {
            #expect("\(error)".contains("arena keys init") && "\(error)".contains("ARENA_MASTER_KEY_FILE"), "\(error)")
            #expect(!"\(error)".contains("other"))
        }
        #expect(try test.ledger.storedAlertWebhooks().count == 1, "the refused webhook is not stored")
        // The roster's webhooks need no key: they are read from the roster at each start.
        let settings = try JSONDecoder().decode(AlertSettings.self, from: Data(#"{"webhooks":[{"url":"https://x.test/hook","format":"generic"}]}"#.utf8))
        try keyless.addWebhooks(from: settings, environment: [:])
        #expect(keyless.webhooks.count == 1)
        #expect(try keyless.remove(stored.id), "an unreadable webhook can be removed")
        #expect(try test.ledger.storedAlertWebhooks().isEmpty)
    }

    @Test("the upkeep prunes alert deliveries older than the retention window")
    func deliveriesPruned() throws {
        let test = try TestLedger()
        let day: Int64 = 86_400_000
        let newest: Int64 = 1_700_000_000_000
        for age in [0, 1, 2, 9, 10, 30] as [Int64] {
            let time = Timestamp(milliseconds: newest - age * day)
            try test.ledger.insertAlertDelivery(AlertDeliveryRecord(
                webhookID: 1, webhook: "https://x.test/…", format: "generic", eventKind: "halted", accountID: nil, eventSeq: nil,
                message: "age \(age)", status: "delivered", attempts: 1, httpStatus: 200, error: nil, createdAt: time, finishedAt: time))
        }
        let upkeep = LedgerUpkeep(ledger: test.ledger, eventsRetentionDays: 7, logger: Logger(label: "upkeep"))
        #expect(upkeep.runPass().alertDeliveriesPruned == 3)
        #expect(try test.ledger.alertDeliveries(limit: 100).map(\.message).sorted() == ["age 0", "age 1", "age 2"])
        #expect(upkeep.runPass().alertDeliveriesPruned == 0)
    }

    @Test("a webhook added over the API survives restarts and key rotation, sealed in the database; a deleted one stays deleted")
    func survivesRestart() async throws {
        let receiver = try await Receiver()
        let token = "alerts-restart-\(UUID().uuidString)"
        let oldKey = (0..<32).map { String(format: "%02x", ($0 * 29 + 3) % 256) }.joined()
        let newKey = (0..<32).map { String(format: "%02x", ($0 * 17 + 101) % 256) }.joined()
        let secretPath = "/ok/T0-B0-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        let goneSecret = "/ok/gone-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"

        let first = try await ArenaProcess(arguments: ["--market", "sim"], environment: ["ARENA_ADMIN_TOKEN": token, "ARENA_MASTER_KEY": oldKey])
        defer { first.terminate() }
        let (created, webhook) = try await first.send("POST", "/api/alerts/webhooks", body: #"{"url":"\#(receiver.url(secretPath))","format":"generic"}"#,
                                                      token: token)
        #expect(created == 201, "\(webhook)")
        #expect(webhook["error"] is NSNull)
        let id = try #require(webhook["id"] as? Int)
        let (_, gone) = try await first.send("POST", "/api/alerts/webhooks", body: #"{"url":"\#(receiver.url(goneSecret))","format":"slack"}"#,
                                             token: token)
        let goneID = try #require(gone["id"] as? Int)
        #expect(try await first.send("DELETE", "/api/alerts/webhooks/\(goneID)", token: token).0 == 200)
        #expect(await first.stop() == 0)

        // The URL's secret path is nowhere in the database's files; its masked form is (the control).
        var files: [String: Data] = [:]
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: first.databasePath + suffix) { files["database\(suffix)"] = data }
        }
        for (name, data) in files {
            #expect(data.range(of: Data(secretPath.utf8)) == nil, "the webhook's secret path is in the \(name) file")
            #expect(data.range(of: Data(goneSecret.utf8)) == nil, "the deleted webhook's secret path is in the \(name) file")
        }
        #expect(files.values.contains { $0.range(of: Data("127.0.0.1:\(receiver.port)/…".utf8)) != nil })

        // Rotation re-seals the webhook with the secrets.
        let rotate = try ChildProcess(executable: try #require(arenaExecutable), arguments: ["keys", "rotate", "--db", first.databasePath],
                                      environment: ["ARENA_MASTER_KEY": oldKey, "ARENA_NEW_MASTER_KEY": newKey, "PATH": "/usr/bin:/bin"],
                                      errorOutput: .captured)
        #expect(await rotate.exited(timeout: .seconds(60)) == 0, "\(rotate.output) \(rotate.errorOutput)")
        #expect(rotate.output.contains("1 alert webhook"), "\(rotate.output)")

        let second = try await ArenaProcess(arguments: ["--market", "sim"], environment: ["ARENA_ADMIN_TOKEN": token, "ARENA_MASTER_KEY": newKey],
                                            database: first.databasePath)
        defer { second.terminate() }
        let (listed, list) = try await second.send("GET", "/api/alerts/webhooks", token: token)
        #expect(listed == 200)
        let hooks = list["webhooks"] as? [[String: Any]] ?? []
        #expect(hooks.compactMap { $0["id"] as? Int } == [id], "the deleted webhook came back, or the added one is gone: \(hooks)")
        #expect(hooks.first?["error"] is NSNull, "\(hooks)")
        #expect(hooks.first?["source"] as? String == "api")
        #expect(!"\(list)".contains(secretPath))

        let (engaged, reply) = try await second.send("POST", "/api/kill-switch", body: #"{"close_positions":false,"reason":"restart probe"}"#,
                                                     token: token)
        #expect(engaged == 200, "\(reply)")
        let deadline = ContinuousClock.now + .seconds(30)
        while !receiver.all.contains(where: { $0.path == secretPath }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let received = try #require(receiver.all.first { $0.path == secretPath }, "the restored webhook received no alert; log:\n\(second.log.suffix(2_000))")
        #expect(received.body["kind"] as? String == "kill_switch")
        #expect(!receiver.all.contains { $0.path == goneSecret })
        #expect(!second.log.contains(secretPath) && !first.log.contains(secretPath), "the webhook's secret path is in the log")
        #expect(await second.stop() == 0)
    }

    @Test("rotating the master key re-seals the stored webhooks with the secrets; they load under the new key")
    func rotation() throws {
        let test = try TestLedger()
        let vault = try Self.vault(test.ledger)
        let alerts = try AlertService(ledger: test.ledger, bus: EventBus(lastSeq: 0), http: try HTTPClient(), vault: vault,
                                      logger: Logger(label: "alerts"))
        let added = try alerts.add(url: "https://api.telegram.org/bot1:AAsecret/sendMessage?chat_id=-1001", format: .telegram, chatID: nil)
        let before = try #require(try test.ledger.storedAlertWebhooks().first)
        #expect(before.maskedURL == "https://api.telegram.org/…" && before.chatID == "-1001")

        let (rotated, secrets, webhooks) = try vault.rotateAll(to: try MasterKey(bytes: Array(repeating: 7, count: 32)),
                                                               now: Timestamp(milliseconds: 1_700_000_100_000))
        #expect(secrets == 0 && webhooks == 1)
        let after = try #require(try test.ledger.storedAlertWebhooks().first)
        #expect(after.urlCiphertext != before.urlCiphertext)
        #expect(try rotated.alertWebhookURL(of: after).revealString() == "https://api.telegram.org/bot1:AAsecret/sendMessage")
        #expect(throws: CustodyError.alertWebhookUnreadable(id: added.id)) { try vault.alertWebhookURL(of: after) }
        #expect(try rotated.unreadableAlertWebhookIDs().isEmpty)

        let reloaded = try AlertService(ledger: test.ledger, bus: EventBus(lastSeq: 0), http: try HTTPClient(), vault: rotated,
                                        logger: Logger(label: "alerts"))
        #expect(reloaded.webhooks.map(\.id) == [added.id] && reloaded.unreadableWebhooks.isEmpty)
        #expect(reloaded.webhooks.first?.chatIDForDisplay == "-1001")
        let next = try reloaded.add(url: "https://x.test/hook", format: .generic, chatID: nil)
        #expect(next.id > added.id, "a new webhook never takes a stored one's id")
    }
}
