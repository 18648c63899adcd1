import ArgumentParser
import Foundation
import HTTP

/// `arena leaderboard`: the running server's standings as a terminal table.
struct LeaderboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard", abstract: "Show the leaderboard of a running server as a table.")

    @OptionGroup var client: ClientOptions
    @Option(help: "The column to sort by (any leaderboard field).") var sortBy = "return_pct"
    @Option(help: "asc or desc.") var order = "desc"
    @Option(help: "paper, live or all.") var mode = "all"
    @Option(help: "The most rows to show.") var limit = 50

    func run() async throws {
        let query = "sort_by=\(sortBy.urlQueryValue)&order=\(order.urlQueryValue)&mode=\(mode.urlQueryValue)&limit=\(limit)"
        let answer = try await ArenaAPIClient(options: client).send(.get, "/api/leaderboard?\(query)")
        if client.json { return printJSON(answer) }
        let entries = answer.object["entries"] as? [[String: Any]] ?? []
        let rows = entries.enumerated().map { index, entry in
            [String(index + 1), cell(entry["account_id"]), cell(entry["name"]), cell(entry["driver"]), cell(entry["mode"]),
             cell(entry["status"]), cell(entry["equity"]), percent(entry["return_pct"]), cell(entry["pnl"]), cell(entry["trades"]),
             percent(entry["win_rate"]), cell(entry["sharpe"]), percent(entry["max_drawdown_pct"])]
        }
        print(table(["#", "id", "name", "driver", "mode", "status", "equity", "return", "pnl", "trades", "win", "sharpe", "max dd"],
                    rows))
        print("\(entries.count) of \(cell(answer.object["total"])) accounts, sorted by \(sortBy) \(order); market \(cell(answer.object["market"]))")
    }
}

/// `arena accounts`: list, show, create, pause, resume and switch the mode of accounts.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "List, show, create, pause, resume and switch accounts on a running server.",
        subcommands: [List.self, Show.self, Create.self, Pause.self, Resume.self, Mode.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every account, archived ones too.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let answer = try await ArenaAPIClient(options: client).send(.get, "/api/accounts")
            if client.json { return printJSON(answer) }
            let accounts = answer.object["accounts"] as? [[String: Any]] ?? []
            print(table(["id", "name", "driver", "mode", "network", "status", "symbols", "capital"], accounts.map { account in
                let driver = account["driver"] as? [String: Any]
                return [cell(account["id"]), cell(account["name"]), cell(driver?["kind"]), cell(account["mode"]), cell(account["network"]),
                        cell(account["status"]), cell(account["symbols"]), cell(account["initial_capital"])]
            }))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one account's standing, positions and recent orders.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The account id.") var id: Int64

        func run() async throws {
            let answer = try await ArenaAPIClient(options: client).send(.get, "/api/accounts/\(id)")
            if client.json { return printJSON(answer) }
            let standing = answer.object["account"] as? [String: Any] ?? [:]
            print("\(cell(answer.object["name"])) (account \(id)): \(cell(standing["status"])), \(cell(standing["mode"])), symbols \(cell(answer.object["symbols"]))")
            print("equity \(cell(standing["equity"])), return \(percent(standing["return_pct"])), pnl \(cell(standing["pnl"])), trades \(cell(standing["trades"]))")
            let positions = answer.object["positions"] as? [[String: Any]] ?? []
            print("\npositions")
            print(table(["symbol", "side", "size", "entry", "mark", "unrealized", "leverage"], positions.map {
                [cell($0["symbol"]), cell($0["side"]), cell($0["size"]), cell($0["entry_price"]), cell($0["mark_price"]),
                 cell($0["unrealized_pnl"]), cell($0["leverage"])]
            }))
            let orders = answer.object["orders"] as? [[String: Any]] ?? []
            print("\nrecent orders")
            print(table(["id", "symbol", "side", "type", "size", "price", "filled", "status"], orders.prefix(20).map {
                [cell($0["id"]), cell($0["symbol"]), cell($0["side"]), cell($0["type"]), cell($0["size"]), cell($0["price"]),
                 cell($0["filled_size"]), cell($0["status"])]
            }))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account (paper unless --mode says otherwise).",
            discussion: #"Example: arena accounts create --name hold-btc --driver '{"kind":"buy_and_hold","symbol":"BTC"}' --symbols BTC --capital 10000"#)
        @OptionGroup var client: ClientOptions
        @Option(help: "The account's name.") var name: String
        @Option(help: "The driver's settings as JSON, as in a roster file.") var driver: String
        @Option(help: "Comma-separated symbols.") var symbols: String
        @Option(help: "The initial capital in USD.") var capital: String
        @Option(help: "The risk limits as JSON, as in a roster file.") var riskLimits: String?
        @Option(help: "paper or live.") var mode: String?
        @Option(help: "mainnet or testnet.") var network: String?

        func run() async throws {
            var body: [String: Any] = [
                "name": name, "driver": try jsonObject(driver, option: "--driver"),
                "symbols": symbols.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, "initial_capital": capital,
            ]
            if let riskLimits { body["risk_limits"] = try jsonObject(riskLimits, option: "--risk-limits") }
            if let mode { body["mode"] = mode }
            if let network { body["network"] = network }
            let answer = try await ArenaAPIClient(options: client).send(.post, "/api/accounts", body: body, admin: true)
            if client.json { return printJSON(answer) }
            print("Created account \(cell(answer.object["id"])) (\(cell(answer.object["name"]))), \(cell(answer.object["mode"])), \(cell(answer.object["status"])).")
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop an account's decisions; its orders and positions stay.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The account id.") var id: Int64

        func run() async throws { try await setStatus(id, "paused", client: client) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused or halted account.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The account id.") var id: Int64

        func run() async throws { try await setStatus(id, "active", client: client) }
    }

    struct Mode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch an account between paper and live; the server's preflight must pass.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The account id.") var id: Int64
        @Argument(help: "paper or live.") var mode: String
        @Option(help: "mainnet or testnet; default the account's own.") var network: String?
        @Option(help: "The account's name, typed again: a guard against switching the wrong account.") var confirm: String
        @Option(help: "Leaving live: close (default) or keep the venue positions.") var positions: String?

        func run() async throws {
            var body: [String: Any] = ["mode": mode, "confirm": confirm]
            if let network { body["network"] = network }
            if let positions { body["positions"] = positions }
            let answer = try await ArenaAPIClient(options: client).send(.post, "/api/accounts/\(id)/mode", body: body, admin: true,
                                                                          accepting422: true)
            if client.json { return printJSON(answer) }
            let checks = answer.object["preflight"] as? [[String: Any]] ?? []
            for check in checks { print("  \(cell(check["name"])): \(cell(check["passed"])) \(cell(check["detail"]))") }
            guard answer.status != 422 else {
                throw ClientError(description: "The switch was refused: \(cell(answer.object["reason"])) Fix the failed checks above and try again.")
            }
            print("Account \(id) is now \(cell(answer.object["mode"])) on \(cell(answer.object["network"])).")
        }
    }
}

/// `arena orders`: an operator's orders on an account.
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "Place or cancel an operator's order on an account.", subcommands: [Place.self, Cancel.self])

    struct Place: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place an order or an exit of a position; the account's risk limits apply.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The account id.") var id: Int64
        @Option(help: "The coin, as BTC.") var symbol: String
        @Option(help: "buy or sell.") var side: String
        @Option(help: "The size in coins.") var size: String
        @Option(help: "market (default), limit, stop_market, stop_limit, take_profit_market, take_profit_limit or trailing_stop.")
        var type = "market"
        @Option(help: "The limit price.") var price: String?
        @Option(help: "gtc, ioc or alo, for limit orders.") var tif: String?
        @Flag(help: "Only reduce a position.") var reduceOnly = false
        @Option(help: "The leverage.") var leverage: Int?
        @Option(help: "A take-profit trigger price.") var takeProfit: String?
        @Option(help: "A stop-loss trigger price.") var stopLoss: String?
        @Option(help: "The take-profit's limit price (a take-profit-limit).") var takeProfitLimit: String?
        @Option(help: "The stop's limit price (a stop-limit).") var stopLossLimit: String?
        @Option(help: "A trailing stop's distance in USD.") var trailUsd: String?
        @Option(help: "A trailing stop's distance in percent of the price.") var trailPct: String?
        @Option(help: "The trigger price of a stop or take-profit order.") var triggerPrice: String?

        func run() async throws {
            var body: [String: Any] = ["symbol": symbol, "side": side, "size": size, "type": type]
            if let price { body["price"] = price }
            if let tif { body["tif"] = tif }
            if reduceOnly { body["reduce_only"] = true }
            if let leverage { body["leverage"] = leverage }
            if let takeProfit { body["take_profit"] = takeProfit }
            if let stopLoss { body["stop_loss"] = stopLoss }
            if let takeProfitLimit { body["take_profit_limit"] = takeProfitLimit }
            if let stopLossLimit { body["stop_loss_limit"] = stopLossLimit }
            if let trailUsd { body["trail_usd"] = trailUsd }
            if let trailPct { body["trail_pct"] = trailPct }
            if let triggerPrice { body["trigger_price"] = triggerPrice }
            let answer = try await ArenaAPIClient(options: client).send(.post, "/api/accounts/\(id)/orders", body: body, admin: true)
            if client.json { return printJSON(answer) }
            printOrder(answer.object["order"], fills: answer.object["fills"])
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an open order of an account.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The account id.") var id: Int64
        @Argument(help: "The order id (from `arena accounts show`).") var orderID: Int64

        func run() async throws {
            let answer = try await ArenaAPIClient(options: client).send(.delete, "/api/accounts/\(id)/orders/\(orderID)", admin: true)
            if client.json { return printJSON(answer) }
            printOrder(answer.object["order"], fills: nil)
        }
    }
}

/// `arena kill-switch on|off`: stops every account's new risk, or lets it trade again.
struct KillSwitchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill-switch", abstract: "Engage or release the kill switch of a running server.", subcommands: [On.self, Off.self])

    struct On: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Engage: no account opens new risk.")
        @OptionGroup var client: ClientOptions
        @Flag(help: "Also close every open position.") var closePositions = false
        @Option(help: "Why, for the audit (at most 200 characters).") var reason: String?

        func run() async throws {
            var body: [String: Any] = ["close_positions": closePositions]
            if let reason { body["reason"] = reason }
            let answer = try await ArenaAPIClient(options: client).send(.post, "/api/kill-switch", body: body, admin: true)
            if client.json { return printJSON(answer) }
            print("Kill switch engaged: \(cell(answer.object["reason"])).")
        }
    }

    struct Off: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release: accounts trade again.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let answer = try await ArenaAPIClient(options: client).send(.delete, "/api/kill-switch", admin: true)
            if client.json { return printJSON(answer) }
            print("Kill switch released.")
        }
    }
}

private func setStatus(_ id: Int64, _ status: String, client: ClientOptions) async throws {
    let answer = try await ArenaAPIClient(options: client).send(.patch, "/api/accounts/\(id)", body: ["status": status], admin: true)
    if client.json { return printJSON(answer) }
    print("Account \(id) (\(cell(answer.object["name"]))) is \(cell(answer.object["status"])).")
}

private func printOrder(_ order: Any?, fills: Any?) {
    guard let order = order as? [String: Any] else { return print("No order was placed.") }
    var line = "Order \(cell(order["id"])): \(cell(order["symbol"])) \(cell(order["side"])) \(cell(order["size"])) \(cell(order["type"])), \(cell(order["status"]))"
    if let reason = order["rejection_reason"] as? String { line += " (\(reason))" }
    print(line)
    for fill in fills as? [[String: Any]] ?? [] {
        print("  filled \(cell(fill["size"])) at \(cell(fill["price"])), fee \(cell(fill["fee"]))")
    }
}

/// A percentage field as `12.34%`.
private func percent(_ value: Any?) -> String {
    guard let number = value as? NSNumber else { return "-" }
    return String(format: "%.2f%%", number.doubleValue)
}

/// Parses an option's JSON object.
private func jsonObject(_ text: String, option: String) throws -> [String: Any] {
    guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
        throw ValidationError("\(option) must be a JSON object, as '{\"kind\":\"buy_and_hold\",\"symbol\":\"BTC\"}'.")
    }
    return object
}

extension String {
    /// The string escaped for a URL query value.
    var urlQueryValue: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? self
    }
}
