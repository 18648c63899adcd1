import ArenaTestSupport
import Foundation
import Testing

/// `arena` as a client: the built executable, run as a subprocess, against the real server on a socket.
@Suite("arena client commands", .serialized)
struct ClientCommandTests {
    static let token = "test-admin-token-\(UUID().uuidString)"

    /// Runs `arena arguments` with `environment` (and none of the caller's ARENA_ variables);
    /// returns its exit status and its standard output and error together.
    static func arena(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let executable = try #require(arenaExecutable)
        var processEnvironment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ARENA_") }
        processEnvironment.merge(environment) { _, given in given }
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: processEnvironment,
                                     errorOutput: .mergedIntoOutput)
        child.closeInput()
        let status = await child.exited(timeout: .seconds(60))
        return (status ?? -1, child.output)
    }

    @Test("with no server, a command says how to start one", .enabled(if: arenaExecutable != nil))
    func serverDown() async throws {
        let result = try await Self.arena(["leaderboard", "--url", "http://127.0.0.1:9"])
        #expect(result.status != 0)
        #expect(result.output.contains("No arena server answers at http://127.0.0.1:9"), "\(result.output)")
        #expect(result.output.contains("arena serve"))
    }

    @Test("leaderboard, accounts, orders and the kill switch against a running server; refusals say what to do",
          .enabled(if: arenaExecutable != nil))
    func operatorSession() async throws {
        let server = try await ArenaProcess(arguments: ["--market", "sim", "--speed", "4"],
                                            environment: ["ARENA_ADMIN_TOKEN": Self.token,
                                                          "ARENA_HYPERLIQUID_TESTNET_URL": "http://127.0.0.1:9"])
        defer { server.terminate() }
        let url = server.baseURL
        let admin = ["ARENA_URL": url, "ARENA_ADMIN_TOKEN": Self.token]
        var outputs: [String] = []

        let board = try await Self.arena(["leaderboard", "--url", url])
        outputs.append(board.output)
        #expect(board.status == 0, "\(board.output)")
        #expect(board.output.contains("hold-btc") && board.output.contains("return"), "\(board.output)")
        let boardJSON = try await Self.arena(["leaderboard", "--json"], environment: ["ARENA_URL": url])
        #expect(boardJSON.status == 0 && boardJSON.output.contains("\"entries\""), "\(boardJSON.output)")

        let list = try await Self.arena(["accounts", "list", "--url", url])
        #expect(list.status == 0 && list.output.contains("hold-eth"), "\(list.output)")

        let driver = #"{"kind":"buy_and_hold","symbol":"BTC","interval_seconds":3600}"#
        let create = ["accounts", "create", "--name", "cli-1", "--driver", driver, "--symbols", "BTC", "--capital", "5000"]
        let noToken = try await Self.arena(create, environment: ["ARENA_URL": url])
        #expect(noToken.status != 0 && noToken.output.contains("set ARENA_ADMIN_TOKEN"), "\(noToken.output)")
        let wrongToken = try await Self.arena(create + ["--token", "wrong"], environment: ["ARENA_URL": url])
        #expect(wrongToken.status != 0 && wrongToken.output.contains("401") && wrongToken.output.contains("ARENA_ADMIN_TOKEN"),
                "\(wrongToken.output)")
        let unknown = try await Self.arena(
            ["accounts", "create", "--name", "cli-2", "--driver", #"{"kind":"buy_and_hold","symbol":"BTC","api_key":"k"}"#,
             "--symbols", "BTC", "--capital", "5000"], environment: admin)
        #expect(unknown.status != 0 && unknown.output.contains("(400)") && unknown.output.contains("Unknown field driver.api_key"),
                "\(unknown.output)")

        let created = try await Self.arena(create, environment: admin)
        outputs.append(created.output)
        #expect(created.status == 0, "\(created.output)")
        let id = try #require(created.output.firstMatch(of: /Created account (\d+)/).map { String($0.1) }, "\(created.output)")

        let paused = try await Self.arena(["accounts", "pause", id], environment: admin)
        #expect(paused.status == 0 && paused.output.contains("is paused"), "\(paused.output)")
        let resumed = try await Self.arena(["accounts", "resume", id], environment: admin)
        #expect(resumed.status == 0 && resumed.output.contains("is active"), "\(resumed.output)")

        let placed = try await Self.arena(["orders", "place", id, "--symbol", "BTC", "--side", "buy", "--size", "0.001"],
                                          environment: admin)
        outputs.append(placed.output)
        #expect(placed.status == 0 && placed.output.contains("Order ") && placed.output.contains("BTC buy"), "\(placed.output)")
        let cancel = try await Self.arena(["orders", "cancel", id, "999999"], environment: admin)
        #expect(cancel.status != 0 && cancel.output.contains("(404)"), "\(cancel.output)")

        let shown = try await Self.arena(["accounts", "show", id, "--url", url])
        #expect(shown.status == 0 && shown.output.contains("cli-1") && shown.output.contains("positions"), "\(shown.output)")

        let mode = try await Self.arena(["accounts", "mode", id, "live", "--network", "testnet", "--confirm", "cli-1"],
                                        environment: admin)
        #expect(mode.status != 0 && mode.output.contains("The switch was refused"), "\(mode.output)")

        let on = try await Self.arena(["kill-switch", "on", "--reason", "cli test"], environment: admin)
        #expect(on.status == 0 && on.output.contains("engaged: cli test"), "\(on.output)")
        let off = try await Self.arena(["kill-switch", "off"], environment: admin)
        #expect(off.status == 0 && off.output.contains("released"), "\(off.output)")

        for output in outputs + [noToken.output, wrongToken.output, unknown.output] {
            #expect(!output.contains(Self.token), "the admin token appeared in the output")
        }
    }
}
