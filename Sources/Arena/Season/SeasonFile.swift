import ArenaCore
import Foundation
import LLM
import Market

/// Why a season cannot be read or run; the message says what to fix.
public struct SeasonError: Error, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A season file as written (`docs/SEASONS.md`): JSON, every field checked, unknown fields refused.
public struct SeasonFile: Sendable, Decodable {
    public struct MarketSettings: Sendable, Decodable {
        /// A replay CSV (`timestamp,symbol,open,high,low,close,volume`), relative to the season file.
        public var replay: String
    }

    /// A span of market time; either end may be left open.
    public struct Window: Sendable, Decodable, Hashable {
        public var start: SeasonTime?
        public var end: SeasonTime?
    }

    /// The paper venue's fee rates, overriding Hyperliquid's base tier.
    public struct Fees: Sendable, Decodable {
        public var taker: FixedDecimal?
        public var maker: FixedDecimal?
    }

    public struct Entrant: Sendable, Decodable {
        public var name: String
        public var driver: DriverSettings
        /// For `llm` drivers: the prompt variants, each an entrant of its own (`NAME/VARIANT`).
        public var prompts: [String]?
        /// The entrant's coins; the season's `symbols` when absent.
        public var symbols: [Symbol]?
        public var risk_limits: RiskLimits?
    }

    public var name: String
    public var market: MarketSettings
    public var window: Window?
    /// Several windows: every seed of `repeats` runs in each.
    public var windows: [Window]?
    public var symbols: [Symbol]
    public var initial_capital: FixedDecimal
    public var fees: Fees?
    public var realism: PaperRealism?
    /// Seeds per window: repeat `i` uses seed `seed + i`.
    public var repeats: Int
    /// The first repeat's seed (default 1).
    public var seed: UInt64?
    public var entrants: [Entrant]
}

/// A point in market time, written as ISO-8601 text or milliseconds since 1970.
public struct SeasonTime: Sendable, Decodable, Hashable {
    public var time: Timestamp

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let milliseconds = try? container.decode(Int64.self) {
            time = Timestamp(milliseconds: milliseconds)
        } else if let text = try? container.decode(String.self), let parsed = ISO8601.parse(text) {
            time = parsed
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be ISO-8601 text (2025-01-01T00:00:00Z) or milliseconds since 1970")
        }
    }
}

/// A season ready to run: the file checked, its entrants expanded by prompt variant and its
/// repeats laid out with their seeds and windows.
public struct SeasonPlan: Sendable {
    /// One account of every repeat.
    public struct Entrant: Sendable {
        /// `MODEL/VARIANT` for a model's variant, the baseline's own name otherwise.
        public var name: String
        public var model: String?
        public var variant: String?
        public var driver: DriverSettings
        public var symbols: [Symbol]
        public var riskLimits: RiskLimits?

        public var isModel: Bool { driver.kind == .llm }
    }

    /// One run of every entrant on the market.
    public struct Repeat: Sendable, Hashable {
        /// 0-based.
        public var index: Int
        public var seed: UInt64
        public var start: Timestamp?
        public var end: Timestamp?
    }

    public var name: String
    /// The season file's bytes, as read (`season.json` in the output folder).
    public var fileBytes: Data
    /// The replay CSV's absolute path.
    public var marketPath: String
    public var initialCapital: FixedDecimal
    public var realism: PaperRealism
    public var takerFee: FixedDecimal?
    public var makerFee: FixedDecimal?
    public var entrants: [Entrant]
    public var repeats: [Repeat]

    /// The largest season file read.
    static let maximumFileBytes = 1 << 20

    /// Reads and checks a season file.
    /// - Parameters:
    ///   - path: The season file.
    ///   - prompts: The prompt templates the variants must name.
    /// - Throws: `SeasonError` naming the file and the problem.
    public static func load(path: String, prompts: PromptLibrary) throws -> SeasonPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SeasonError("\(path): cannot read the season file; check the path")
        }
        guard data.count <= maximumFileBytes else { throw SeasonError("\(path): the season file is larger than 1 MiB") }
        let file: SeasonFile
        do {
            file = try JSON.decodeStrictly(SeasonFile.self, from: data)
        } catch let error as UnknownFieldError {
            throw SeasonError("\(path): \(error) (see docs/SEASONS.md for the fields)")
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw SeasonError("\(path): not a JSON season file (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))")
        } catch let error as DecodingError {
            throw SeasonError("\(path): \(ArenaError.describe(error))")
        } catch {
            throw SeasonError("\(path): not a JSON season file (\(error))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            return try plan(file, bytes: data, folder: folder, prompts: prompts)
        } catch let error as SeasonError {
            throw SeasonError("\(path): \(error.message)")
        }
    }

    /// Checks a decoded season file and lays out its entrants and repeats.
    static func plan(_ file: SeasonFile, bytes: Data, folder: URL, prompts: PromptLibrary) throws -> SeasonPlan {
        let name = file.name
        guard (1...64).contains(name.count),
              name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }),
              !name.hasPrefix(".") else {
            throw SeasonError("name must be 1 to 64 letters, digits, '-', '_' or '.' (it names the output folder)")
        }
        guard (1...1_000).contains(file.repeats) else { throw SeasonError("repeats must be 1 to 1000") }
        guard file.initial_capital >= FixedDecimal(10), file.initial_capital <= FixedDecimal(1_000_000_000) else {
            throw SeasonError("initial_capital must be between 10 and 1000000000")
        }
        guard !file.symbols.isEmpty else { throw SeasonError("symbols must name at least one coin") }
        guard Set(file.symbols).count == file.symbols.count else { throw SeasonError("symbols lists a coin twice") }
        for rate in [file.fees?.taker, file.fees?.maker].compactMap({ $0 }) {
            guard !rate.isNegative, rate <= FixedDecimal(1, exponent: 2) else { throw SeasonError("fees must be between 0 and 0.01 (a rate: 0.00045 is 4.5 bp)") }
        }

        // The market: the file exists, parses, and holds every coin.
        guard !file.market.replay.isEmpty else { throw SeasonError("market.replay must name a CSV file") }
        let marketURL = file.market.replay.hasPrefix("/") ? URL(fileURLWithPath: file.market.replay)
            : folder.appendingPathComponent(file.market.replay)
        let marketPath = marketURL.standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: marketPath) else {
            throw SeasonError("market.replay: \(marketPath) does not exist (the path is relative to the season file)")
        }
        let replay: CSVReplayMarket
        do {
            replay = try CSVReplayMarket(path: marketPath)
        } catch {
            throw SeasonError("market.replay: \(error)")
        }
        let missing = file.symbols.filter { !replay.symbols.contains($0) }
        guard missing.isEmpty else {
            throw SeasonError("market.replay has no rows for \(missing.map(\.name).joined(separator: ", ")) (it holds \(replay.symbols.map(\.name).joined(separator: ", ")))")
        }

        // Windows.
        if file.window != nil, file.windows != nil { throw SeasonError("give either window or windows, not both") }
        let windows = file.windows ?? [file.window ?? SeasonFile.Window(start: nil, end: nil)]
        guard !windows.isEmpty, windows.count <= 100 else { throw SeasonError("windows must hold 1 to 100 windows") }
        for window in windows {
            if let start = window.start?.time, let end = window.end?.time, start >= end {
                throw SeasonError("a window's start must come before its end")
            }
        }
        let seed = file.seed ?? 1
        var repeats: [Repeat] = []
        for window in windows {
            for _ in 0..<file.repeats {
                let index = repeats.count
                repeats.append(Repeat(index: index, seed: seed &+ UInt64(index), start: window.start?.time, end: window.end?.time))
            }
        }

        // Entrants, each prompt variant one of its own.
        guard !file.entrants.isEmpty else { throw SeasonError("entrants must list at least one entrant") }
        var entrants: [Entrant] = []
        var names = Set<String>()
        for entrant in file.entrants {
            let base = entrant.name.trimmingCharacters(in: .whitespaces)
            guard (1...48).contains(base.count), !base.contains("/") else {
                throw SeasonError("entrant names must be 1 to 48 characters without '/' (got \"\(entrant.name)\")")
            }
            let symbols = entrant.symbols ?? file.symbols
            guard !symbols.isEmpty, symbols.allSatisfy(file.symbols.contains) else {
                throw SeasonError("\(base): symbols must be some of the season's symbols")
            }
            do {
                try entrant.driver.validate(symbols: symbols)
            } catch let error as ArenaError {
                throw SeasonError("\(base): \(Self.reason(error))")
            }
            var expanded: [Entrant] = []
            if entrant.driver.kind == .llm {
                if entrant.driver.provider == .local { throw SeasonError("\(base): the local model cannot run a season (its answers are not seeded); use an HTTP provider") }
                let variants = entrant.prompts ?? [entrant.driver.prompt ?? "default"]
                guard !variants.isEmpty else { throw SeasonError("\(base): prompts must list at least one variant") }
                guard Set(variants).count == variants.count else { throw SeasonError("\(base): prompts lists a variant twice") }
                if entrant.prompts != nil, entrant.driver.prompt != nil {
                    throw SeasonError("\(base): give the variants in prompts, not driver.prompt")
                }
                for variant in variants {
                    guard PromptLibrary.isValidName(variant), prompts.contains(variant) else {
                        throw SeasonError("\(base): no prompt variant \"\(variant)\" in prompts/ (known: \(prompts.names.joined(separator: ", ")))")
                    }
                    var driver = entrant.driver
                    driver.prompt = variant
                    expanded.append(Entrant(name: entrant.prompts == nil ? base : "\(base)/\(variant)", model: base, variant: variant,
                                            driver: driver, symbols: symbols, riskLimits: entrant.risk_limits))
                }
            } else {
                guard entrant.prompts == nil else { throw SeasonError("\(base): prompts apply to llm drivers only") }
                expanded.append(Entrant(name: base, model: nil, variant: nil, driver: entrant.driver, symbols: symbols,
                                        riskLimits: entrant.risk_limits))
            }
            for item in expanded {
                guard names.insert(item.name).inserted else { throw SeasonError("the entrant \(item.name) appears twice") }
            }
            entrants += expanded
        }
        return SeasonPlan(name: name, fileBytes: bytes, marketPath: marketPath, initialCapital: file.initial_capital,
                          realism: file.realism ?? .venue, takerFee: file.fees?.taker, makerFee: file.fees?.maker,
                          entrants: entrants, repeats: repeats)
    }

    /// The reason inside an `ArenaError`, without its roster wording.
    private static func reason(_ error: ArenaError) -> String {
        switch error {
        case .invalidRoster(let reason), .invalidAccount(let reason), .invalidRequest(let reason), .notFound(let reason),
             .conflict(let reason), .localModel(let reason):
            reason
        default:
            "\(error)"
        }
    }

    /// The model entrants' `api_key_env` variables that `environment` does not set.
    public func missingKeyVariables(in environment: [String: String]) -> [String] {
        Array(Set(entrants.compactMap(\.driver.api_key_env).filter { (environment[$0] ?? "").isEmpty })).sorted()
    }
}
