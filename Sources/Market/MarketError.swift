import ArenaCore

/// What can go wrong when building or reading a market source.
///
/// CSV errors name the line (1-based, the header is line 1) and, where one is at fault, the
/// column, so that an operator can find the problem in the file at once.
public enum MarketError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The file is larger than the replay accepts.
    case fileTooLarge(path: String, bytes: Int64, limit: Int64)
    /// The file holds no header, or a header and no data rows.
    case emptyFile
    /// Line 1 is not `timestamp,symbol,open,high,low,close,volume`.
    case invalidHeader(found: String)
    /// A data row is malformed; `column` names the field at fault, if one is.
    case invalidRow(line: Int, column: String?, reason: String)
    /// Two rows give the same symbol at the same time.
    case duplicateRow(symbol: Symbol, time: Timestamp, firstLine: Int, secondLine: Int)
    /// A source was configured with values it cannot work with.
    case invalidConfiguration(String)

    /// The line the error points at, for CSV errors.
    public var line: Int? {
        switch self {
        case .invalidHeader: 1
        case .invalidRow(let line, _, _): line
        case .duplicateRow(_, _, _, let secondLine): secondLine
        case .unreadableFile, .fileTooLarge, .emptyFile, .invalidConfiguration: nil
        }
    }

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            "cannot read \(path): \(reason)"
        case .fileTooLarge(let path, let bytes, let limit):
            "\(path) is \(bytes) bytes, more than the limit of \(limit) bytes"
        case .emptyFile:
            "the CSV file has no data rows"
        case .invalidHeader(let found):
            "line 1: expected the header `\(CSVFormat.header)`, optionally followed by any of `\(CSVFormat.optionalColumns.joined(separator: ","))`, found `\(found.prefix(120))`"
        case .invalidRow(let line, let column?, let reason):
            "line \(line), column \(column): \(reason)"
        case .invalidRow(let line, nil, let reason):
            "line \(line): \(reason)"
        case .duplicateRow(let symbol, let time, let firstLine, let secondLine):
            "line \(secondLine): a second row for \(symbol) at \(time) (the first is on line \(firstLine))"
        case .invalidConfiguration(let reason):
            "invalid market configuration: \(reason)"
        }
    }
}
