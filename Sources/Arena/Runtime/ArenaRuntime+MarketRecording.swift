import ArenaCore
import Market

extension ArenaRuntime {
    /// Adds a market step to the recording (`arena serve --record-market`). A write that fails
    /// stops the recording, not the arena: trading goes on, and the log says what to do.
    func record(_ snapshot: MarketSnapshot, to recording: MarketRecorder) {
        do {
            try recording.record(snapshot)
        } catch {
            logger.error("the market recording stopped; free space or fix permissions, then restart with a new --record-market file",
                         metadata: ["file": "\(recording.path)", "error": "\(error)"])
        }
    }
}
