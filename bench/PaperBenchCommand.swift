import ArgumentParser
import Foundation

/// `arena-bench paper`: matching alone, then matching with the ledger persisted to SQLite.
struct PaperBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "paper", abstract: "Paper exchange matching and persisted-fill throughput.")

    @Option(help: "Market orders for the matching benchmark.")
    var orders = 2_000_000

    @Option(name: .customLong("persisted-orders"), help: "Market orders for the persisted benchmark.")
    var persistedOrders = 200_000

    @Option(help: "Executions written per transaction in the persisted benchmark.")
    var batch = 1_000

    @Option(help: "Folder for the benchmark's temporary database.")
    var folder = "data/bench"

    func validate() throws {
        guard orders > 0, persistedOrders > 0, batch > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() throws {
        FileHandle.standardError.write(Data("matching \(orders) market orders against a 20-level book...\n".utf8))
        let matching = runPaperMatchingBenchmark(orders: orders)
        FileHandle.standardError.write(Data("\(matching)\npersisting \(persistedOrders) orders' fills to SQLite in batches of \(batch)...\n".utf8))
        let persisted = try runPaperPersistenceBenchmark(orders: persistedOrders, batch: batch, folder: folder)
        let persistedJSON = String(format: #"{"fills":%d,"seconds":%.3f,"fills_per_second":%.0f,"batch":%d}"#,
                                   persisted.fills, persisted.seconds, persisted.fillsPerSecond, batch)
        print(#"{"benchmark":"paper","matching":\#(matching),"persisted":\#(persistedJSON)}"#)
    }
}
