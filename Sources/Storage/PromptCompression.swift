import CompressNIO
import CZstd
import Foundation
import GRDB
import NIOCore
import Synchronization

/// A model's prompt as stored: one zstd frame of its UTF-8 text, at zstd's fastest level, with its
/// content size and a checksum of the content (so that a damaged row is an error, not other text),
/// compressed on its own or against an earlier prompt's text (`PromptKeyframes`). Prompts repeat
/// their template on every decision, so they shrink about twice even on their own at that level,
/// and a season stores a hundred thousand of them (zlib's fastest level took three times as long for
/// the same size). Rows written before are raw DEFLATE or plain text; readers always get the text back.
public enum PromptCompression {
    /// The largest prompt a reader accepts, so that a corrupt or hostile row cannot make it
    /// allocate without bound.
    public static let maximumTextBytes = 16 << 20

    /// The zstd frame of `text`, compressed against `keyframe` (an earlier prompt's UTF-8 text)
    /// when given; nil if zstd fails (the text is then stored as is).
    public static func compress(_ text: String, against keyframe: [UInt8]? = nil) -> [UInt8]? {
        var text = text
        return text.withUTF8 { input in compress(UnsafeRawBufferPointer(input), against: keyframe) }
    }

    /// The zstd frame of the UTF-8 bytes `input`, compressed against `keyframe` when given.
    ///
    /// The keyframe is a zstd prefix (raw content the frame's matches may reach back into), loaded
    /// into the context for this one frame. A prepared dictionary (`ZSTD_CDict`) per account would
    /// skip the loading, but its tables are cold by the time the account decides again: measured on
    /// this project's prompts with the caches flushed between frames (as 70 accounts taking turns
    /// leave them), a prefix compresses in 21 us, a prepared dictionary in 37-39 us, and a prompt on
    /// its own in 26 us.
    static func compress(_ input: UnsafeRawBufferPointer, against keyframe: [UInt8]?) -> [UInt8]? {
        guard let context = contexts.take() else { return nil }
        let frame = withPrefix(keyframe, loadedBy: { ZSTD_CCtx_refPrefix(context.pointer, $0.baseAddress, $0.count) }) { () -> [UInt8]? in
            let bound = ZSTD_compressBound(input.count)
            guard ZSTD_isError(bound) == 0 else { return nil }
            var failed = false
            let frame = [UInt8](unsafeUninitializedCapacity: bound) { output, count in
                // Writes the content size into the header: `ZSTD_compress2` knows it from the input.
                let written = ZSTD_compress2(context.pointer, output.baseAddress, output.count, input.baseAddress, input.count)
                failed = ZSTD_isError(written) != 0
                count = failed ? 0 : written
            }
            return failed ? nil : frame
        }
        // A context that failed is not trusted again (the prefix lasts one frame, so none is left).
        if let frame = frame ?? nil {
            contexts.put(back: context)
            return frame
        }
        return nil
    }

    /// Runs `body` with `prefix` loaded by `load` (zstd keeps a pointer to it until the frame is
    /// done); nil if loading failed.
    private static func withPrefix<T>(_ prefix: [UInt8]?, loadedBy load: (UnsafeRawBufferPointer) -> Int, _ body: () -> T) -> T? {
        guard let prefix else { return body() }
        return prefix.withUnsafeBytes { bytes in
            guard ZSTD_isError(load(bytes)) == 0 else { return nil }
            return body()
        }
    }

    /// The text of a zstd frame; nil if `bytes` are not one valid frame whose header states a
    /// content size of at most `maximumBytes`, whose checksum (if it has one) matches, and whose
    /// content is UTF-8.
    /// - Parameter keyframe: The text the frame was compressed against (a keyframe's prompt, as
    ///   UTF-8), if any.
    public static func decompress(_ bytes: [UInt8], against keyframe: [UInt8]? = nil, maximumBytes: Int = maximumTextBytes) -> String? {
        bytes.withUnsafeBytes { input -> String? in
            let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            // The header's size bounds the allocation: a frame that does not state it is refused.
            guard declared != arena_zstd_content_size_unknown, declared != arena_zstd_content_size_error,
                  declared <= UInt64(maximumBytes) else { return nil }
            let size = Int(declared)
            var complete = false
            // At least one byte, so that an empty prompt still has a buffer to decompress into.
            let text = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { output, count in
                let written: Int?
                if keyframe == nil {
                    written = ZSTD_decompress(output.baseAddress, size, input.baseAddress, input.count)
                } else if let context = ZSTD_createDCtx() {
                    defer { ZSTD_freeDCtx(context) }
                    written = withPrefix(keyframe, loadedBy: { ZSTD_DCtx_refPrefix(context, $0.baseAddress, $0.count) }) {
                        ZSTD_decompressDCtx(context, output.baseAddress, size, input.baseAddress, input.count)
                    }
                } else {
                    written = nil
                }
                // More than one frame, or a frame whose content differs from its header, is an error here.
                guard let written else { count = 0; return }
                complete = ZSTD_isError(written) == 0 && written == size
                count = complete ? written : 0
            }
            guard complete else { return nil }
            return String(validating: text, as: UTF8.self)
        }
    }

    /// The text of deflated `bytes` (rows stored before zstd, migration 0011); nil if they are not
    /// a valid deflate stream of UTF-8 at most `maximumBytes` long.
    public static func inflate(_ bytes: [UInt8], maximumBytes: Int = maximumTextBytes) -> String? {
        var input = ByteBuffer(bytes: bytes)
        guard let output = try? input.decompress(with: .deflate(), maxSize: maximumBytes) else { return nil }
        return String(validating: output.readableBytesView, as: UTF8.self)
    }

    /// Compression contexts kept for reuse: zstd allocates a context's tables on first use, which
    /// costs about as much as compressing a prompt, and decisions are stored by the hundred thousand.
    private static let contexts = CompressionContextPool()
}

/// Idle zstd compression contexts; each is used by one caller at a time.
private final class CompressionContextPool: Sendable {
    private let idle = Mutex<[CompressionContext]>([])

    /// An idle context, or a new one; nil when zstd cannot set one up.
    func take() -> CompressionContext? {
        if let context = idle.withLock({ $0.popLast() }) { return context }
        return CompressionContext(level: 1)
    }

    /// Returns a context after use; a few idle ones are enough (one per core writing decisions).
    func put(back context: CompressionContext) {
        idle.withLock { if $0.count < 8 { $0.append(context) } }
    }
}

/// One `ZSTD_CCtx` with the prompts' parameters set, freed with its owner. Unchecked: the pool
/// hands each one to a single caller at a time, so no two threads ever touch one together.
/// Parameters stay set across frames; `ZSTD_compress2` starts each frame afresh.
private final class CompressionContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// A context compressing at `level` with a content checksum in every frame; nil if zstd refuses.
    ///
    /// Matches are at least 6 bytes (level 1 takes 5 at a prompt's size): on this project's prompts
    /// against their keyframes 6-9% faster at the same size (a keyframe on its own: 4% faster,
    /// 2.5% larger; `arena-bench prompt-compression`).
    init?(level: Int32) {
        guard let pointer = ZSTD_createCCtx() else { return nil }
        guard ZSTD_isError(ZSTD_CCtx_setParameter(pointer, ZSTD_c_compressionLevel, level)) == 0,
              ZSTD_isError(ZSTD_CCtx_setParameter(pointer, ZSTD_c_minMatch, 6)) == 0,
              ZSTD_isError(ZSTD_CCtx_setParameter(pointer, ZSTD_c_checksumFlag, 1)) == 0 else {
            ZSTD_freeCCtx(pointer)
            return nil
        }
        self.pointer = pointer
    }

    deinit { ZSTD_freeCCtx(pointer) }
}

/// Reads decision rows' prompts as text, each keyframe's text decompressed once for all the rows
/// stored against it.
public struct StoredPrompts {
    private let db: Database
    private var keyframeTexts: [Int64: [UInt8]] = [:]

    /// A reader on the connection `db`, for rows read from it.
    public init(_ db: Database) { self.db = db }

    /// A decision row's prompt as plain text: from `prompt_zstd` (against the keyframe that
    /// `prompt_base` names, if any), else (rows stored before migration 0015) `prompt_deflated`,
    /// else (before migration 0011) `prompt`.
    /// - Throws: `StorageError.corruptValue` for a compressed prompt that does not decompress to
    ///   UTF-8 within `PromptCompression.maximumTextBytes`, or that names a row that is not a
    ///   keyframe of the same account; a SQLite error.
    public mutating func text(of row: Row) throws -> String? {
        if let frame = row["prompt_zstd"] as Data? {
            let keyframe = try (row["prompt_base"] as Int64?).map { try keyframeText($0, account: row["account_id"]) }
            guard let text = PromptCompression.decompress(Array(frame), against: keyframe) else {
                throw StorageError.corruptValue(table: "decisions", column: "prompt_zstd")
            }
            return text
        }
        if let deflated = row["prompt_deflated"] as Data? {
            guard let text = PromptCompression.inflate(Array(deflated)) else {
                throw StorageError.corruptValue(table: "decisions", column: "prompt_deflated")
            }
            return text
        }
        return row["prompt"]
    }

    /// The UTF-8 text of keyframe `id`, which must be a self-contained prompt of `account`.
    private mutating func keyframeText(_ id: Int64, account: Int64?) throws -> [UInt8] {
        if let text = keyframeTexts[id] { return text }
        let frame = try Data.fetchOne(db, sql: """
            SELECT prompt_zstd FROM decisions WHERE id = ? AND account_id = ? AND prompt_base IS NULL
            """, arguments: [id, account])
        guard let frame, let text = PromptCompression.decompress(Array(frame)) else {
            throw StorageError.corruptValue(table: "decisions", column: "prompt_base")
        }
        let bytes = Array(text.utf8)
        keyframeTexts[id] = bytes
        return bytes
    }
}
