import CompressNIO
import NIOCore

/// An RGBA image drawn by our own code and encoded as PNG: the report's chart without a graphics
/// library. Drawing is clipped to the image; the same calls give the same bytes.
struct RasterImage: Sendable {
    let width: Int
    let height: Int
    /// Rows top to bottom, four bytes a pixel (red, green, blue, alpha).
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: RGBColor) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 4)
        fill(x: 0, y: 0, width: width, height: height, color: background)
    }

    /// Paints one pixel, blending `color` over it with `opacity` (0...1).
    mutating func plot(x: Int, y: Int, color: RGBColor, opacity: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let index = (y * width + x) * 4
        let alpha = max(0, min(1, opacity))
        func blend(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - alpha) + Double(new) * alpha).rounded()) }
        pixels[index] = blend(pixels[index], color.red)
        pixels[index + 1] = blend(pixels[index + 1], color.green)
        pixels[index + 2] = blend(pixels[index + 2], color.blue)
        pixels[index + 3] = 255
    }

    /// Fills a rectangle.
    mutating func fill(x: Int, y: Int, width: Int, height: Int, color: RGBColor, opacity: Double = 1) {
        for row in max(0, y)..<max(max(0, y), min(self.height, y + height)) {
            for column in max(0, x)..<max(max(0, x), min(self.width, x + width)) { plot(x: column, y: row, color: color, opacity: opacity) }
        }
    }

    /// Draws a line `thickness` pixels wide from (`x0`, `y0`) to (`x1`, `y1`).
    mutating func line(from first: (x: Double, y: Double), to last: (x: Double, y: Double), color: RGBColor, thickness: Int = 1) {
        let start = (x: Self.clamp(first.x), y: Self.clamp(first.y)), end = (x: Self.clamp(last.x), y: Self.clamp(last.y))
        let steps = Int(max(abs(end.x - start.x), abs(end.y - start.y)).rounded(.up)) + 1
        guard steps < 100_000 else { return }
        var previous: (Int, Int)?
        for step in 0...steps {
            let t = Double(step) / Double(steps)
            let x = Int((start.x + (end.x - start.x) * t).rounded(.down)), y = Int((start.y + (end.y - start.y) * t).rounded(.down))
            if let previous, previous == (x, y) { continue }
            previous = (x, y)
            fill(x: x - (thickness - 1) / 2, y: y - (thickness - 1) / 2, width: thickness, height: thickness, color: color)
        }
    }

    /// Fills the area between two curves sampled at the same x positions, column by column.
    mutating func band(_ xs: [Double], lower: [Double], upper: [Double], color: RGBColor, opacity: Double) {
        guard xs.count == lower.count, xs.count == upper.count, !xs.isEmpty else { return }
        if xs.count == 1 {
            let top = Int(Self.clamp(min(lower[0], upper[0]))), bottom = Int(Self.clamp(max(lower[0], upper[0])))
            fill(x: Int(Self.clamp(xs[0])), y: top, width: 1, height: bottom - top + 1, color: color, opacity: opacity)
            return
        }
        for segment in 0..<(xs.count - 1) {
            let (x0, x1) = (Self.clamp(xs[segment]), Self.clamp(xs[segment + 1]))
            let first = Int(x0.rounded(.down)), last = segment == xs.count - 2 ? Int(x1.rounded(.down)) : Int(x1.rounded(.down)) - 1
            guard last >= first, x1 > x0 else { continue }
            for column in first...last {
                let t = max(0, min(1, (Double(column) - x0) / (x1 - x0)))
                let a = lower[segment] + (lower[segment + 1] - lower[segment]) * t
                let b = upper[segment] + (upper[segment + 1] - upper[segment]) * t
                let top = Int(Self.clamp(min(a, b)).rounded(.down)), bottom = Int(Self.clamp(max(a, b)).rounded(.down))
                fill(x: column, y: top, width: 1, height: bottom - top + 1, color: color, opacity: opacity)
            }
        }
    }

    /// `value` brought into a range where pixel arithmetic cannot overflow; not-a-number far outside.
    static func clamp(_ value: Double) -> Double {
        value.isNaN ? -1e6 : min(1e6, max(-1e6, value))
    }

    /// Writes `text` in the built-in 5×7 font (upper case; unknown characters as blanks), `scale`
    /// pixels a dot, its top left at (`x`, `y`).
    mutating func text(_ text: String, x: Int, y: Int, color: RGBColor, scale: Int = 1) {
        var cursor = x
        for character in text.uppercased() {
            let rows = PixelFont.glyphs[character] ?? PixelFont.blank
            for (row, bits) in rows.enumerated() {
                for column in 0..<5 where bits & (0x10 >> column) != 0 {
                    fill(x: cursor + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
                }
            }
            cursor += 6 * scale
        }
    }

    /// The width `text` takes in the built-in font.
    static func textWidth(_ text: String, scale: Int = 1) -> Int { text.count * 6 * scale }

    /// The image as PNG: 8-bit RGBA, no interlace, every row unfiltered, one zlib-compressed IDAT.
    /// - Throws: `CompressNIOError` if zlib fails.
    func png() throws -> [UInt8] {
        var raw = ByteBuffer()
        raw.reserveCapacity(height * (width * 4 + 1))
        for row in 0..<height {
            raw.writeInteger(UInt8(0))
            raw.writeBytes(pixels[(row * width * 4)..<((row + 1) * width * 4)])
        }
        let compressed = try raw.compress(with: .zlib(configuration: .init(compressionLevel: .compressionLevel6)))
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, 6, 0, 0, 0]
        var output: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        PNGChunk.append("IHDR", header, to: &output)
        PNGChunk.append("IDAT", Array(compressed.readableBytesView), to: &output)
        PNGChunk.append("IEND", [], to: &output)
        return output
    }
}

/// PNG's chunk framing: length, type, data, CRC-32 of type and data.
enum PNGChunk {
    static func append(_ type: String, _ data: [UInt8], to output: inout [UInt8]) {
        output.appendBigEndian(UInt32(data.count))
        let typed = Array(type.utf8) + data
        output += typed
        output.appendBigEndian(crc32(typed))
    }

    /// CRC-32 (ISO-HDLC, polynomial 0xEDB88320 reflected), as PNG checks chunks.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}

/// A 5×7 pixel font: each glyph seven rows of five bits, the leftmost dot the highest bit.
enum PixelFont {
    static let blank: [UInt8] = [0, 0, 0, 0, 0, 0, 0]

    static let glyphs: [Character: [UInt8]] = [
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], "D": [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        "E": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], "H": [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], "J": [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        "K": [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        "M": [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], "N": [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "P": [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        "Q": [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], "R": [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "U": [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "V": [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        "W": [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], "X": [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        "Y": [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], "Z": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        "-": [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00], "+": [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        ".": [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C], "%": [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        "/": [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00], "_": [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        ":": [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00], "(": [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ")": [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
    ]
}
