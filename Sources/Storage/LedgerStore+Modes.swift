import ArenaCore
import GRDB

/// One recorded switch (or refused switch) of an account's mode.
public struct ModeChangeRecord: Sendable, Hashable {
    public var accountID: AccountID
    public var time: Timestamp
    public var actor: String
    public var from: AccountMode
    public var to: AccountMode
    public var network: Network
    public var switched: Bool
    /// The preflight's checks as JSON text.
    public var preflight: String
    public var reason: String?

    public init(accountID: AccountID, time: Timestamp, actor: String, from: AccountMode, to: AccountMode, network: Network,
                switched: Bool, preflight: String, reason: String?) {
        self.accountID = accountID
        self.time = time
        self.actor = actor
        self.from = from
        self.to = to
        self.network = network
        self.switched = switched
        self.preflight = preflight
        self.reason = reason
    }
}

extension LedgerStore {
    /// Records a switch attempt and, when it switched, the account's new mode and network, in one transaction.
    public func recordModeChange(_ change: ModeChangeRecord) throws {
        try database.write { db in try LedgerTransaction(db, of: database).recordModeChange(change) }
    }

    /// The number of recorded switch attempts of an account.
    public func modeChangeCount(of id: AccountID) throws -> Int {
        try database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mode_changes WHERE account_id = ?", arguments: [id.rawValue]) ?? 0
        }
    }
}
