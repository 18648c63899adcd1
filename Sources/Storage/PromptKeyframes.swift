import GRDB
import Synchronization

/// Which earlier prompt of its account a decision's prompt is compressed against (migration 0016).
///
/// An account's prompts are stored in runs: a keyframe compressed on its own (`prompt_base` NULL),
/// then up to `interval - 1` prompts each compressed against the keyframe's text (`prompt_base` =
/// the keyframe's id). Which prompt starts a run depends only on the ledger (the account's newest
/// keyframe and how many prompts name it), so a season's rerun stores the same bytes as its run, and
/// a restarted server continues the run it left. What is kept here (each account's keyframe and its
/// text) only saves looking that up. Decisions are only ever inserted, all through
/// `LedgerStore.insertDecision`, which notes each one here, so the ledger can differ from what is
/// kept only by a change rolled back; `ArenaDatabase` forgets everything kept at every rollback, so
/// a prompt can never name a keyframe that is not there (nor a row that took a rolled-back
/// keyframe's id). Checking the ledger before every use instead (the account's newest decision) was
/// a query per decision.
public final class PromptKeyframes: Sendable {
    /// Prompts per run. Longer runs store fewer keyframes (a keyframe is about 2.5 times the size of
    /// a prompt stored against it); shorter ones compress against more recent text. Between 32 and
    /// 128 the sizes differ by a few percent; a reader needs the row and its keyframe either way.
    public static let interval = 64

    /// An account's newest keyframe, as the next prompt is stored against it.
    struct Keyframe: Sendable {
        let id: Int64
        /// Its prompt's UTF-8 text, which the next prompts are compressed against.
        let text: [UInt8]
        /// Prompts stored against it.
        var dependents: Int
    }

    private let keyframes = Mutex<[Int64: Keyframe]>([:])

    init() {}

    /// The keyframe `account`'s next prompt is to be compressed against, or nil when that prompt is
    /// to be a keyframe itself (the account has none, or its newest one's run is full).
    /// - Throws: A SQLite error.
    func keyframe(for account: Int64, in db: Database) throws -> Keyframe? {
        let keyframe: Keyframe?
        if let known = keyframes.withLock({ $0[account] }) {
            keyframe = known
        } else {
            keyframe = try Self.newestKeyframe(of: account, in: db)
            keyframes.withLock { $0[account] = keyframe }
        }
        guard let keyframe, keyframe.dependents < Self.interval - 1 else { return nil }
        return keyframe
    }

    /// Notes decision `id` of `account`, just inserted: its prompt stored against `keyframe`, or as
    /// a new keyframe (of the UTF-8 `text`); neither when it has no compressed prompt.
    func stored(decision id: Int64, of account: Int64, against keyframe: Keyframe?, newKeyframe text: [UInt8]?) {
        keyframes.withLock { known in
            if var keyframe {
                keyframe.dependents += 1
                known[account] = keyframe
            } else if let text {
                known[account] = Keyframe(id: id, text: text, dependents: 0)
            }
        }
    }

    /// Forgets every account's keyframe, to be looked up in the ledger again: after a change was
    /// rolled back, which may have taken back a decision noted here.
    func forgetAll() {
        keyframes.withLock { $0.removeAll() }
    }

    /// The account's newest keyframe and how many prompts name it, from the ledger; nil when it has
    /// none, or its frame does not decompress (the next prompt is then a keyframe).
    private static func newestKeyframe(of account: Int64, in db: Database) throws -> Keyframe? {
        let newest = try LedgerStatement(db, sql: """
            SELECT id, prompt_zstd FROM decisions
            WHERE account_id = ? AND prompt_base IS NULL AND prompt_zstd IS NOT NULL ORDER BY id DESC LIMIT 1
            """)
        guard let (id, frame) = try newest.runReturningRow({ $0.add(account) }, { row in (row.int64(0), Array(row.blob(1))) }),
              let text = PromptCompression.decompress(frame) else { return nil }
        let usage = try LedgerStatement(db, sql: """
            SELECT count(*) FROM decisions WHERE account_id = ?1 AND id > ?2 AND prompt_base = ?2
            """)
        let dependents = try usage.runReturningInteger { values in
            values.add(account)
            values.add(id)
        } ?? 0
        return Keyframe(id: id, text: Array(text.utf8), dependents: Int(dependents))
    }
}
