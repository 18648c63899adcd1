import ArenaCore
import Dispatch
import GRDB
import Synchronization

/// Writes what account runners produce (decisions, executions, driver state) and keeps SQLite's
/// checkpoints out of their commits.
///
/// In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
/// inside whichever commit crosses a thousand pages: with decisions carrying their prompts that
/// is every few hundred decisions, and that one commit then takes tens of milliseconds while every
/// other writer waits. This writer instead checkpoints passively every few dozen writes, on a
/// connection and a thread of its own, so that SQLite's own threshold is never reached and a
/// commit stays a commit.
///
/// Each call is one transaction (for a ledger in memory, one savepoint: see
/// `ArenaDatabase.transaction`), written on the caller's thread before it returns, as
/// `LedgerStore`'s own writes are.
public final class LedgerWriter: Sendable {
    private struct State {
        var writesSinceCheckpoint = 0
        var isCheckpointing = false
    }

    /// The store written to.
    public let ledger: LedgerStore
    private let state = Mutex(State())
    /// A connection for checkpoints only; nil when it cannot be opened (SQLite's automatic
    /// checkpoints inside commits then remain the only ones).
    private let checkpointConnection: DatabaseQueue?
    private let checkpointQueue = DispatchQueue(label: "arena.ledger-checkpoint", qos: .utility)

    /// Writes between two background checkpoints: about a megabyte of WAL for decisions with
    /// their prompts, well before SQLite's own checkpoint at a thousand pages would fire.
    static let writesPerCheckpoint = 32

    /// Creates a writer for a ledger; the process should share one per database.
    public init(ledger: LedgerStore) {
        self.ledger = ledger
        var configuration = Configuration()
        configuration.label = "arena-checkpoint"
        checkpointConnection = ledger.database.isInMemory ? nil : try? DatabaseQueue(path: ledger.database.path, configuration: configuration)
    }

    /// Runs `body` in one write transaction; once it has committed, and before any other write
    /// can begin, runs `afterCommit` with its result. Then starts a background checkpoint when
    /// enough has been written since the last.
    ///
    /// `afterCommit` is where a change is announced: since writes are serialised, what it
    /// announces reaches listeners in commit order, and never before it is durable.
    /// - Throws: What `body` threw (the transaction is then rolled back and `afterCommit` does not
    ///   run), or a SQLite error.
    public func transaction<T>(_ body: (LedgerTransaction) throws -> T, afterCommit: (T) -> Void = { _ in }) throws -> T {
        let database = ledger.database
        let result = try database.writer.writeWithoutTransaction { db -> T in
            let result = try database.transaction(db, returning: { try body(LedgerTransaction(db, of: database)) })
            afterCommit(result)
            return result
        }
        countWrite()
        return result
    }

    private func countWrite() {
        guard let checkpointConnection else { return }
        let starts = state.withLock { state in
            state.writesSinceCheckpoint += 1
            guard state.writesSinceCheckpoint >= Self.writesPerCheckpoint, !state.isCheckpointing else { return false }
            state.writesSinceCheckpoint = 0
            state.isCheckpointing = true
            return true
        }
        guard starts else { return }
        checkpointQueue.async {
            // Passive: copies what no reader still needs; never waits for, nor blocks, the writer.
            _ = try? checkpointConnection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            self.state.withLock { $0.isCheckpointing = false }
        }
    }
}
