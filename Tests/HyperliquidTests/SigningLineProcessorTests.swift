import Testing
@testable import Hyperliquid

@Suite("signing line processor")
struct SigningLineProcessorTests {
    @Test("every fixture vector as a JSON line gives the exact expected output line", arguments: SigningVectors.all)
    func vectors(vector: SigningVectors.Vector) {
        #expect(SigningLineProcessor.process(SigningVectors.json(vector.raw)) == vector.expectedOutputLine)
    }

    @Test("a minimal line with only the required keys signs too")
    func minimalLine() {
        let vector = SigningVectors.named("S05_update_leverage_isolated_vault_expires_mainnet")
        let line = #"{"kind":"l1","private_key":"\#(vector.privateKey)","is_mainnet":true,"nonce":\#(vector.nonce),"#
            + #""vault_address":"0x1719884eb866cb12b2287399b15f7db5e7d775ea","expires_after":\#(vector.expiresAfter ?? 0),"#
            + #""action":{"type":"updateLeverage","asset":0,"isCross":false,"leverage":5}}"#
        #expect(processSigningLine(line) == vector.expectedOutputLine)
    }

    static let key = "0x0123456789012345678901234567890123456789012345678901234567890123"
    static let keyDigits = "0123456789012345678901234567890123456789012345678901234567890123"
    static let order = #"{"type":"order","orders":[],"grouping":"na"}"#

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let line: String
        let error: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "not JSON", line: "hello \(key)", error: "invalid JSON: unexpected character at byte 0"),
        Malformed(name: "empty line", line: "", error: "invalid JSON: empty text"),
        Malformed(name: "an array", line: "[1]", error: "invalid JSON: the line must be a JSON object"),
        Malformed(name: "missing kind", line: #"{"private_key":"\#(key)","is_mainnet":true,"nonce":1,"action":\#(order)}"#,
                  error: "invalid action: the key kind must be present and be a string"),
        Malformed(name: "unknown kind", line: #"{"kind":"l2","private_key":"\#(key)","is_mainnet":true,"nonce":1,"action":\#(order)}"#,
                  error: #"invalid action: kind must be "l1" or "user_signed""#),
        Malformed(name: "missing private key", line: #"{"kind":"l1","is_mainnet":true,"nonce":1,"action":\#(order)}"#,
                  error: "invalid action: the key private_key must be present and be a string"),
        Malformed(name: "private key as a number", line: #"{"kind":"l1","private_key":123,"is_mainnet":true,"nonce":1,"action":\#(order)}"#,
                  error: "invalid action: the key private_key must be present and be a string"),
        Malformed(name: "short private key", line: #"{"kind":"l1","private_key":"\#(key.dropLast(2))","is_mainnet":true,"nonce":1,"action":\#(order)}"#,
                  error: HyperliquidError.invalidPrivateKey.description),
        Malformed(name: "zero private key", line: #"{"kind":"l1","private_key":"0x\#(String(repeating: "0", count: 64))","is_mainnet":true,"nonce":1,"action":\#(order)}"#,
                  error: HyperliquidError.invalidPrivateKey.description),
        Malformed(name: "is_mainnet as a string", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":"true","nonce":1,"action":\#(order)}"#,
                  error: "invalid action: the key is_mainnet must be present and be true or false"),
        Malformed(name: "missing nonce", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"action":\#(order)}"#,
                  error: "invalid action: the key nonce must be present and be a non-negative integer"),
        Malformed(name: "negative nonce", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":-1,"action":\#(order)}"#,
                  error: "invalid action: nonce must be a non-negative integer below 2^64"),
        Malformed(name: "fractional nonce", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":1.5,"action":\#(order)}"#,
                  error: "invalid action: nonce must be a non-negative integer below 2^64"),
        Malformed(name: "action as a string", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":1,"action":"order"}"#,
                  error: "invalid action: the key action must be present and be an object"),
        Malformed(name: "action without a type", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":1,"action":{"orders":[]}}"#,
                  error: "invalid action: action.type must be a string"),
        Malformed(name: "float inside the action", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":1,"action":{"type":"order","orders":[{"a":1,"p":100.5}]}}"#,
                  error: "invalid action: action.orders[0].p is a number with a fraction or exponent; decimals must be strings"),
        Malformed(name: "bad vault address", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":1,"vault_address":"0x12","action":\#(order)}"#,
                  error: "invalid address in vault_address: expected 0x and 40 hex digits"),
        Malformed(name: "expiry as a string", line: #"{"kind":"l1","private_key":"\#(key)","is_mainnet":true,"nonce":1,"expires_after":"soon","action":\#(order)}"#,
                  error: "invalid action: expires_after must be null or a non-negative integer"),
        Malformed(name: "user-signed action of an unknown type",
                  line: #"{"kind":"user_signed","private_key":"\#(key)","is_mainnet":false,"nonce":1,"action":{"type":"order","signatureChainId":"0x66eee","hyperliquidChain":"Testnet"}}"#,
                  error: "invalid action: action.type is not a supported user-signed action (supported: usdSend, withdraw3, approveAgent, spotSend, usdClassTransfer)"),
        Malformed(name: "user-signed chain that contradicts is_mainnet",
                  line: #"{"kind":"user_signed","private_key":"\#(key)","is_mainnet":true,"nonce":1,"action":{"type":"usdSend","destination":"0x5e9ee1089755c3435139848e47e6635505d5a13a","amount":"1","time":1,"signatureChainId":"0x66eee","hyperliquidChain":"Testnet"}}"#,
                  error: "invalid action: action.hyperliquidChain does not match is_mainnet"),
        Malformed(name: "user-signed action missing a signed field",
                  line: #"{"kind":"user_signed","private_key":"\#(key)","is_mainnet":false,"nonce":1,"action":{"type":"usdSend","destination":"0x5e9ee1089755c3435139848e47e6635505d5a13a","time":1,"signatureChainId":"0x66eee","hyperliquidChain":"Testnet"}}"#,
                  error: "invalid action: usdSend lacks the field amount"),
        Malformed(name: "user-signed action with an expiry",
                  line: #"{"kind":"user_signed","private_key":"\#(key)","is_mainnet":false,"nonce":1,"expires_after":5,"action":{"type":"usdSend"}}"#,
                  error: "invalid action: expires_after is not supported on user-signed actions"),
        Malformed(name: "duplicate key", line: #"{"kind":"l1","kind":"l1"}"#, error: "invalid JSON: duplicate key at byte 13"),
    ]

    @Test("malformed lines give one error object naming the problem, never the key", arguments: malformed)
    func malformedLines(testCase: Malformed) throws {
        let output = SigningLineProcessor.process(testCase.line)
        #expect(output == WireValue.map([("error", .string(testCase.error))]).jsonText())
        #expect(!output.contains(Self.keyDigits))
        #expect(!output.contains(Self.keyDigits.dropLast(2)))
        #expect(!output.contains("\n"))
    }

    @Test("a line over the size limit is refused without parsing it")
    func oversized() {
        let line = #"{"kind":"l1","pad":""# + String(repeating: "x", count: SigningLineProcessor.maximumLineBytes) + #""}"#
        #expect(SigningLineProcessor.process(line) == #"{"error":"invalid JSON: line exceeds 1048576 bytes"}"#)
        #expect(SigningLineProcessor.oversizedLineResponse == #"{"error":"line exceeds 1048576 bytes"}"#)
    }
}
