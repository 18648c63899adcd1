import ArenaCore

/// The CSV layout the replay reads: one bar per row, `timestamp,symbol,open,high,low,close,volume`,
/// optionally followed by any of `funding_rate,open_interest,bid,ask` (in any order, each at most
/// once; `arena serve --record-market` writes all four). The header says which extra columns a
/// file has; an extra field may be empty where the value was unknown. Files without extra
/// columns read as before.
public enum CSVFormat {
    /// The header of a file without extra columns (fields may carry surrounding whitespace).
    public static let header = columns.joined(separator: ",")
    /// The required column names, in order.
    public static let columns = ["timestamp", "symbol", "open", "high", "low", "close", "volume"]
    /// The optional columns that may follow the required ones: the hourly funding rate (may be
    /// negative), the open interest in coins, and the best bid and ask at the bar's close.
    public static let optionalColumns = ["funding_rate", "open_interest", "bid", "ask"]
    /// The header `arena serve --record-market` writes: every column.
    public static let recordingHeader = (columns + optionalColumns).joined(separator: ",")
    /// The longest line accepted, in bytes, so that a file without newlines cannot be taken
    /// for one enormous row.
    public static let maximumLineBytes = 4_096
}

/// One validated row of a replay file.
struct CSVBar: Sendable, Hashable {
    var time: Int64
    /// The index of the symbol in the parser's symbol table.
    var symbolIndex: Int32
    /// The 1-based line in the file, for error messages.
    var line: Int32
    var open: FixedDecimal
    var high: FixedDecimal
    var low: FixedDecimal
    var close: FixedDecimal
    var volume: FixedDecimal
}

/// The optional columns of one row; nil where the file has no such column or the field is empty.
struct CSVExtras: Sendable, Hashable {
    var fundingRate: FixedDecimal?
    var openInterest: FixedDecimal?
    var bid: FixedDecimal?
    var ask: FixedDecimal?
}

/// The rows of a replay file, validated and ordered by time.
struct CSVTable: Sendable {
    /// Symbols in order of first appearance in the file; bars refer to them by index.
    var symbols: [Symbol]
    /// Bars sorted by time, ties in file order.
    var bars: [CSVBar]
    /// The optional columns of each bar, in the order of `bars`; empty when the file has none
    /// (a plain file costs no memory for them).
    var extras: [CSVExtras] = []
    /// Whether the file has both `bid` and `ask` columns.
    var hasTopOfBook = false
}

/// Parses replay CSV text into validated bars.
enum CSVParser {
    private static let comma = UInt8(ascii: ",")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Parses a whole file.
    /// - Throws: `MarketError` naming the line and column of the first problem.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> CSVTable {
        var position = 0
        // A UTF-8 byte order mark is tolerated, as spreadsheets write one.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        var lineNumber = 0
        var sawHeader = false
        var symbolIndex: [Symbol: Int32] = [:]
        var spellings: [String: Int32] = [:]
        var symbols: [Symbol] = []
        var bars: [CSVBar] = []
        var extras: [CSVExtras] = []
        var sorted = true
        var names = CSVFormat.columns
        var fieldRanges = [Range<Int>](repeating: 0..<0, count: CSVFormat.columns.count)

        while position < bytes.count {
            lineNumber += 1
            var end = position
            while end < bytes.count, bytes[end] != newline { end += 1 }
            let nextPosition = end + 1
            if end - position > CSVFormat.maximumLineBytes {
                throw MarketError.invalidRow(line: lineNumber, column: nil,
                                             reason: "the line is longer than \(CSVFormat.maximumLineBytes) bytes")
            }
            var lineEnd = end
            if lineEnd > position, bytes[lineEnd - 1] == carriageReturn { lineEnd -= 1 }
            let line = position..<lineEnd
            position = nextPosition
            if isBlank(bytes, line) { continue }

            guard sawHeader else {
                let fields = split(bytes, line).map { text(bytes, trimmed(bytes, $0)) }
                guard fields.count >= CSVFormat.columns.count, Array(fields.prefix(CSVFormat.columns.count)) == CSVFormat.columns else {
                    throw MarketError.invalidHeader(found: text(bytes, line))
                }
                let optional = fields.dropFirst(CSVFormat.columns.count)
                guard optional.allSatisfy(CSVFormat.optionalColumns.contains), Set(optional).count == optional.count else {
                    throw MarketError.invalidHeader(found: text(bytes, line))
                }
                names = fields
                fieldRanges = [Range<Int>](repeating: 0..<0, count: names.count)
                sawHeader = true
                continue
            }

            var count = 0
            var fieldStart = line.lowerBound
            for index in line where bytes[index] == comma {
                if count < fieldRanges.count { fieldRanges[count] = fieldStart..<index }
                count += 1
                fieldStart = index + 1
            }
            if count < fieldRanges.count { fieldRanges[count] = fieldStart..<line.upperBound }
            count += 1
            guard count == names.count else {
                throw MarketError.invalidRow(line: lineNumber, column: nil,
                                             reason: "expected \(names.count) columns, found \(count)")
            }
            let bar = try parseRow(bytes, fieldRanges, line: lineNumber, symbolIndex: &symbolIndex, spellings: &spellings,
                                   symbols: &symbols)
            if names.count > CSVFormat.columns.count {
                extras.append(try parseExtras(bytes, fieldRanges, names: names, line: lineNumber))
            }
            if let last = bars.last, bar.time < last.time { sorted = false }
            bars.append(bar)
        }
        guard sawHeader, !bars.isEmpty else { throw MarketError.emptyFile }
        if !sorted {
            // Rows may come grouped by symbol (one file per coin concatenated): order by time,
            // keeping file order among equal times.
            if extras.isEmpty {
                bars.sort { ($0.time, $0.line) < ($1.time, $1.line) }
            } else {
                let order = bars.indices.sorted { (bars[$0].time, bars[$0].line) < (bars[$1].time, bars[$1].line) }
                bars = order.map { bars[$0] }
                extras = order.map { extras[$0] }
            }
        }
        try checkDuplicates(bars, symbols: symbols)
        return CSVTable(symbols: symbols, bars: bars, extras: extras, hasTopOfBook: names.contains("bid") && names.contains("ask"))
    }

    /// Reads a row's optional columns: an empty field is an unknown value.
    private static func parseExtras(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: [Range<Int>], names: [String], line: Int) throws -> CSVExtras {
        var extras = CSVExtras()
        for column in CSVFormat.columns.count..<names.count {
            let range = trimmed(bytes, fields[column])
            if range.isEmpty { continue }
            func fail(_ reason: String) -> MarketError {
                .invalidRow(line: line, column: "\(column + 1) (\(names[column]))", reason: reason)
            }
            guard let value = parseDecimal(bytes, range) else { throw fail("not a decimal number: `\(text(bytes, range).prefix(40))`") }
            switch names[column] {
            case "funding_rate":
                guard value.magnitude < .one else { throw fail("a funding rate must be a fraction between -1 and 1, not \(value)") }
                extras.fundingRate = value
            case "open_interest":
                guard !value.isNegative else { throw fail("open interest must not be negative, not \(value)") }
                extras.openInterest = value
            case "bid":
                guard value.isPositive else { throw fail("a bid must be positive, not \(value)") }
                extras.bid = value
            default:
                guard value.isPositive else { throw fail("an ask must be positive, not \(value)") }
                extras.ask = value
            }
        }
        if let bid = extras.bid, let ask = extras.ask, bid > ask {
            throw MarketError.invalidRow(line: line, column: nil, reason: "the bid \(bid) is above the ask \(ask)")
        }
        return extras
    }

    private static func parseRow(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: [Range<Int>], line: Int,
                                 symbolIndex: inout [Symbol: Int32], spellings: inout [String: Int32],
                                 symbols: inout [Symbol]) throws -> CSVBar {
        func fail(_ column: Int, _ reason: String) -> MarketError {
            .invalidRow(line: line, column: "\(column + 1) (\(CSVFormat.columns[column]))", reason: reason)
        }
        func field(_ column: Int) -> Range<Int> { trimmed(bytes, fields[column]) }
        func quoted(_ range: Range<Int>) -> String { "`\(text(bytes, range).prefix(40))`" }

        let timeField = field(0)
        guard let time = parseTime(bytes, timeField) else {
            throw fail(0, "not an ISO 8601 time or epoch milliseconds: \(quoted(timeField))")
        }

        let symbolField = field(1)
        let symbolText = text(bytes, symbolField)
        let index: Int32
        if let known = spellings[symbolText] {
            // Most rows repeat a spelling already seen: skip validating and uppercasing it again.
            index = known
        } else {
            guard let symbol = Symbol(symbolText) else {
                throw fail(1, "not a symbol (1 to 20 letters or digits): \(quoted(symbolField))")
            }
            if let known = symbolIndex[symbol] {
                index = known
            } else {
                index = Int32(symbols.count)
                symbolIndex[symbol] = index
                symbols.append(symbol)
            }
            spellings[symbolText] = index
        }

        func price(_ column: Int) throws -> FixedDecimal {
            let range = field(column)
            guard let value = parseDecimal(bytes, range) else { throw fail(column, "not a decimal number: \(quoted(range))") }
            guard value.isPositive else { throw fail(column, "a price must be positive, not \(value)") }
            return value
        }
        let open = try price(2), high = try price(3), low = try price(4), close = try price(5)
        let volumeField = field(6)
        guard let volume = parseDecimal(bytes, volumeField) else { throw fail(6, "not a decimal number: \(quoted(volumeField))") }
        guard !volume.isNegative else { throw fail(6, "volume must not be negative, not \(volume)") }
        guard high >= low else { throw fail(3, "high \(high) is below low \(low)") }
        guard open >= low, open <= high else { throw fail(2, "open \(open) is outside the range \(low) to \(high)") }
        guard close >= low, close <= high else { throw fail(5, "close \(close) is outside the range \(low) to \(high)") }
        return CSVBar(time: time, symbolIndex: index, line: Int32(clamping: line),
                      open: open, high: high, low: low, close: close, volume: volume)
    }

    private static func checkDuplicates(_ bars: [CSVBar], symbols: [Symbol]) throws {
        var groupStart = 0
        var seen: [Int32: Int32] = [:]
        for index in bars.indices {
            if bars[index].time != bars[groupStart].time {
                groupStart = index
                seen.removeAll(keepingCapacity: true)
            }
            let bar = bars[index]
            if let firstLine = seen[bar.symbolIndex] {
                throw MarketError.duplicateRow(symbol: symbols[Int(bar.symbolIndex)], time: Timestamp(milliseconds: bar.time),
                                               firstLine: Int(min(firstLine, bar.line)), secondLine: Int(max(firstLine, bar.line)))
            }
            seen[bar.symbolIndex] = bar.line
        }
    }

    /// Parses epoch milliseconds (all digits) or ISO 8601 text.
    static func parseTime(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty else { return nil }
        if range.allSatisfy({ isDigit(bytes[$0]) }) {
            // Fifteen digits reach the year 33658: anything longer is not a time.
            guard range.count <= 15 else { return nil }
            var value: Int64 = 0
            for index in range { value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            return value
        }
        return ISO8601.parse(text(bytes, range))?.milliseconds
    }

    /// Parses a decimal through `FixedDecimal`, with a fast path for the plain `123.45` form
    /// that builds the same value without allocating a string.
    static func parseDecimal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> FixedDecimal? {
        var raw: Int64 = 0
        var fractionDigits = -1
        var plain = !range.isEmpty && range.count <= 19
        if plain {
            for index in range {
                let byte = bytes[index]
                if isDigit(byte) {
                    raw = raw * 10 + Int64(byte - UInt8(ascii: "0"))
                    if fractionDigits >= 0 { fractionDigits += 1 }
                } else if byte == UInt8(ascii: "."), fractionDigits < 0 {
                    fractionDigits = 0
                } else {
                    plain = false
                    break
                }
            }
        }
        // Up to 10 integer digits and 8 fractional ones cannot overflow; longer forms take the slow path.
        if plain, fractionDigits != 0, fractionDigits <= FixedDecimal.scale, range.count - max(fractionDigits + 1, 0) <= 10 {
            for _ in 0..<(FixedDecimal.scale - max(fractionDigits, 0)) { raw *= 10 }
            guard raw <= FixedDecimal.parseLimit * FixedDecimal.unit else { return nil }
            return FixedDecimal(raw: raw)
        }
        return FixedDecimal(text(bytes, range))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == carriageReturn
    }

    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        range.allSatisfy { isSpace(bytes[$0]) }
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [Range<Int>] {
        var fields: [Range<Int>] = []
        var start = range.lowerBound
        for index in range where bytes[index] == comma {
            fields.append(start..<index)
            start = index + 1
        }
        fields.append(start..<range.upperBound)
        return fields
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
