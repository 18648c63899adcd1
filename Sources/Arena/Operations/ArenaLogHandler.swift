import Foundation
import JSONCore
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How log lines are written.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-12-03T09:15:00.123Z info arena: message key=value ...`, for people.
    case text
    /// One JSON object a line: `ts`, `level`, `logger`, `message`, then the metadata's keys
    /// (`account.id`, `decision.id`, `order.cloid`, ... where they apply), for machines.
    case json
}

/// Where log lines go: standard error, or a file rotated by size. One per process, shared by
/// every logger; lines are written whole, one at a time.
public final class LogSink: Sendable {
    private enum Target {
        case standardError
        case file(RotatingLogFile)
    }

    private let target: Mutex<Target>

    /// Lines to standard error.
    public static func standardError() -> LogSink { LogSink(.standardError) }

    /// Lines to `path`, which is rotated once it would pass `maximumBytes`: `path` becomes
    /// `path.1`, `path.1` becomes `path.2`, and so on, keeping `keep` old files.
    /// - Throws: `LogFileError` when the file cannot be opened.
    public static func file(path: String, maximumBytes: Int, keep: Int) throws -> LogSink {
        LogSink(.file(try RotatingLogFile(path: path, maximumBytes: maximumBytes, keep: keep)))
    }

    private init(_ target: Target) { self.target = Mutex(target) }

    /// Writes one line (a newline is added).
    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        target.withLock { target in
            switch target {
            case .standardError:
                RotatingLogFile.writeAll(bytes, to: 2)
            case .file(let file):
                file.append(bytes)
            }
        }
    }
}

/// Why a log file could not be used.
public struct LogFileError: Error, CustomStringConvertible {
    public let description: String
}

/// A log file that rotates by size and keeps a fixed number of old files. Not thread-safe on its
/// own: `LogSink` serializes its writes.
final class RotatingLogFile: @unchecked Sendable {
    let path: String
    let maximumBytes: Int
    let keep: Int
    private var descriptor: Int32
    private var size: Int

    init(path: String, maximumBytes: Int, keep: Int) throws {
        self.path = path
        self.maximumBytes = max(1_024, maximumBytes)
        self.keep = max(0, keep)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        descriptor = -1
        size = 0
        try reopen()
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    private func reopen() throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw LogFileError(description: "Cannot open the log file \(path): \(String(cString: strerror(errno))). Check the folder exists and is writable.")
        }
        var status = stat()
        size = fstat(fd, &status) == 0 ? Int(status.st_size) : 0
        descriptor = fd
    }

    func append(_ bytes: [UInt8]) {
        if size > 0 && size + bytes.count > maximumBytes { rotate() }
        guard descriptor >= 0 else { return }
        Self.writeAll(bytes, to: descriptor)
        size += bytes.count
    }

    /// `path.keep` is dropped, each `path.N` becomes `path.N+1`, `path` becomes `path.1`, and a
    /// new `path` is started. With `keep` 0 the old lines are dropped.
    private func rotate() {
        close(descriptor)
        descriptor = -1
        if keep == 0 {
            unlink(path)
        } else {
            unlink("\(path).\(keep)")
            for index in stride(from: keep - 1, through: 1, by: -1) { rename("\(path).\(index)", "\(path).\(index + 1)") }
            rename(path, "\(path).1")
        }
        // A file that cannot be reopened loses lines, never the process.
        try? reopen()
    }

    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

/// The arena's `LogHandler`: text or JSON lines to a `LogSink`, with the logger's metadata
/// (account, decision and order ids are set as metadata where they apply).
public struct ArenaLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let format: LogFormat
    let sink: LogSink

    public init(label: String, level: Logger.Level, format: LogFormat, sink: LogSink) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Self.timestamp(Date())
        switch format {
        case .text:
            var line = "\(time) \(event.level) \(label): \(event.message)"
            for key in merged.keys.sorted() { line += " \(key)=\(merged[key].map(Self.text) ?? "")" }
            sink.write(line: line)
        case .json:
            var line = "{\"ts\":\(Self.quoted(time)),\"level\":\(Self.quoted(event.level.rawValue)),\"logger\":\(Self.quoted(label)),\"message\":\(Self.quoted("\(event.message)"))"
            for key in merged.keys.sorted() where !["ts", "level", "logger", "message"].contains(key) {
                line += ",\(Self.quoted(key)):\(merged[key].map(Self.json) ?? "null")"
            }
            sink.write(line: line + "}")
        }
    }

    /// UTC, to the millisecond: `2026-12-03T09:15:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): "[" + values.map(text).joined(separator: ",") + "]"
        case .dictionary(let entries): "{" + entries.keys.sorted().map { "\($0)=\(entries[$0].map(text) ?? "")" }.joined(separator: ",") + "}"
        }
    }

    private static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let value): quoted(value.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries): "{" + entries.keys.sorted().map { "\(quoted($0)):\(entries[$0].map(json) ?? "null")" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (JSONCore's, which also escapes what breaks a log viewer or JavaScript).
    static func quoted(_ text: String) -> String { JSONValue.quote(text) }
}
