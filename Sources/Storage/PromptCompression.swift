import CompressNIO
import Foundation
import GRDB
import NIOCore

/// A model's prompt as stored: raw DEFLATE of its UTF-8 text. Prompts repeat their template on
/// every decision, so they shrink four to six times; readers always get the plain text back.
public enum PromptCompression {
    /// The deflated bytes of `text`; nil if zlib refuses (the text is then stored as is).
    public static func deflate(_ text: String) -> [UInt8]? {
        var input = ByteBuffer(string: text)
        guard let output = try? input.compress(with: .deflate(configuration: .init(compressionLevel: .compressionLevel6))) else {
            return nil
        }
        return Array(output.readableBytesView)
    }

    /// The text of deflated `bytes`; nil if they are not a valid deflate stream of UTF-8 at most `maximumBytes` long.
    public static func inflate(_ bytes: [UInt8], maximumBytes: Int = 16 << 20) -> String? {
        var input = ByteBuffer(bytes: bytes)
        guard let output = try? input.decompress(with: .deflate(), maxSize: maximumBytes) else { return nil }
        return String(validating: output.readableBytesView, as: UTF8.self)
    }
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
