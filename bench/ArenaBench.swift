import ArgumentParser

/// `arena-bench`: one subcommand per benchmark, each printing one JSON line of figures at the end.
@main
struct ArenaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arena-bench",
        abstract: "Benchmarks of the arena; results go to docs/PERFORMANCE.md with the command that made them.",
        subcommands: [PaperBenchCommand.self, SeedBenchCommand.self, FeedBenchCommand.self, FeedClientsCommand.self, SignBenchCommand.self, DecisionsBenchCommand.self,
                      LocalModelBenchCommand.self, SoakBenchCommand.self, CrashBenchCommand.self, FaultsBenchCommand.self,
                      TradersBenchCommand.self, SeasonReportBenchCommand.self, SeasonBenchCommand.self,
                      PromptCompressionBenchCommand.self])
}
