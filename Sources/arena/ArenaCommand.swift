import ArgumentParser

/// The `arena` command line.
@main
struct ArenaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arena",
        abstract: "Many trading accounts, each driven by a model or a rule, competing on one market.",
        subcommands: [ServeCommand.self, MigrateCommand.self, HyperliquidCommand.self, KeysCommand.self, TokensCommand.self,
                      LeaderboardCommand.self, AccountsCommand.self, OrdersCommand.self, KillSwitchCommand.self, DbCommand.self,
                      SeasonCommand.self],
        defaultSubcommand: ServeCommand.self)
}
