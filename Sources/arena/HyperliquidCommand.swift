import ArgumentParser
import Glibc
import Hyperliquid

/// `arena hyperliquid …`: tools for the Hyperliquid venue.
struct HyperliquidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hyperliquid",
        abstract: "Tools for the Hyperliquid venue.",
        subcommands: [Sign.self]
    )

    /// `arena hyperliquid sign`: one signed result per JSON request line.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign Hyperliquid actions: reads one JSON request per line on standard input, writes one JSON result per line.",
            discussion: """
            Each input line is an object with kind ("l1" or "user_signed"), private_key, action, \
            nonce, is_mainnet and, for l1, optional vault_address and expires_after. Each output \
            line holds connection_id (l1 only), digest, signature {r, s, v} and signer_address, \
            or {"error": "..."} for a malformed line. Output is flushed after every line. A user_signed \
            approveAgent may omit agentName, as the SDK posts an unnamed agent: it is signed with "".
            """
        )

        func run() throws {
            var reader = StandardInputLineReader(maximumLineBytes: SigningLineProcessor.maximumLineBytes)
            while let line = reader.nextLine() {
                let output = line.map { SigningLineProcessor.process(utf8: $0) } ?? SigningLineProcessor.oversizedLineResponse
                print(output)
                // Flushing every line lets a caller hold a request-response dialogue over the pipe.
                fflush(nil)
            }
        }
    }
}

/// Reads standard input line by line without ever holding more than one bounded line: a line
/// longer than the limit is skipped to its end and reported as nil.
private struct StandardInputLineReader {
    let maximumLineBytes: Int
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private var chunkStart = 0
    private var chunkEnd = 0
    private var finished = false

    init(maximumLineBytes: Int) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Returns the next line without its newline (and without a trailing carriage return), `.some(nil)`
    /// for a line over the limit, or nil at the end of input.
    mutating func nextLine() -> [UInt8]?? {
        var line = [UInt8]()
        var oversized = false
        var sawAnything = false
        while true {
            if chunkStart == chunkEnd {
                guard !finished, refill() else {
                    finished = true
                    guard sawAnything else { return nil }
                    return oversized ? .some(nil) : .some(trimmingCarriageReturn(line))
                }
            }
            sawAnything = true
            let available = chunk[chunkStart..<chunkEnd]
            if let newline = available.firstIndex(of: 0x0A) {
                if !oversized { append(chunk[chunkStart..<newline], to: &line, oversized: &oversized) }
                chunkStart = newline + 1
                return oversized ? .some(nil) : .some(trimmingCarriageReturn(line))
            }
            if !oversized { append(available, to: &line, oversized: &oversized) }
            chunkStart = chunkEnd
        }
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout [UInt8], oversized: inout Bool) {
        // One byte of slack for a carriage return before the newline.
        if line.count + bytes.count > maximumLineBytes + 1 {
            oversized = true
            line = []
        } else {
            line.append(contentsOf: bytes)
        }
    }

    private func trimmingCarriageReturn(_ line: [UInt8]) -> [UInt8] {
        line.last == 0x0D ? Array(line.dropLast()) : line
    }

    private mutating func refill() -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count > 0 {
                chunkStart = 0
                chunkEnd = count
                return true
            }
            if count < 0, errno == EINTR { continue }
            return false
        }
    }
}
