import ArenaTestSupportDrivers
import Foundation
import Testing

/// Copy accounts (issue #14) through the admin API: bad settings are 400s that say why and change
/// nothing; a good one is created, follows its trader, and is updated.
@Suite("Copy accounts in the admin API")
struct CopyAccountAPITests {
    static let token = "copy-api-token-\(UUID().uuidString)"
    static let address = "0x00000000000000000000000000000000000000bb"

    static func create(name: String, driver: String) -> String {
        #"{"name":"\#(name)","driver":\#(driver),"symbols":["BTC","ETH"],"initial_capital":"10000"}"#
    }

    @Test("bad copy settings get a 400 that says why, a good account follows its trader, and updates are checked the same way")
    func createAndUpdate() async throws {
        let tracker = ScriptedTraders()
        try await InProcessArena.run(adminToken: Self.token, speed: 4, traderPositions: tracker) { arena in
            let refusals = [
                (#"{"kind":"copy","trader":"0xnothex","ratio":"0.1"}"#, "is not a trader address"),
                (#"{"kind":"copy","trader":"\#(Self.address)","ratio":"0.1","notional_usd":"100"}"#, "not both"),
                (#"{"kind":"copy","trader":"\#(Self.address)"}"#, "copy needs ratio"),
                (#"{"kind":"copy","ratio":"0.1"}"#, "copy needs a trader"),
                (#"{"kind":"copy","trader":"\#(Self.address)","ratio":"0.1","delay_seconds":100000}"#, "delay_seconds"),
                (#"{"kind":"copy","trader":"\#(Self.address)","ratio":"0.1","max_trade_usd":"1"}"#, "max_trade_usd"),
            ]
            for (driver, says) in refusals {
                let (status, reply) = try await arena.send("POST", "/api/accounts", body: Self.create(name: "copy-bad", driver: driver),
                                                           token: Self.token)
                #expect(status == 400, "\(driver) answered \(status)")
                #expect((reply["error"] as? String)?.contains(says) == true, "\(driver): \(reply)")
            }
            let (_, list) = try await arena.getJSON("/api/accounts")
            let names = (list["accounts"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(!names.contains("copy-bad"), "a refused account is not stored")
            #expect(await tracker.followed.isEmpty, "nothing refused was followed")

            let upper = Self.address.uppercased().replacingOccurrences(of: "0X", with: "0x")
            let (created, account) = try await arena.send(
                "POST", "/api/accounts",
                body: Self.create(name: "copy-1", driver: #"{"kind":"copy","trader":"\#(upper)","ratio":"0.5","delay_seconds":10,"max_trade_usd":"500"}"#),
                token: Self.token)
            #expect(created == 201, "\(account)")
            let driver = account["driver"] as? [String: Any] ?? [:]
            #expect(driver["kind"] as? String == "copy")
            #expect(driver["trader"] as? String == Self.address, "stored lower-cased")
            #expect(driver["ratio"] as? String == "0.5")
            #expect(driver["delay_seconds"] as? Int == 10)
            #expect(driver["max_trade_usd"] as? String == "500")
            #expect(await tracker.followed.first == Self.address, "creating a copy account follows its trader")
            let id = try #require(account["id"] as? Int)

            let (badUpdate, badReply) = try await arena.send("PATCH", "/api/accounts/\(id)",
                                                             body: #"{"driver":{"kind":"copy","trader":"\#(Self.address)","ratio":"500"}}"#,
                                                             token: Self.token)
            #expect(badUpdate == 400)
            #expect((badReply["error"] as? String)?.contains("ratio must be above 0 and at most 100") == true, "\(badReply)")

            let other = "0x00000000000000000000000000000000000000cc"
            let (updated, updatedAccount) = try await arena.send(
                "PATCH", "/api/accounts/\(id)", body: #"{"driver":{"kind":"copy","trader":"\#(other)","notional_usd":"2500"}}"#,
                token: Self.token)
            #expect(updated == 200, "\(updatedAccount)")
            let newDriver = updatedAccount["driver"] as? [String: Any] ?? [:]
            #expect(newDriver["notional_usd"] as? String == "2500")
            #expect(newDriver["trader"] as? String == other)
            #expect(await tracker.followed.contains(other), "updating to another trader follows it")

            await tracker.setFollowRefusal("the tracker is at its limit of traders")
            let (refused, refusedReply) = try await arena.send(
                "POST", "/api/accounts",
                body: Self.create(name: "copy-2", driver: #"{"kind":"copy","trader":"0x00000000000000000000000000000000000000dd","ratio":"1"}"#),
                token: Self.token)
            #expect(refused == 400)
            #expect((refusedReply["error"] as? String)?.contains("the tracker is at its limit of traders") == true, "\(refusedReply)")
        }
    }
}
