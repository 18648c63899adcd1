import ArenaCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records the market as the arena sees it (`arena serve --record-market FILE`) into a replay file
/// that `--market replay:FILE` and a season's `{"replay": FILE}` read back: one bar per coin per
/// fixed interval of market time, its open, high, low and close of the mids, the volume traded in
/// it, and, at its close, the funding rate, the open interest and the best bid and ask
/// (`CSVFormat.recordingHeader`).
///
/// Each bar is written (one `write` to the file) as soon as a snapshot of a later interval
/// arrives, so that a crash loses at most the bar still open; `finish()` writes that one too.
public final class MarketRecorder: Sendable {
    /// The file written.
    public let path: String
    /// The bar length in milliseconds of market time.
    public let intervalMilliseconds: Int64

    /// One coin's bar while its interval is open.
    private struct OpenBar {
        var open, high, low, close: FixedDecimal
        var volume: FixedDecimal
        var fundingRate: FixedDecimal
        var openInterest: FixedDecimal?
        var bid: FixedDecimal?
        var ask: FixedDecimal?
    }

    private struct State {
        var handle: FileHandle?
        /// The start of the open interval, and its bars.
        var interval: Int64?
        var bars: [Symbol: OpenBar] = [:]
        var intervalsWritten = 0
    }

    private let state: Mutex<State>

    /// The longest bar accepted: a day.
    public static let maximumIntervalSeconds = 86_400

    /// Creates the file and writes its header.
    /// - Parameters:
    ///   - path: A file that does not exist yet (a recording is never overwritten or mixed with another).
    ///   - intervalSeconds: The bar length, 1 to 86,400 seconds of market time.
    /// - Throws: `MarketError.invalidConfiguration` for a bad interval or an existing file,
    ///   `MarketError.unreadableFile` when the file cannot be created.
    public init(path: String, intervalSeconds: Int) throws(MarketError) {
        guard (1...Self.maximumIntervalSeconds).contains(intervalSeconds) else {
            throw .invalidConfiguration("the recording interval must be 1 to \(Self.maximumIntervalSeconds) seconds, not \(intervalSeconds)")
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw .invalidConfiguration("\(path) already exists; give --record-market a new file (a recording is never overwritten)")
            }
            throw .unreadableFile(path: path, reason: "cannot create it: \(String(cString: strerror(code)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        self.path = path
        intervalMilliseconds = Int64(intervalSeconds) * 1000
        state = Mutex(State(handle: handle))
        try state.withLock { state throws(MarketError) in try Self.write(CSVFormat.recordingHeader + "\n", to: &state, path: path) }
    }

    /// The intervals written so far (each one row per coin).
    public var intervalsWritten: Int { state.withLock { $0.intervalsWritten } }

    /// Folds a market step into the open bars, first writing them out if the step starts a later interval.
    /// - Throws: `MarketError.unreadableFile` when the file cannot be written (the recording stops).
    public func record(_ snapshot: MarketSnapshot) throws(MarketError) {
        let time = snapshot.time.milliseconds
        let interval = time - ((time % intervalMilliseconds) + intervalMilliseconds) % intervalMilliseconds
        try state.withLock { state throws(MarketError) in
            guard state.handle != nil else { return }
            if let open = state.interval, interval > open {
                try Self.flush(&state, path: path)
            }
            if state.interval == nil { state.interval = interval }
            for (symbol, quote) in snapshot.quotes {
                let mid = quote.mid
                if var bar = state.bars[symbol] {
                    bar.high = FixedDecimal.max(bar.high, mid)
                    bar.low = FixedDecimal.min(bar.low, mid)
                    bar.close = mid
                    bar.volume += quote.volume
                    bar.fundingRate = quote.fundingRate
                    bar.openInterest = quote.openInterest
                    bar.bid = quote.book.bestBid
                    bar.ask = quote.book.bestAsk
                    state.bars[symbol] = bar
                } else {
                    state.bars[symbol] = OpenBar(open: mid, high: mid, low: mid, close: mid, volume: quote.volume,
                                                 fundingRate: quote.fundingRate, openInterest: quote.openInterest,
                                                 bid: quote.book.bestBid, ask: quote.book.bestAsk)
                }
            }
        }
    }

    /// Writes the bars of the open interval and closes the file; later steps are ignored.
    /// - Throws: `MarketError.unreadableFile` when the file cannot be written.
    public func finish() throws(MarketError) {
        try state.withLock { state throws(MarketError) in
            guard let handle = state.handle else { return }
            defer {
                try? handle.close()
                state.handle = nil
            }
            try Self.flush(&state, path: path)
        }
    }

    /// Writes the open interval's bars, one row per coin in symbol order, in one write.
    private static func flush(_ state: inout State, path: String) throws(MarketError) {
        guard let interval = state.interval, !state.bars.isEmpty else { return }
        var text = ""
        for (symbol, bar) in state.bars.sorted(by: { $0.key < $1.key }) {
            // A recorded price must be a valid replay price: positive, low <= open, close <= high.
            guard bar.low.isPositive else { continue }
            var bid = bar.bid, ask = bar.ask
            if let b = bid, let a = ask, b > a { bid = nil; ask = nil }
            let fields = [String(interval), symbol.name, bar.open.description, bar.high.description, bar.low.description,
                          bar.close.description, bar.volume.description, bar.fundingRate.description,
                          bar.openInterest?.description ?? "", bid?.description ?? "", ask?.description ?? ""]
            text += fields.joined(separator: ",") + "\n"
        }
        state.bars.removeAll(keepingCapacity: true)
        state.interval = nil
        try write(text, to: &state, path: path)
        state.intervalsWritten += 1
    }

    private static func write(_ text: String, to state: inout State, path: String) throws(MarketError) {
        guard let handle = state.handle, !text.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            try? handle.close()
            state.handle = nil
            throw .unreadableFile(path: path, reason: "cannot write the recording: \(error); the recording stops")
        }
    }
}
