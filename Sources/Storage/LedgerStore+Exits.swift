import ArenaCore
import GRDB

/// The text of an entry's exit plan in `orders.exit_plan`: one leg per line,
/// `kind cloid trigger limit distance`, with `-` for an absent limit or distance.
enum ExitPlanText {
    static func text(of legs: [ExitLeg]) -> String? {
        guard !legs.isEmpty else { return nil }
        return legs.map { leg in
            [leg.kind.rawValue, leg.clientOrderID.hex, leg.triggerPrice.description, leg.limitPrice?.description ?? "-",
             leg.trailing?.text ?? "-"].joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// - Throws: `StorageError.corruptValue` for a line that is no leg.
    static func legs(of text: String?) throws -> [ExitLeg] {
        guard let text, !text.isEmpty else { return [] }
        return try text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 5, let kind = TriggerKind(rawValue: fields[0]), let cloid = ClientOrderID(hex: fields[1]),
                  let trigger = FixedDecimal(fields[2]) else { throw StorageError.corruptValue(table: "orders", column: "exit_plan") }
            let limit = fields[3] == "-" ? nil : FixedDecimal(fields[3])
            let trailing = fields[4] == "-" ? nil : TrailingDistance(text: fields[4])
            guard (fields[3] == "-") == (limit == nil), (fields[4] == "-") == (trailing == nil) else {
                throw StorageError.corruptValue(table: "orders", column: "exit_plan")
            }
            return ExitLeg(clientOrderID: cloid, kind: kind, triggerPrice: trigger, limitPrice: limit, trailing: trailing)
        }
    }
}

extension LedgerStore {
    /// The orders of an account that are not final (in flight, resting, waiting for their
    /// trigger), in the order the venue received them: what a restarted paper exchange must hold.
    /// The condition is written as the partial index `orders_not_final` writes it, so SQLite uses it.
    public func unfinishedOrders(of id: AccountID) throws -> [StoredOrder] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM orders WHERE account_id = ? AND (status = 'pending' OR status = 'open' OR status = 'waiting_trigger')
                ORDER BY COALESCE(venue_order_id, 0), id
                """, arguments: [id.rawValue]).map(Self.storedOrder(from:))
        }
    }

    /// The members of an exit group, oldest first.
    public func exitGroup(_ group: ClientOrderID, of id: AccountID) throws -> [StoredOrder] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM orders WHERE account_id = ? AND exit_group = ? ORDER BY id",
                             arguments: [id.rawValue, group.hex]).map(Self.storedOrder(from:))
        }
    }
}
