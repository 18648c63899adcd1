import ArenaCore
import Hyperliquid
import Logging
import Storage

/// Stores every request an account's venue clients send, and its answer, in `venue_audit`.
///
/// Each report is written in its own transaction before the client acts on the answer, so the
/// trail is complete up to the last request even after a crash. A write that fails is logged and
/// dropped: the audit never stops trading.
struct VenueAuditRecorder: VenueRequestObserver {
    let recorder: Recorder
    let accountID: AccountID?
    let network: Network
    let logger: Logger

    func venueRequestFinished(_ report: VenueRequestReport) {
        let record = VenueAuditRecord(
            accountID: accountID, time: report.time, network: network.rawValue, endpoint: report.endpoint, action: report.actionType,
            clientOrderIDs: report.clientOrderIDs, nonce: report.nonce, signer: report.signerAddress, vault: report.vaultAddress,
            signatureHash: report.signatureHash, attempt: report.attempt, latencyMilliseconds: report.latencyMilliseconds,
            httpStatus: report.httpStatus, venueStatus: report.venueStatus, outcome: Self.outcome(of: report), error: report.errorText)
        recorder.metrics.venueRequest(report, outcome: record.outcome.rawValue)
        do {
            try recorder.record { transaction, _ in try transaction.insertVenueAudit(record) }
        } catch {
            logger.error("could not store a venue audit row", metadata: [
                "account.id": "\(accountID.map { "\($0.rawValue)" } ?? "none")", "action": "\(report.actionType ?? "")", "error": "\(error)"])
        }
    }

    static func outcome(of report: VenueRequestReport) -> VenueAuditOutcome {
        guard let status = report.httpStatus else { return .noAnswer }
        guard status == 200 else { return .httpError }
        return report.venueStatus == "err" ? .err : .ok
    }
}
