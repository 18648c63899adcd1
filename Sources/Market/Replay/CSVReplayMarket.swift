import ArenaCore
import Foundation

/// Replays bars from a CSV file (`timestamp,symbol,open,high,low,close,volume`) as market states,
/// with synthetic books around the prices.
///
/// The file's rows are grouped by timestamp into one market state per distinct time; rows may
/// come in any order (they are sorted by time, file order kept among equal times), but one
/// symbol may appear only once per time. A timestamp is the bar's opening time, in epoch
/// milliseconds (all digits) or ISO 8601. A symbol missing at a time carries its last quote
/// forward with zero volume; a symbol appears from its first row on.
///
/// With the intra-bar path on (the default), each bar becomes four states spread evenly over the
/// time to the next bar: the open, then whichever of high and low is nearer the open, then the
/// other, then the close, each with a quarter of the bar's volume; so triggers and liquidations
/// see the bar's extremes. The last bar's span is that of the bar before it; a file with a single
/// time, or bars closer than 4 ms apart, gives one state per bar at its close. With the path off,
/// each bar is one state at its close.
///
/// Funding is zero and open interest unknown unless the file has the optional `funding_rate` and
/// `open_interest` columns (`CSVFormat`); then every state of a bar carries the bar's values. A
/// file with `bid` and `ask` columns (a recording by `arena serve --record-market`) gives each
/// bar's close state the recorded top of book (the synthetic levels moved under it) and the
/// recorded mid, so a replay shows the prices the arena saw.
public struct CSVReplayMarket: MarketSource {
    /// Choices that shape a replay.
    public struct Configuration: Sendable, Hashable {
        /// Seeds the noise of the synthetic books.
        public var seed: UInt64
        /// Whether each bar becomes open, extremes and close (true) or only its close.
        public var intraBarPath: Bool
        /// The synthetic book around each price.
        public var book: BookBuilder
        /// The USD value of the first book level on each side, before noise.
        public var topLevelNotional: Double
        /// Instruments to use instead of the built-in or derived ones.
        public var instruments: [Symbol: Instrument]
        /// The largest file `init(path:configuration:)` reads.
        public var maximumFileBytes: Int64

        /// Creates a configuration.
        public init(seed: UInt64 = 0, intraBarPath: Bool = true, book: BookBuilder = BookBuilder(),
                    topLevelNotional: Double = 25_000, instruments: [Symbol: Instrument] = [:],
                    maximumFileBytes: Int64 = 2 << 30) {
            self.seed = seed
            self.intraBarPath = intraBarPath
            self.book = book
            self.topLevelNotional = topLevelNotional
            self.instruments = instruments
            self.maximumFileBytes = maximumFileBytes
        }
    }

    /// The number of states a bar becomes with the intra-bar path.
    static let pathSteps: Int64 = 4

    public let description: String
    public let symbols: [Symbol]
    public let instruments: [Symbol: Instrument]
    /// The configuration the replay was built from.
    public private(set) var configuration: Configuration

    /// Symbols by the parser's index.
    private let tableSymbols: [Symbol]
    private let tableInstruments: [Instrument]
    private let bars: [CSVBar]
    /// The optional columns of each bar, parallel to `bars`; empty for a plain file.
    private let extras: [CSVExtras]
    private let hasTopOfBook: Bool
    private var bookRandom: SeededRandom
    /// The first bar of the current time group, and the first bar after it.
    private var groupStart = 0
    private var groupEnd = 0
    /// The next intra-bar step of the current group to emit, and how many it has.
    private var step: Int64 = 0
    private var stepCount: Int64 = 0
    private var groupSpan: Int64 = 0
    private var lastQuotes: [Symbol: Quote] = [:]

    /// Reads and validates a replay file.
    /// - Parameters:
    ///   - path: The CSV file.
    ///   - configuration: Seed, intra-bar path and book options.
    /// - Throws: `MarketError` when the file cannot be read, exceeds `maximumFileBytes`, or holds
    ///   a malformed line (the error names the line and column).
    public init(path: String, configuration: Configuration = Configuration()) throws {
        let data = try Self.readFile(path, limit: configuration.maximumFileBytes)
        // Parsed in place: a copy of a large file would double its memory.
        self = try data.withUnsafeBytes { raw in
            try Self(buffer: UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self), count: raw.count),
                     name: path, configuration: configuration)
        }
    }

    /// Validates replay CSV held in memory.
    /// - Parameters:
    ///   - bytes: The file's content (UTF-8).
    ///   - name: Names the data in `description`, such as the file path.
    ///   - configuration: Seed, intra-bar path and book options.
    /// - Throws: `MarketError` naming the line and column of the first problem.
    public init(bytes: [UInt8], name: String, configuration: Configuration = Configuration()) throws {
        self = try bytes.withUnsafeBufferPointer { try Self(buffer: $0, name: name, configuration: configuration) }
    }

    private init(buffer: UnsafeBufferPointer<UInt8>, name: String, configuration: Configuration) throws {
        try configuration.book.validate()
        guard configuration.topLevelNotional.isFinite, configuration.topLevelNotional > 0, configuration.topLevelNotional < 1e12 else {
            throw MarketError.invalidConfiguration("the top level notional must be a positive USD amount under 10^12")
        }
        let table = try CSVParser.parse(buffer)
        var firstClose: [Int32: FixedDecimal] = [:]
        for bar in table.bars where firstClose[bar.symbolIndex] == nil { firstClose[bar.symbolIndex] = bar.close }
        let tableInstruments = table.symbols.enumerated().map { index, symbol in
            configuration.instruments[symbol] ?? Instrument.defaults[symbol]
                ?? Self.derivedInstrument(symbol, price: firstClose[Int32(index)] ?? .one)
        }
        // Every price must survive rounding to its grid, or the book would sit at zero.
        for bar in table.bars where !tableInstruments[Int(bar.symbolIndex)].roundPrice(bar.low).isPositive {
            throw MarketError.invalidRow(line: Int(bar.line), column: "5 (low)",
                                         reason: "\(bar.low) rounds to zero on the price grid of \(table.symbols[Int(bar.symbolIndex)])")
        }
        self.description = "replay of \(name)"
        self.configuration = configuration
        self.tableSymbols = table.symbols
        self.tableInstruments = tableInstruments
        self.bars = table.bars
        self.extras = table.extras
        self.hasTopOfBook = table.hasTopOfBook
        self.symbols = table.symbols.sorted()
        self.instruments = Dictionary(uniqueKeysWithValues: zip(table.symbols, tableInstruments))
        self.bookRandom = SeededRandom(seed: configuration.seed, stream: 3)
    }

    /// The same replay from its first bar with another seed for the book's draws, without reading
    /// and validating the file again (a season's repeats share one parsed file).
    public func reseeded(_ seed: UInt64) -> CSVReplayMarket {
        var fresh = self
        fresh.configuration.seed = seed
        fresh.bookRandom = SeededRandom(seed: seed, stream: 3)
        fresh.groupStart = 0
        fresh.groupEnd = 0
        fresh.step = 0
        fresh.stepCount = 0
        fresh.groupSpan = 0
        fresh.lastQuotes = [:]
        return fresh
    }

    /// Validates replay CSV text.
    /// - Parameters:
    ///   - text: The file's content.
    ///   - name: Names the data in `description`.
    ///   - configuration: Seed, intra-bar path and book options.
    /// - Throws: `MarketError` naming the line and column of the first problem.
    public init(text: String, name: String, configuration: Configuration = Configuration()) throws {
        try self.init(bytes: Array(text.utf8), name: name, configuration: configuration)
    }

    /// An instrument for a coin the arena has no metadata for, sized like Hyperliquid's: about
    /// as many size decimals as the price has integer digits (BTC 5, ETH 4, SOL 2, DOGE 0).
    static func derivedInstrument(_ symbol: Symbol, price: FixedDecimal) -> Instrument {
        let decimals = Int(log10(max(price.doubleValue, 1e-8)).rounded())
        return Instrument(symbol: symbol, sizeDecimals: min(max(decimals, 0), 5), maxLeverage: 10)
    }

    private static func readFile(_ path: String, limit: Int64) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MarketError.unreadableFile(path: path, reason: "no such file or no permission to read it")
        }
        defer { try? handle.close() }
        do {
            let size = Int64(try handle.seekToEnd())
            guard size <= limit else { throw MarketError.fileTooLarge(path: path, bytes: size, limit: limit) }
            try handle.seek(toOffset: 0)
            // Reads at most one byte past the limit, so a file that grows meanwhile stays bounded.
            let data = try handle.read(upToCount: Int(limit) + 1) ?? Data()
            guard Int64(data.count) <= limit else { throw MarketError.fileTooLarge(path: path, bytes: Int64(data.count), limit: limit) }
            return data
        } catch let error as MarketError {
            throw error
        } catch {
            throw MarketError.unreadableFile(path: path, reason: String(describing: error))
        }
    }

    /// Returns the next state, or nil after the last bar.
    public mutating func next() throws -> MarketSnapshot? {
        if step >= stepCount {
            guard groupEnd < bars.count else { return nil }
            startGroup(at: groupEnd)
        }
        let time = bars[groupStart].time + step * groupSpan / Self.pathSteps
        if step == 0 {
            // Symbols without a row at this time keep their last quote, having traded nothing.
            for symbol in lastQuotes.keys { lastQuotes[symbol]?.volume = .zero }
        }
        for index in groupStart..<groupEnd {
            let bar = bars[index]
            let symbol = tableSymbols[Int(bar.symbolIndex)]
            let instrument = tableInstruments[Int(bar.symbolIndex)]
            let price = stepCount == 1 ? bar.close : Self.pathPrice(of: bar, step: step)
            var book = configuration.book.book(around: price, instrument: instrument,
                                               topLevelNotional: configuration.topLevelNotional, random: &bookRandom)
            var mid = book.mid ?? instrument.roundPrice(price)
            let extra = extras.isEmpty ? nil : extras[index]
            if hasTopOfBook, step == stepCount - 1, let bid = extra?.bid, let ask = extra?.ask {
                book = Self.book(book, movedUnder: bid, ask: ask)
                if bar.close >= bid, bar.close <= ask { mid = bar.close }
            }
            lastQuotes[symbol] = Quote(symbol: symbol, mid: mid, mark: mid, book: book, fundingRate: extra?.fundingRate ?? .zero,
                                       openInterest: extra?.openInterest, volume: Self.volumeShare(of: bar.volume, step: step, of: stepCount))
        }
        let quotes = lastQuotes
        step += 1
        return MarketSnapshot(time: Timestamp(milliseconds: time), quotes: quotes)
    }

    private mutating func startGroup(at start: Int) {
        groupStart = start
        var end = start
        while end < bars.count, bars[end].time == bars[start].time { end += 1 }
        let previousSpan = groupSpan
        groupEnd = end
        groupSpan = end < bars.count ? bars[end].time - bars[start].time : previousSpan
        stepCount = configuration.intraBarPath && groupSpan >= Self.pathSteps ? Self.pathSteps : 1
        step = 0
    }

    /// Moves a synthetic book's sides so that its best bid and ask are the recorded ones, keeping
    /// the levels' spacing and sizes (bids that would fall to zero or below are dropped).
    static func book(_ book: OrderBook, movedUnder bid: FixedDecimal, ask: FixedDecimal) -> OrderBook {
        let bidShift = bid - (book.bestBid ?? bid)
        let askShift = ask - (book.bestAsk ?? ask)
        var bids = book.bids.map { BookLevel(price: $0.price + bidShift, size: $0.size) }.filter { $0.price.isPositive }
        var asks = book.asks.map { BookLevel(price: $0.price + askShift, size: $0.size) }
        if bids.isEmpty { bids = [BookLevel(price: bid, size: book.bids.first?.size ?? book.asks.first?.size ?? .one)] }
        if asks.isEmpty { asks = [BookLevel(price: ask, size: book.asks.first?.size ?? .one)] }
        return OrderBook(bids: bids, asks: asks)
    }

    /// The price at an intra-bar step: open, nearer extreme, farther extreme, close.
    static func pathPrice(of bar: CSVBar, step: Int64) -> FixedDecimal {
        let highFirst = (bar.high - bar.open) <= (bar.open - bar.low)
        switch step {
        case 0: return bar.open
        case 1: return highFirst ? bar.high : bar.low
        case 2: return highFirst ? bar.low : bar.high
        default: return bar.close
        }
    }

    /// The part of a bar's volume traded in one of its steps: equal shares, the rounding left to
    /// the last, so that the shares add up to the bar's volume exactly.
    static func volumeShare(of volume: FixedDecimal, step: Int64, of count: Int64) -> FixedDecimal {
        let share = volume.raw / count
        return FixedDecimal(raw: step == count - 1 ? volume.raw - share * (count - 1) : share)
    }
}
