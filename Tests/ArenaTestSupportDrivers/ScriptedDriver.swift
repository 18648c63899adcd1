import ArenaCore
import Drivers
import Synchronization

/// A driver that answers from a script, standing in for a model: each decision in turn, then
/// the last one again for every later cycle.
public final class ScriptedDriver: Driver {
    /// The kind stored with each decision.
    public let kind: String
    private let script: Mutex<(decisions: [Decision], next: Int)>
    /// What each decision reports it cost, as a model's would; nil reports none.
    let costUSD: FixedDecimal?

    /// A driver that gives `decisions` in order (at least one), then repeats the last, each
    /// reporting `costUSD` (none when nil).
    public init(_ decisions: [Decision], kind: String = "scripted", costUSD: FixedDecimal? = nil) {
        self.kind = kind
        self.costUSD = costUSD
        script = Mutex((decisions.isEmpty ? [Decision(instructions: [])] : decisions, 0))
    }

    /// A driver that always gives `decision`.
    public convenience init(decision: Decision, kind: String = "scripted") {
        self.init([decision], kind: kind)
    }

    /// How many times the driver has been asked to decide.
    public var decisionsMade: Int { script.withLock { $0.next } }

    /// Returns the next scripted decision, with `scripted` as its raw response.
    public func decide(_ context: DecisionContext) async throws -> DriverOutput {
        let decision = script.withLock { script in
            defer { script.next += 1 }
            return script.decisions[min(script.next, script.decisions.count - 1)]
        }
        return DriverOutput(decision: decision, rawResponse: "scripted", costUSD: costUSD)
    }
}
