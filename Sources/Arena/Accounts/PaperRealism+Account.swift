import ArenaCore
import PaperExchange
import Storage

extension PaperRealism {
    /// The realism stored with an account.
    /// - Throws: `ArenaError.invalidAccount` for a name this version does not know.
    init(of record: AccountRecord) throws {
        guard let realism = PaperRealism(rawValue: record.paperRealism) else {
            throw ArenaError.invalidAccount("\(record.name)'s paper realism \(record.paperRealism) is not venue or noisy")
        }
        self = realism
    }
}

extension AccountService {
    /// The paper venue's configuration for an account: the arena's, the market's instruments, and
    /// the account's own realism profile.
    func paperConfiguration(realism: PaperRealism) -> PaperExchangeConfiguration {
        var paper = setup.configuration.paper
        paper.instruments.merge(setup.instruments) { _, fromMarket in fromMarket }
        paper.realism = realism.profile
        return paper
    }

    /// The paper venue's random seed for an account: the arena's seed mixed with the account's
    /// name (unique and kept across restarts and rosters), so that every account draws its own
    /// sequence, a rerun with the same seed draws it again, and a season whose entrant list
    /// changes keeps each remaining entrant's draws (ids would shift). Mixed through SplitMix64
    /// rather than XORed, so that neighbouring seeds do not give two accounts the same sequence.
    func paperSeed(for name: String) -> UInt64 {
        var generator = SeededGenerator(seed: setup.configuration.seed &+ 0x9E37_79B9_7F4A_7C15 &* SeededGenerator.seed(label: name))
        return generator.next()
    }

    /// Switches an account's paper realism: stored first, then applied to its paper venue in place
    /// from its next order on (positions, open orders and the random sequence are kept; a restart
    /// builds the same profile from the stored setting). A live account keeps the setting for when
    /// it returns to paper.
    func changePaperRealism(of id: AccountID, to realism: PaperRealism, runner: AccountRunner) async throws {
        try setup.recorder.ledger.setPaperRealism(realism.rawValue, of: id, now: setup.clock.now())
        await runner.changePaperRealism(realism)
    }
}

extension AccountRunner {
    /// Applies a new paper realism to the running account (its paper venue, its leaderboard line).
    func changePaperRealism(_ realism: PaperRealism) async {
        record.paperRealism = realism.rawValue
        if let paper = executor as? PaperExecutor { await paper.setRealism(realism.profile) }
        if let state = lastState, let time = lastMarket?.time { publishStanding(state: state, time: time) }
    }
}
