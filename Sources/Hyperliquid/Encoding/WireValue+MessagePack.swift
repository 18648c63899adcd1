extension WireValue {
    /// Returns the msgpack encoding, byte for byte what Python's msgpack 1.2.4 `packb` writes for
    /// the equivalent Python value: the smallest integer form (unsigned forms for non-negative
    /// numbers), `str8` for strings of 32 to 255 bytes (`use_bin_type=True`), fix, 16- and 32-bit
    /// array and map headers, and map entries in their given order.
    public func messagePack() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(128)
        encodeMessagePack(into: &bytes)
        return bytes
    }

    /// Appends the msgpack encoding to `bytes`.
    public func encodeMessagePack(into bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(0xC0)
        case .bool(let value):
            bytes.append(value ? 0xC3 : 0xC2)
        case .integer(let value):
            if value >= 0 {
                Self.appendUnsigned(UInt64(value), to: &bytes)
            } else {
                Self.appendNegative(value, to: &bytes)
            }
        case .unsignedInteger(let value):
            Self.appendUnsigned(value, to: &bytes)
        case .string(let text):
            let utf8 = text.utf8
            let count = utf8.count
            if count < 32 {
                bytes.append(0xA0 | UInt8(count))
            } else if count <= 0xFF {
                bytes.append(0xD9)
                bytes.append(UInt8(count))
            } else if count <= 0xFFFF {
                bytes.append(0xDA)
                Self.appendBigEndian(UInt64(count), byteCount: 2, to: &bytes)
            } else {
                bytes.append(0xDB)
                Self.appendBigEndian(UInt64(count), byteCount: 4, to: &bytes)
            }
            bytes.append(contentsOf: utf8)
        case .array(let elements):
            Self.appendContainerHeader(count: elements.count, fix: 0x90, sixteen: 0xDC, thirtyTwo: 0xDD, to: &bytes)
            for element in elements {
                element.encodeMessagePack(into: &bytes)
            }
        case .map(let entries):
            Self.appendContainerHeader(count: entries.count, fix: 0x80, sixteen: 0xDE, thirtyTwo: 0xDF, to: &bytes)
            for entry in entries {
                WireValue.string(entry.key).encodeMessagePack(into: &bytes)
                entry.value.encodeMessagePack(into: &bytes)
            }
        }
    }

    private static func appendUnsigned(_ value: UInt64, to bytes: inout [UInt8]) {
        if value < 0x80 {
            bytes.append(UInt8(value))
        } else if value <= 0xFF {
            bytes.append(0xCC)
            bytes.append(UInt8(value))
        } else if value <= 0xFFFF {
            bytes.append(0xCD)
            appendBigEndian(value, byteCount: 2, to: &bytes)
        } else if value <= 0xFFFF_FFFF {
            bytes.append(0xCE)
            appendBigEndian(value, byteCount: 4, to: &bytes)
        } else {
            bytes.append(0xCF)
            appendBigEndian(value, byteCount: 8, to: &bytes)
        }
    }

    private static func appendNegative(_ value: Int64, to bytes: inout [UInt8]) {
        let pattern = UInt64(bitPattern: value)
        if value >= -32 {
            bytes.append(UInt8(truncatingIfNeeded: pattern))
        } else if value >= Int64(Int8.min) {
            bytes.append(0xD0)
            appendBigEndian(pattern, byteCount: 1, to: &bytes)
        } else if value >= Int64(Int16.min) {
            bytes.append(0xD1)
            appendBigEndian(pattern, byteCount: 2, to: &bytes)
        } else if value >= Int64(Int32.min) {
            bytes.append(0xD2)
            appendBigEndian(pattern, byteCount: 4, to: &bytes)
        } else {
            bytes.append(0xD3)
            appendBigEndian(pattern, byteCount: 8, to: &bytes)
        }
    }

    private static func appendContainerHeader(count: Int, fix: UInt8, sixteen: UInt8, thirtyTwo: UInt8, to bytes: inout [UInt8]) {
        if count < 16 {
            bytes.append(fix | UInt8(count))
        } else if count <= 0xFFFF {
            bytes.append(sixteen)
            appendBigEndian(UInt64(count), byteCount: 2, to: &bytes)
        } else {
            bytes.append(thirtyTwo)
            appendBigEndian(UInt64(count), byteCount: 4, to: &bytes)
        }
    }

    /// Appends the low `byteCount` bytes of `value`, most significant first.
    static func appendBigEndian(_ value: UInt64, byteCount: Int, to bytes: inout [UInt8]) {
        for index in stride(from: byteCount - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(index * 8)))
        }
    }
}
