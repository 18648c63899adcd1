import CompressNIO
import Foundation
import GRDB
import NIOCore
import Synchronization

/// A model's prompt as stored: raw DEFLATE of its UTF-8 text. Prompts repeat their template on
/// every decision, so they shrink several times even at zlib's fastest level (a season stores a
/// hundred thousand of them); readers always get the plain text back.
public enum PromptCompression {
    /// The deflated bytes of `text`; nil if zlib refuses (the text is then stored as is).
    public static func deflate(_ text: String) -> [UInt8]? {
        guard let compressor = compressors.take() else { return nil }
        defer { compressors.put(back: compressor) }
        var input = ByteBuffer(string: text)
        var output = ByteBuffer()
        output.reserveCapacity(compressor.zlib.maxSize(from: input))
        do {
            try compressor.zlib.deflate(from: &input, to: &output, flush: .finish)
            try compressor.zlib.reset()
        } catch {
            compressor.isBroken = true
            return nil
        }
        return Array(output.readableBytesView)
    }

    /// Deflate streams kept for reuse: setting one up (zlib allocates and clears a few hundred
    /// kilobytes) costs about as much as compressing a prompt, and decisions are stored by the
    /// hundred thousand in a season.
    private static let compressors = CompressorPool()

    /// The text of deflated `bytes`; nil if they are not a valid deflate stream of UTF-8 at most `maximumBytes` long.
    public static func inflate(_ bytes: [UInt8], maximumBytes: Int = 16 << 20) -> String? {
        var input = ByteBuffer(bytes: bytes)
        guard let output = try? input.decompress(with: .deflate(), maxSize: maximumBytes) else { return nil }
        return String(validating: output.readableBytesView, as: UTF8.self)
    }
}

/// Idle deflate streams; each is used by one caller at a time.
private final class CompressorPool: Sendable {
    private let idle = Mutex<[PooledCompressor]>([])

    /// An idle stream, or a new one; nil when zlib cannot set one up.
    func take() -> PooledCompressor? {
        if let compressor = idle.withLock({ $0.popLast() }) { return compressor }
        guard let zlib = try? ZlibCompressor(algorithm: .deflate, configuration: .init(compressionLevel: .fastestCompression)) else { return nil }
        return PooledCompressor(zlib: zlib)
    }

    /// Returns a stream after use; a broken one is dropped, and a few idle ones are enough.
    func put(back compressor: PooledCompressor) {
        guard !compressor.isBroken else { return }
        idle.withLock { if $0.count < 8 { $0.append(compressor) } }
    }
}

/// A deflate stream, reset after each use. Unchecked: the pool hands each one to a single caller
/// at a time, so no two threads ever touch one together.
private final class PooledCompressor: @unchecked Sendable {
    let zlib: ZlibCompressor
    var isBroken = false

    init(zlib: ZlibCompressor) { self.zlib = zlib }
}

extension LedgerStore {
    /// A decision row's prompt as plain text, from `prompt_deflated` or, for rows stored before
    /// prompts were deflated, `prompt`.
    static func prompt(of row: Row) throws -> String? {
        guard let deflated = row["prompt_deflated"] as Data? else { return row["prompt"] }
        guard let text = PromptCompression.inflate(Array(deflated)) else {
            throw StorageError.corruptValue(table: "decisions", column: "prompt_deflated")
        }
        return text
    }
}
