import ArenaCore
import JSONCore

/// Why a model's answer is not a usable decision.
public struct DecisionParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// How bad it is.
    public enum Kind: String, Sendable, Hashable {
        /// No decision could be read at all (prose, broken JSON, wrong shape).
        case unreadable
        /// A decision was read but breaks a rule (unknown symbol, negative size, NaN, ...).
        case invalid
    }

    public let kind: Kind
    /// The explanation; model text in it is quoted and cut short.
    public let reason: String

    public var description: String { reason }
}

/// Reads a model's answer into a `Decision`: finds the JSON (a tool's arguments, a code fence or
/// the one object in prose), then checks every field's type and range.
///
/// The answer is data: the justification and other free text are stored and shown, never
/// interpreted, so instructions hidden in them change nothing. Account limits (leverage, size,
/// minimum order value, TP/SL side) are the risk gate's to enforce, not repeated here.
public struct DecisionParser: Sendable {
    /// The account's universe: the only symbols accepted.
    public let universe: [Symbol]

    /// Creates a parser for an account's universe.
    public init(universe: [Symbol]) { self.universe = universe }

    /// Returns the decision the answer holds.
    /// - Throws: `DecisionParseError`.
    public func parse(_ answer: String) throws(DecisionParseError) -> Decision {
        let trimmed = answer.trimmingSet(" \t\r\n")
        // The usual answer (a tool's arguments) is JSON as a whole: parse it once, not once to
        // find it and again to read it.
        if trimmed.first == "{" || trimmed.first == "[", let value = try? JSONParser.parse(trimmed, limits: .modelOutput) {
            return try decision(from: value)
        }
        let json = try Self.extractJSON(from: answer)
        let value: JSONValue
        do {
            value = try JSONParser.parse(json, limits: .modelOutput)
        } catch {
            throw DecisionParseError(kind: .unreadable, reason: "The answer is not valid JSON: \(error.modelExplanation).")
        }
        return try decision(from: value)
    }

    // MARK: Finding the JSON

    /// Returns the JSON text of an answer: the whole answer if it is JSON, else the inside of a
    /// code fence, else the one balanced `{...}` in the text.
    static func extractJSON(from answer: String) throws(DecisionParseError) -> String {
        let trimmed = answer.trimmingSet(" \t\r\n")
        guard !trimmed.isEmpty else { throw DecisionParseError(kind: .unreadable, reason: "The answer is empty.") }
        guard trimmed.utf8.count <= JSONParser.Limits.modelOutput.maximumBytes else {
            throw DecisionParseError(kind: .unreadable, reason: "The answer is longer than \(JSONParser.Limits.modelOutput.maximumBytes) bytes.")
        }
        let startsAsJSON = trimmed.first == "{" || trimmed.first == "["
        if startsAsJSON, (try? JSONParser.parse(trimmed, limits: .modelOutput)) != nil { return trimmed }
        if let fenced = fencedBlock(in: trimmed) { return fenced }
        let objects = balancedObjects(in: trimmed)
        if objects.count > 1 {
            throw DecisionParseError(kind: .unreadable, reason: "The answer holds \(objects.count) JSON objects; give exactly one.")
        }
        // JSON followed by prose ("{...} Hope this helps") is read as its one object.
        if let object = objects.first, (try? JSONParser.parse(object, limits: .modelOutput)) != nil || !startsAsJSON { return object }
        // An answer that starts as JSON but does not parse is taken whole, so its own error is reported.
        if startsAsJSON { return trimmed }
        throw DecisionParseError(kind: .unreadable, reason: "The answer holds no JSON object: \(Self.quote(trimmed, limit: 80)).")
    }

    /// The body of the first ``` fence (with or without a language tag).
    static func fencedBlock(in text: String) -> String? {
        guard let open = text.range(of: "```") else { return nil }
        var rest = text[open.upperBound...]
        // Skip a language tag such as `json` up to the end of the line.
        if let newline = rest.firstIndex(of: "\n") {
            let tag = rest[..<newline].trimmingSet(" \t\r")
            if tag.allSatisfy({ $0.isLetter }) { rest = rest[rest.index(after: newline)...] }
        }
        guard let close = rest.range(of: "```") else { return nil }
        let body = rest[..<close.lowerBound].trimmingSet(" \t\r\n")
        return body.isEmpty ? nil : body
    }

    /// The top-level balanced `{...}` spans of a text, skipping braces inside strings.
    static func balancedObjects(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        var spans: [String] = []
        var depth = 0
        var start = 0
        var inString = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                if depth > 0 { inString = true }
            case UInt8(ascii: "{"):
                if depth == 0 { start = index }
                depth += 1
            case UInt8(ascii: "}"):
                guard depth > 0 else { continue }
                depth -= 1
                if depth == 0 { spans.append(String(decoding: bytes[start...index], as: UTF8.self)) }
            default:
                break
            }
        }
        if depth > 0 { spans.append(String(decoding: bytes[start...], as: UTF8.self)) }
        return spans
    }

    // MARK: Reading the decision

    func decision(from value: JSONValue) throws(DecisionParseError) -> Decision {
        let items: [JSONValue]
        var reasoning: String?
        switch value {
        case .object(let members):
            if value["decisions"] != nil {
                for member in members where member.key != "decisions" && member.key != "reasoning" {
                    throw invalid("Unknown top-level field \(Self.quote(member.key, limit: 40)); only decisions and reasoning are allowed.")
                }
                guard case .array(let list)? = value["decisions"] else {
                    throw DecisionParseError(kind: .unreadable, reason: "decisions must be an array (got \(value["decisions"]?.kindName ?? "nothing")).")
                }
                items = list
                switch value["reasoning"] {
                case nil, .null?: break
                case .string(let text)?: reasoning = Self.clean(text, limit: DecisionSchema.maximumReasoning)
                case let other?: throw invalid("reasoning must be a string (got \(other.kindName)).")
                }
            } else if value["symbol"] != nil || value["action"] != nil {
                // One instruction on its own, as small models sometimes answer.
                items = [value]
            } else {
                throw DecisionParseError(kind: .unreadable, reason: "The answer has no decisions array.")
            }
        case .array(let list):
            items = list
        default:
            throw DecisionParseError(kind: .unreadable, reason: "The answer must be a JSON object with a decisions array (got \(value.kindName)).")
        }
        guard items.count <= max(universe.count, 1) * 2 else {
            throw invalid("The answer lists \(items.count) instructions for \(universe.count) symbols.")
        }
        var instructions: [SymbolDecision] = []
        for (position, item) in items.enumerated() {
            instructions.append(try instruction(from: item, position: position + 1))
        }
        return Decision(instructions: instructions, reasoning: reasoning)
    }

    private func instruction(from item: JSONValue, position: Int) throws(DecisionParseError) -> SymbolDecision {
        guard case .object(let members) = item else { throw invalid("Instruction \(position) must be an object (got \(item.kindName)).") }
        for member in members where !DecisionSchema.instructionFields.contains(member.key) && !DecisionSchema.legacyInstructionFields.contains(member.key) {
            throw invalid("Instruction \(position) has an unknown field \(Self.quote(member.key, limit: 40)); allowed: \(DecisionSchema.instructionFields.joined(separator: ", ")).")
        }
        func field(_ name: String) -> JSONValue? {
            guard let value = item[name], value != .null else { return nil }
            return value
        }
        // Symbol.
        guard let symbolValue = field("symbol") else { throw invalid("Instruction \(position) is missing symbol.") }
        guard case .string(let symbolText) = symbolValue else { throw invalid("Instruction \(position): symbol must be a string (got \(symbolValue.kindName)).") }
        let allowed = universe.map(\.name).joined(separator: ", ")
        guard let symbol = Symbol(symbolText), universe.contains(symbol) else {
            throw invalid("Instruction \(position): unknown symbol \(Self.quote(symbolText, limit: 24)); this account trades only \(allowed).")
        }
        let label = "\(symbol)"
        // Action.
        guard let actionValue = field("action") else { throw invalid("\(label): missing action.") }
        guard case .string(let actionText) = actionValue else { throw invalid("\(label): action must be a string (got \(actionValue.kindName)).") }
        guard let action = DecisionAction(rawValue: actionText), DecisionSchema.actions.contains(action) else {
            throw invalid("\(label): unknown action \(Self.quote(actionText, limit: 24)); use open_long, open_short, close or hold.")
        }
        let opens = action == .openLong || action == .openShort
        // Size: `size` with `size_unit`, or the earlier `size_usd` / `size_equity_fraction`.
        let flatSize = try amount(field("size"), name: "size", label: label, allowZero: true)
        let usd = try amount(field("size_usd"), name: "size_usd", label: label, allowZero: true)
        let fraction = try amount(field("size_equity_fraction"), name: "size_equity_fraction", label: label, allowZero: true)
        if let fraction, fraction > .one { throw invalid("\(label): size_equity_fraction must be between 0 and 1 (got \(fraction)).") }
        var size: DecisionSize?
        if opens {
            if let flatSize {
                guard usd == nil, fraction == nil else {
                    throw invalid("\(label): give size with size_unit, or the older size_usd or size_equity_fraction, not both.")
                }
                guard let unitValue = field("size_unit") else { throw invalid("\(label): size needs a size_unit (usd or equity_fraction).") }
                guard case .string(let unitText) = unitValue, let unit = DecisionSchema.SizeUnit(rawValue: unitText) else {
                    throw invalid("\(label): size_unit must be usd or equity_fraction (got \(Self.quote(unitValue.serialized, limit: 24))).")
                }
                switch unit {
                case .usd:
                    size = .usd(flatSize)
                case .equityFraction:
                    guard flatSize <= .one else { throw invalid("\(label): a size in equity_fraction must be between 0 and 1 (got \(flatSize)).") }
                    size = .equityFraction(flatSize)
                }
            } else {
                switch (usd, fraction) {
                case (let usd?, nil): size = .usd(usd)
                case (nil, let fraction?): size = .equityFraction(fraction)
                case (.some, .some): throw invalid("\(label): give size_usd or size_equity_fraction, not both.")
                case (nil, nil): size = nil
                }
            }
        }
        // Leverage: checked for opens; closes and holds carry a placeholder that is ignored.
        var leverage: Int?
        if let leverageValue = field("leverage") {
            guard case .number(let text) = leverageValue else { throw invalid("\(label): leverage must be a number (got \(leverageValue.kindName)).") }
            if opens {
                guard let double = Double(text), double.isFinite else { throw invalid("\(label): leverage \(Self.quote(text, limit: 24)) is not a finite number.") }
                guard double == double.rounded() else { throw invalid("\(label): leverage must be a whole number (got \(Self.quote(text, limit: 24))).") }
                guard double >= 1, double <= Double(DecisionSchema.maximumLeverage) else {
                    throw invalid("\(label): leverage must be between 1 and \(DecisionSchema.maximumLeverage) (got \(Self.quote(text, limit: 24))).")
                }
                leverage = Int(double)
            }
        }
        let takeProfit = try amount(field("take_profit"), name: "take_profit", label: label, allowZero: false)
        let stopLoss = try amount(field("stop_loss"), name: "stop_loss", label: label, allowZero: false)
        let trailingPercent = try amount(field("trailing_stop_pct"), name: "trailing_stop_pct", label: label, allowZero: false)
        if let trailingPercent, trailingPercent > FixedDecimal(50) {
            throw invalid("\(label): trailing_stop_pct must be above 0 and at most 50 (got \(trailingPercent)).")
        }
        // Confidence.
        guard let confidenceValue = field("confidence") else { throw invalid("\(label): missing confidence (a number from 0 to 1).") }
        guard let confidence = try amount(confidenceValue, name: "confidence", label: label, allowZero: true), confidence <= .one else {
            throw invalid("\(label): confidence must be between 0 and 1.")
        }
        // Words.
        guard let justificationValue = field("justification") else { throw invalid("\(label): missing justification.") }
        guard case .string(let justification) = justificationValue else {
            throw invalid("\(label): justification must be a string (got \(justificationValue.kindName)).")
        }
        var invalidation: String?
        if let value = field("invalidation_condition") {
            guard case .string(let text) = value else { throw invalid("\(label): invalidation_condition must be a string (got \(value.kindName)).") }
            invalidation = Self.clean(text, limit: DecisionSchema.maximumInvalidation)
        }
        return SymbolDecision(symbol: symbol, action: action, size: size, leverage: leverage,
                              takeProfit: action == .openLong || action == .openShort ? takeProfit : nil,
                              stopLoss: action == .openLong || action == .openShort ? stopLoss : nil,
                              invalidationCondition: invalidation, confidence: confidence,
                              justification: Self.clean(justification, limit: DecisionSchema.maximumJustification),
                              trailingStop: action == .openLong || action == .openShort ? trailingPercent.map(TrailingDistance.percent) : nil)
    }

    /// Reads a non-negative amount within the model limits, exactly when the text allows.
    private func amount(_ value: JSONValue?, name: String, label: String, allowZero: Bool) throws(DecisionParseError) -> FixedDecimal? {
        guard let value else { return nil }
        guard case .number(let text) = value else { throw invalid("\(label): \(name) must be a number (got \(value.kindName)).") }
        guard let double = Double(text), double.isFinite else { throw invalid("\(label): \(name) \(Self.quote(text, limit: 24)) is not a finite number.") }
        guard double >= 0 else { throw invalid("\(label): \(name) must not be negative (got \(Self.quote(text, limit: 24))).") }
        guard allowZero || double > 0 else { throw invalid("\(label): \(name) must be positive (got \(Self.quote(text, limit: 24))).") }
        guard double <= DecisionSchema.maximumAmount.doubleValue else {
            throw invalid("\(label): \(name) \(Self.quote(text, limit: 24)) is too large (at most \(DecisionSchema.maximumAmount)).")
        }
        guard let decimal = FixedDecimal(text) ?? FixedDecimal(approximating: double) else {
            throw invalid("\(label): \(name) \(Self.quote(text, limit: 24)) is not a usable number.")
        }
        return decimal
    }

    private func invalid(_ reason: String) -> DecisionParseError { DecisionParseError(kind: .invalid, reason: reason) }

    // MARK: Text hygiene

    /// Returns model text fit to store and show: control and bidirectional-override characters
    /// removed (newlines and tabs kept), cut to `limit` characters.
    public static func clean(_ text: String, limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x0A || value == 0x09 { scalars.append(scalar); continue }
            if value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
                || value == 0x200E || value == 0x200F {
                continue
            }
            scalars.append(scalar)
        }
        let cleaned = String(scalars).trimmingSet(" \t\r\n")
        guard cleaned.count > limit else { return cleaned }
        return String(cleaned.prefix(limit - 1)) + "…"
    }

    /// Returns model text as a short JSON-quoted string for an error message.
    static func quote(_ text: String, limit: Int) -> String {
        let cut = text.count > limit ? String(text.prefix(limit)) + "..." : text
        return JSONValue.quote(clean(cut, limit: limit + 3))
    }
}

extension Substring {
    /// Returns the text without leading and trailing bytes from `set`, which holds ASCII only
    /// (an ASCII byte is never part of a longer UTF-8 sequence, so no character is cut). By byte,
    /// not by `Character`: "\r\n" is one `Character`, so a set of characters built from " \t\r\n"
    /// held no lone "\n" and left it in place.
    func trimmingSet(_ set: String) -> String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !set.utf8.contains($0) }),
              let last = bytes.lastIndex(where: { !set.utf8.contains($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

extension String {
    /// Returns the text without leading and trailing bytes from `set` (ASCII only).
    func trimmingSet(_ set: String) -> String { self[...].trimmingSet(set) }
}
