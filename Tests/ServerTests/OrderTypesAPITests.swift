import Foundation
import Testing

/// Every order type of the operator order API, over HTTP to the real router and runtime.
@Suite("Operator order types and exits over the API")
struct OrderTypesAPITests {
    static let token = "order-types-token-0123456789abcdef"

    @Test("entries with their exit group, stops, stop-limits and trailing stops; wrong sides refused and stored; bad bodies 400")
    func orderTypes() async throws {
        try await InProcessArena.run(adminToken: Self.token, speed: 4) { arena in
            let create = #"{"name":"exits-api","driver":{"kind":"buy_and_hold","symbol":"ETH","interval_seconds":3600},"symbols":["ETH","BTC"],"initial_capital":"100000","risk_limits":{"max_leverage":5}}"#
            let (created, account) = try await arena.send("POST", "/api/accounts", body: create, token: Self.token)
            #expect(created == 201, "\(account)")
            let id = try #require(account["id"] as? Int)
            try await Task.sleep(for: .seconds(2))
            func place(_ body: String) async throws -> (Int, [String: Any]) {
                try await arena.send("POST", "/api/accounts/\(id)/orders", body: body, token: Self.token)
            }

            let (_, first) = try await place(#"{"symbol":"BTC","side":"buy","type":"market","size":"0.01","leverage":2}"#)
            let price = try #require(Double((first["order"] as? [String: Any])?["average_fill_price"] as? String ?? ""))
            func at(_ factor: Double) -> String { String(Int(price * factor)) }

            // An entry with take-profit-limit, stop and trailing stop: one group named by the entry.
            let (status, entry) = try await place(#"{"symbol":"BTC","side":"buy","type":"market","size":"0.01","leverage":2,"take_profit":"\#(at(1.2))","take_profit_limit":"\#(at(1.21))","stop_loss":"\#(at(0.8))","trail_pct":"3"}"#)
            #expect(status == 200, "\(entry)")
            let entryOrder = try #require(entry["order"] as? [String: Any])
            let exits = try #require(entry["exits"] as? [[String: Any]])
            #expect((entryOrder["exits"] as? [String])?.count == 3)
            #expect(exits.count == 3)
            #expect(exits.allSatisfy { $0["exit_group"] as? String == entryOrder["cloid"] as? String && $0["status"] as? String == "waiting_trigger" })
            #expect(exits.map { $0["trigger_kind"] as? String } == ["take_profit", "stop_loss", "stop_loss"])
            #expect(exits[0]["price"] as? String == at(1.21))
            #expect(exits[2]["trailing_distance"] as? String == "3%")

            // Exits on the position on their own.
            let (_, stopLimit) = try await place(#"{"symbol":"BTC","side":"sell","type":"stop_limit","size":"0.01","trigger_price":"\#(at(0.9))","price":"\#(at(0.89))"}"#)
            #expect((stopLimit["order"] as? [String: Any])?["status"] as? String == "waiting_trigger", "\(stopLimit)")
            #expect((stopLimit["order"] as? [String: Any])?["reduce_only"] as? Bool == true)
            let (_, trailing) = try await place(#"{"symbol":"BTC","side":"sell","type":"trailing_stop","size":"0.01","trail_usd":"500"}"#)
            let trailingOrder = try #require(trailing["order"] as? [String: Any])
            #expect(trailingOrder["status"] as? String == "waiting_trigger", "\(trailing)")
            #expect(trailingOrder["trailing_distance"] as? String == "500")
            let (_, takeProfit) = try await place(#"{"symbol":"BTC","side":"sell","type":"take_profit_market","size":"0.01","trigger_price":"\#(at(1.3))"}"#)
            #expect((takeProfit["order"] as? [String: Any])?["trigger_kind"] as? String == "take_profit")

            // Wrong side, or a stop-limit that could not fill: refused with the reason and stored.
            for (body, reason) in [
                (#"{"symbol":"BTC","side":"sell","type":"stop_market","size":"0.01","trigger_price":"\#(at(1.1))"}"#, "must be below the mark"),
                (#"{"symbol":"BTC","side":"sell","type":"stop_limit","size":"0.01","trigger_price":"\#(at(0.9))","price":"\#(at(0.95))"}"#, "could not fill"),
                (#"{"symbol":"BTC","side":"buy","type":"market","size":"0.01","take_profit":"\#(at(0.9))"}"#, "must be above the mark"),
            ] {
                let (code, reply) = try await place(body)
                #expect(code == 200)
                let refused = reply["order"] as? [String: Any]
                #expect(refused?["status"] as? String == "rejected", "\(body): \(reply)")
                #expect((refused?["rejection_reason"] as? String)?.contains(reason) == true, "\(body): \(reply)")
                #expect(refused?["id"] is Int)
            }
            for bad in [#"{"symbol":"BTC","side":"sell","type":"stop_limit","size":"0.01","trigger_price":"1000"}"#,
                        #"{"symbol":"BTC","side":"sell","type":"trailing_stop","size":"0.01","trail_usd":"5","trail_pct":"1"}"#,
                        #"{"symbol":"BTC","side":"sell","type":"trailing_stop","size":"0.01","trail_pct":"100"}"#,
                        #"{"symbol":"BTC","side":"sell","type":"stop_market","size":"0.01"}"#,
                        #"{"symbol":"BTC","side":"sell","type":"bogus","size":"0.01"}"#] {
                let (code, reply) = try await place(bad)
                #expect(code == 400, "\(bad): \(reply)")
                #expect(reply["error"] is String)
            }

            // Close-all: every exit is cancelled with the position.
            #expect(try await arena.send("POST", "/api/accounts/\(id)/close-all", token: Self.token).0 == 200)
            let (_, open) = try await arena.getJSON("/api/accounts/\(id)/orders?status=open")
            #expect((open["orders"] as? [Any])?.isEmpty == true, "\(open)")
        }
    }
}
