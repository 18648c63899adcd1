import ArenaCore
import ArenaTestSupport
import Custody
import Foundation
import Storage
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `GET /api/accounts/{id}/audit`, named admin tokens with roles, and `admin_actions`, over a real
/// `arena serve` whose database was prepared with an account and its audit rows.
@Suite("Venue audit API and admin identities", .serialized)
struct AuditAPITests {
    static let opsToken = "ops-\(UUID().uuidString)"
    static let dashboardToken = "dashboard-\(UUID().uuidString)"
    static let legacyToken = "legacy-\(UUID().uuidString)"

    /// A prepared database and tokens file in a folder of their own.
    struct Setup {
        let folder: TemporaryFolder
        let databasePath: String
        let tokensPath: String
        let account: AccountID
    }

    /// An hour ago, to the second: the rows' times are offsets from it, well inside the retention.
    static let base = (Int64(Date().timeIntervalSince1970) - 3_600) * 1_000

    /// The audit rows of the account, by time offset: (offset, endpoint, action, outcome, HTTP status).
    static let rows: [(Int64, String, String, VenueAuditOutcome, Int?)] = [
        (1_000, "info", "meta", .ok, 200),
        (2_000, "exchange", "order", .ok, 200),
        (3_000, "exchange", "order", .err, 200),
        (4_000, "exchange", "cancelByCloid", .noAnswer, nil),
        (5_000, "info", "clearinghouseState", .httpError, 429),
        (6_000, "exchange", "scheduleCancel", .ok, 200),
    ]

    static func prepare() throws -> Setup {
        let folder = try TemporaryFolder(prefix: "arena-audit")
        let databasePath = folder.path("arena.sqlite")
        let database = try ArenaDatabase(path: databasePath)
        try Migrator(folder: packageMigrations).migrate(database, now: 0)
        let ledger = LedgerStore(database: database)
        let btc = try #require(Symbol("BTC"))
        func account(_ name: String) throws -> AccountID {
            let record = try ledger.createAccount(NewAccount(name: name, driverKind: "buy_and_hold",
                                                             driverSettings: #"{"kind":"buy_and_hold","symbol":"BTC"}"#,
                                                             symbols: [btc], initialCapital: 1_000), now: Timestamp(milliseconds: 0))
            // Archived: it stays out of the running arena, its history stays readable.
            try ledger.setStatus(.archived, for: record.id, now: Timestamp(milliseconds: 0))
            return record.id
        }
        let audited = try account("audited")
        let other = try account("other")
        let writer = LedgerWriter(ledger: ledger)
        try writer.transaction { transaction in
            for (index, row) in rows.enumerated() {
                try transaction.insertVenueAudit(VenueAuditRecord(
                    accountID: audited, time: Timestamp(milliseconds: base + row.0), network: "testnet", endpoint: row.1, action: row.2,
                    clientOrderIDs: row.2 == "order" ? ["0x000000000000000000000000000000\(String(format: "%02x", index))"] : [],
                    nonce: row.1 == "exchange" ? UInt64(row.0) : nil, signer: row.1 == "exchange" ? "0x" + String(repeating: "ab", count: 20) : nil,
                    vault: nil, signatureHash: row.1 == "exchange" ? "0x" + String(repeating: "cd", count: 32) : nil, attempt: 1,
                    latencyMilliseconds: 12, httpStatus: row.4, venueStatus: row.1 == "exchange" && row.4 != nil ? (row.3 == .err ? "err" : "ok") : nil,
                    outcome: row.3, error: row.3 == .ok ? nil : "failure at \(row.0)"))
            }
            // Older than --audit-retention-days (30 by default): pruned when the server starts.
            try transaction.insertVenueAudit(VenueAuditRecord(
                accountID: audited, time: Timestamp(milliseconds: 1_000), network: "testnet", endpoint: "info", action: "meta",
                clientOrderIDs: [], nonce: nil, signer: nil, vault: nil, signatureHash: nil, attempt: 1, latencyMilliseconds: 1,
                httpStatus: 200, venueStatus: nil, outcome: .ok, error: nil))
            try transaction.insertVenueAudit(VenueAuditRecord(
                accountID: other, time: Timestamp(milliseconds: base + 3_500), network: "testnet", endpoint: "exchange", action: "order",
                clientOrderIDs: [], nonce: 1, signer: nil, vault: nil, signatureHash: nil, attempt: 1, latencyMilliseconds: 1,
                httpStatus: 200, venueStatus: "ok", outcome: .ok, error: nil))
        }
        try database.close()
        let tokensPath = folder.path("admin-tokens")
        let tokens = """
            # name role sha256hex
            ops admin \(TokenDigest.sha256Hex(of: opsToken))

            dashboard\tread \(TokenDigest.sha256Hex(of: dashboardToken))
            """
        try Data(tokens.utf8).write(to: URL(fileURLWithPath: tokensPath))
        return Setup(folder: folder, databasePath: databasePath, tokensPath: tokensPath, account: audited)
    }

    static func serve(_ setup: Setup) async throws -> ArenaProcess {
        try await ArenaProcess(arguments: ["--market", "sim"],
                               environment: ["ARENA_ADMIN_TOKENS_FILE": setup.tokensPath, "ARENA_ADMIN_TOKEN": legacyToken],
                               database: setup.databasePath)
    }

    /// The times of the entries of an audit page, and its cursor.
    static func page(_ arena: ArenaProcess, _ account: AccountID, _ query: String, token: String = opsToken)
        async throws -> (status: Int, times: [Int64], cursor: Int64?, body: [String: Any]) {
        let (status, body) = try await arena.send("GET", "/api/accounts/\(account.rawValue)/audit\(query.isEmpty ? "" : "?" + query)", token: token)
        let entries = body["entries"] as? [[String: Any]] ?? []
        return (status, entries.compactMap { ($0["time"] as? NSNumber).map { $0.int64Value - base } },
                (body["next_cursor"] as? NSNumber)?.int64Value, body)
    }

    @Test("each filter by example: from and to, action, status (an outcome or an HTTP status), limit and the before cursor; old rows pruned")
    func filters() async throws {
        let setup = try Self.prepare()
        let arena = try await Self.serve(setup)
        defer { arena.terminate() }
        let account = setup.account

        let all = try await Self.page(arena, account, "")
        #expect(all.status == 200)
        #expect(all.times == [6_000, 5_000, 4_000, 3_000, 2_000, 1_000])
        #expect(all.cursor == nil && all.body.keys.contains("next_cursor"))
        #expect(all.body["account_id"] as? Int == Int(account.rawValue))
        let entry = try #require((all.body["entries"] as? [[String: Any]])?.first { ($0["time"] as? NSNumber)?.int64Value == Self.base + 2_000 })
        #expect(Set(entry.keys) == ["id", "time", "network", "endpoint", "action", "client_order_ids", "nonce", "signer", "vault",
                                    "signature_hash", "attempt", "latency_ms", "http_status", "venue_status", "status", "error"])
        #expect(entry["status"] as? String == "ok" && entry["endpoint"] as? String == "exchange" && entry["http_status"] as? Int == 200)
        #expect((entry["client_order_ids"] as? [String])?.count == 1)
        #expect(entry["vault"] is NSNull && entry["error"] is NSNull)

        let base = Self.base
        let examples: [(String, [Int64])] = [
            ("from=\(base + 2_000)&to=\(base + 4_000)", [4_000, 3_000, 2_000]),
            ("from=\(base + 5_000)", [6_000, 5_000]),
            ("to=\(base + 1_000)", [1_000]),
            ("from=0&to=\(base)", []),
            ("action=order", [3_000, 2_000]),
            ("action=meta", [1_000]),
            ("status=ok", [6_000, 2_000, 1_000]),
            ("status=err", [3_000]),
            ("status=no_answer", [4_000]),
            ("status=http_error", [5_000]),
            ("status=429", [5_000]),
            ("action=order&status=ok", [2_000]),
            ("from=\(base + 7_000)", []),
        ]
        for (query, times) in examples {
            let page = try await Self.page(arena, account, query)
            #expect(page.status == 200 && page.times == times, "\(query): \(page.status) \(page.times)")
        }

        let first = try await Self.page(arena, account, "limit=2")
        #expect(first.times == [6_000, 5_000])
        let cursor = try #require(first.cursor)
        let second = try await Self.page(arena, account, "limit=2&before=\(cursor)")
        #expect(second.times == [4_000, 3_000])
        let third = try await Self.page(arena, account, "limit=2&before=\(try #require(second.cursor))")
        #expect(third.times == [2_000, 1_000])
        let last = try await Self.page(arena, account, "limit=2&before=\(try #require(third.cursor))")
        #expect(last.times.isEmpty && last.cursor == nil)

        // Read-only tokens may read; no token may not; an unknown account is 404.
        #expect(try await Self.page(arena, account, "", token: Self.dashboardToken).status == 200)
        #expect(try await arena.send("GET", "/api/accounts/\(account.rawValue)/audit").0 == 401)
        #expect(try await arena.send("GET", "/api/accounts/999/audit", token: Self.opsToken).0 == 404)
        #expect(try await arena.send("GET", "/api/accounts/x/audit", token: Self.opsToken).0 == 400)
    }

    static let badFilters: [(String, [String])] = [
        ("from=yesterday", ["from"]), ("from=-1", ["from"]), ("to=1.5", ["to"]), ("from=5&to=4", ["from"]),
        ("limit=0", ["limit"]), ("limit=1001", ["limit"]), ("limit=ten", ["limit"]), ("before=0", ["before"]),
        ("status=weird", ["status"]), ("status=1000", ["status"]), ("status=99", ["status"]), ("action=a%20b", ["action"]),
        ("action=", ["action"]), ("stauts=err", ["stauts"]), ("limit=1&limit=2", ["limit"]),
        ("from=x&limit=0&status=nope&action=%3B", ["action", "from", "limit", "status"]),
    ]

    @Test("bad filter values are refused with a 400 that names them")
    func badFilters() async throws {
        let setup = try Self.prepare()
        let arena = try await Self.serve(setup)
        defer { arena.terminate() }
        for (query, names) in Self.badFilters {
            let (status, body) = try await arena.send("GET", "/api/accounts/\(setup.account.rawValue)/audit?\(query)", token: Self.opsToken)
            #expect(status == 400, "\(query)")
            #expect((body["invalid"] as? [String])?.sorted() == names, "\(query): \(body)")
            let message = body["error"] as? String ?? ""
            #expect(message.hasPrefix("Bad filter values: "), "\(query): \(message)")
            for name in names { #expect(message.contains(name), "\(query): \(message)") }
        }
    }

    @Test("named tokens: read-only ones are refused mutations with 403; every mutating admin request is stored with who made it")
    func identitiesAndAdminActions() async throws {
        let setup = try Self.prepare()
        let arena = try await Self.serve(setup)
        defer { arena.terminate() }
        let account = setup.account.rawValue

        let (refused, refusal) = try await arena.send("POST", "/api/kill-switch", body: #"{"reason":"dashboard"}"#, token: Self.dashboardToken)
        #expect(refused == 403)
        #expect((refusal["error"] as? String)?.contains("read-only") == true, "\(refusal)")
        #expect(try await arena.send("POST", "/api/kill-switch", body: #"{"reason":"drill"}"#, token: Self.opsToken).0 == 200)
        #expect(try await arena.send("DELETE", "/api/kill-switch", token: Self.legacyToken).0 == 200)
        let (patched, _) = try await arena.send("PATCH", "/api/accounts/\(account)", body: #"{"status":"paused"}"#, token: Self.opsToken)
        #expect(try await arena.send("DELETE", "/api/kill-switch", token: Self.opsToken + "x").0 == 401)
        #expect(try await arena.send("GET", "/api/accounts/\(account)/audit", token: Self.dashboardToken).0 == 200)
        #expect(await arena.stop() == 0)

        let database = try ArenaDatabase(path: setup.databasePath)
        defer { try? database.close() }
        let actions = try LedgerStore(database: database).adminActions(limit: 100).reversed().map { $0 }
        let summary = actions.map { "\($0.identity) \($0.role.rawValue) \($0.method) \($0.route) \($0.accountID?.rawValue ?? 0) \($0.status)" }
        #expect(summary == [
            "dashboard read POST /api/kill-switch 0 403",
            "ops admin POST /api/kill-switch 0 200",
            "admin admin DELETE /api/kill-switch 0 200",
            "ops admin PATCH /api/accounts/{id} \(account) \(patched)",
        ], "\(summary)")
        #expect(actions.allSatisfy { $0.time.milliseconds > 0 })

        // No token anywhere: not in the log, not in the database file.
        for token in [Self.opsToken, Self.dashboardToken, Self.legacyToken] {
            #expect(!arena.log.contains(token))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: setup.databasePath))
            #expect(bytes.range(of: Data(token.utf8)) == nil)
        }
        #expect(arena.log.contains("ops (admin)") && arena.log.contains("dashboard (read)"))
    }

    @Test("a malformed tokens file stops start-up naming the line, never its content")
    func malformedTokensFile() async throws {
        let folder = try TemporaryFolder(prefix: "arena-tokens")
        let path = folder.path("tokens")
        try Data("ops admin \(TokenDigest.sha256Hex(of: Self.opsToken))\nsecret-looking-line root 1234\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let arena = try await ArenaProcess(arguments: ["--market", "sim"], environment: ["ARENA_ADMIN_TOKENS_FILE": path], timeout: 20)
            arena.terminate()
            Issue.record("arena started with a malformed tokens file")
        } catch {
            let text = "\(error)"
            #expect(text.contains("line 2"), "\(text)")
            #expect(!text.contains("secret-looking-line"))
        }
    }

    @Test("arena tokens hash prints the SHA-256 of the token on standard input; new prints a token and its line",
          .enabled(if: arenaExecutable != nil))
    func tokensCommand() async throws {
        let executable = try #require(arenaExecutable)
        let hash = try ChildProcess(executable: executable, arguments: ["tokens", "hash", "--name", "ci", "--role", "read"])
        hash.send(Data((Self.opsToken + "\n").utf8))
        #expect(await hash.exited(timeout: .seconds(30)) == 0)
        #expect(hash.output == "ci read \(TokenDigest.sha256Hex(of: Self.opsToken))\n")

        let made = try ChildProcess(executable: executable, arguments: ["tokens", "new", "--name", "grafana"])
        #expect(await made.exited(timeout: .seconds(30)) == 0)
        let lines = made.output.split(separator: "\n").map(String.init)
        let token = try #require(lines.first?.dropFirst("token: ".count)).description
        #expect(token.count == 64)
        #expect(lines.last == "line:  grafana read \(TokenDigest.sha256Hex(of: token))")
    }
}
