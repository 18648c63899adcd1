import CompressNIO
import CZstd
import Foundation
import GRDB
import NIOCore
import Synchronization

/// A model's prompt as stored: one zstd frame of its UTF-8 text, at zstd's fastest level, with its
/// content size and a checksum of the content (so that a damaged row is an error, not other text).
/// Prompts repeat their template on every decision, so they shrink about twice even at that level,
/// and a season stores a hundred thousand of them (zlib's fastest level took three times as long for
/// the same size). Rows written before are raw DEFLATE or plain text; readers always get the text back.
public enum PromptCompression {
    /// The largest prompt a reader accepts, so that a corrupt or hostile row cannot make it
    /// allocate without bound.
    public static let maximumTextBytes = 16 << 20

    /// The zstd frame of `text`; nil if zstd fails (the text is then stored as is).
    public static func compress(_ text: String) -> [UInt8]? {
        guard let context = contexts.take() else { return nil }
        var text = text
        let frame = text.withUTF8 { input -> [UInt8]? in
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
        // A context that failed is not trusted again.
        if frame != nil { contexts.put(back: context) }
        return frame
    }

    /// The text of a zstd frame; nil if `bytes` are not one valid frame whose header states a
    /// content size of at most `maximumBytes`, whose checksum (if it has one) matches, and whose
    /// content is UTF-8.
    public static func decompress(_ bytes: [UInt8], maximumBytes: Int = maximumTextBytes) -> String? {
        bytes.withUnsafeBytes { input -> String? in
            let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            // The header's size bounds the allocation: a frame that does not state it is refused.
            guard declared != arena_zstd_content_size_unknown, declared != arena_zstd_content_size_error,
                  declared <= UInt64(maximumBytes) else { return nil }
            let size = Int(declared)
            var complete = false
            // At least one byte, so that an empty prompt still has a buffer to decompress into.
            let text = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { output, count in
                let written = ZSTD_decompress(output.baseAddress, size, input.baseAddress, input.count)
                // More than one frame, or a frame whose content differs from its header, is an error here.
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
    init?(level: Int32) {
        guard let pointer = ZSTD_createCCtx() else { return nil }
        guard ZSTD_isError(ZSTD_CCtx_setParameter(pointer, ZSTD_c_compressionLevel, level)) == 0,
              ZSTD_isError(ZSTD_CCtx_setParameter(pointer, ZSTD_c_checksumFlag, 1)) == 0 else {
            ZSTD_freeCCtx(pointer)
            return nil
        }
        self.pointer = pointer
    }

    deinit { ZSTD_freeCCtx(pointer) }
}

extension LedgerStore {
    /// A decision row's prompt as plain text: from `prompt_zstd`, else (rows stored before
    /// migration 0015) `prompt_deflated`, else (before migration 0011) `prompt`.
    /// - Throws: `StorageError.corruptValue` for a compressed prompt that does not decompress to
    ///   UTF-8 within `PromptCompression.maximumTextBytes`.
    static func prompt(of row: Row) throws -> String? {
        if let frame = row["prompt_zstd"] as Data? {
            guard let text = PromptCompression.decompress(Array(frame)) else {
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
}
