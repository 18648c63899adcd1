/// Hexadecimal text for byte strings, as Ethereum writes it.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Returns lowercase hex without a prefix, written straight into the string (digests are
    /// hex-encoded at every model call of a season).
    public static func encode(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            digits.withUnsafeBufferPointer { digits in
                for (index, byte) in bytes.enumerated() {
                    text[2 * index] = digits[Int(byte >> 4)]
                    text[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
            }
            return bytes.count * 2
        }
    }

    /// Returns lowercase hex without a prefix.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String { encode(Array(bytes)) }

    /// Returns `0x` and lowercase hex.
    public static func prefixed(_ bytes: some Sequence<UInt8>) -> String {
        "0x" + encode(bytes)
    }

    /// Returns the big-endian integer in `bytes` as `0x` hex with leading zeros dropped (`0x0` for
    /// zero), the way eth-utils' `to_hex` writes a signature's r and s.
    public static func minimalQuantity(_ bytes: [UInt8]) -> String {
        let full = encode(bytes)
        let trimmed = full.drop(while: { $0 == "0" })
        return "0x" + (trimmed.isEmpty ? "0" : String(trimmed))
    }

    /// Decodes hex with or without a `0x` prefix, in either case; nil for odd length or a non-hex
    /// digit, or when `byteCount` is given and the length differs.
    public static func decode(_ text: some StringProtocol, byteCount: Int? = nil) -> [UInt8]? {
        var utf8 = Substring(text).utf8[...]
        if utf8.count >= 2, utf8.first == UInt8(ascii: "0"),
           utf8.dropFirst().first == UInt8(ascii: "x") || utf8.dropFirst().first == UInt8(ascii: "X") {
            utf8 = utf8.dropFirst(2)
        }
        guard utf8.count % 2 == 0 else { return nil }
        if let byteCount, utf8.count != byteCount * 2 { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        for character in utf8 {
            guard let value = nibble(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
