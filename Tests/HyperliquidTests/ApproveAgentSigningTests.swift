import ArenaTestSupport
import Foundation
import JSONCore
import Testing
@testable import Hyperliquid

/// `approveAgent` as the SDK signs it: the signed message always carries `agentName` (empty when
/// unnamed) while the posted action leaves it out when there is no name.
@Suite("approveAgent signing, named and unnamed, against the official SDK")
struct ApproveAgentSigningTests {
    static let ownerKey = "0x50e82a577ac4a31443d8c520cb5bd2aee6bea72d010743cf0e269987282667e5"
    static let otherKey = "0x0123456789012345678901234567890123456789012345678901234567890123"

    /// What `Exchange.approve_agent` posted, recorded by `Tests/Fixtures/hyperliquid/sdk_approve_agent.py`
    /// with hyperliquid-python-sdk 0.24.0 (the agent key and the time fixed).
    struct Recorded: Sendable, CustomTestStringConvertible {
        let name: String
        let privateKey: String
        let isMainnet: Bool
        let postedAction: String
        let r: String
        let s: String
        let v: Int
        var testDescription: String { name }
    }

    static let recorded: [Recorded] = [
        Recorded(name: "unnamed on testnet", privateKey: otherKey, isMainnet: false,
                 postedAction: #"{"type":"approveAgent","agentAddress":"0x35Ab59F9218C42ad93c9bA2801D3aDc66D59dc5B","nonce":1767225700008,"signatureChainId":"0x66eee","hyperliquidChain":"Testnet"}"#,
                 r: "0xeee0bcfe7b02ce08879af829e8134eda13d25879be756c35bcaa873de7f30693",
                 s: "0x52a86af96b0ebd98657f6b3298501262108536084dba1fa6aa4f51bfdf802e43", v: 27),
        Recorded(name: "unnamed on mainnet", privateKey: ownerKey, isMainnet: true,
                 postedAction: #"{"type":"approveAgent","agentAddress":"0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A","nonce":1767225800000,"signatureChainId":"0x66eee","hyperliquidChain":"Mainnet"}"#,
                 r: "0x70adf268d63d5493a0bca82670086f655a39147a83514831af04de0d9811e28f",
                 s: "0x3fca508b7d55c41d233fa5cfa6c0a219c216316442d101168745fbeb1a23de31", v: 28),
        Recorded(name: "named on testnet", privateKey: ownerKey, isMainnet: false,
                 postedAction: #"{"type":"approveAgent","agentAddress":"0x35Ab59F9218C42ad93c9bA2801D3aDc66D59dc5B","agentName":"swift-bot","nonce":1767225647514,"signatureChainId":"0x66eee","hyperliquidChain":"Testnet"}"#,
                 r: "0x555ff153cc92828005df148d1c2a80bc195f395e8a59cb21d63c0e0e6cad7f1",
                 s: "0x5a96fbf549e52c0e98fd63f73b32fbdb0de83d78ddffdd51ea9fec1ac5c56a8b", v: 28),
    ]

    static func line(privateKey: String, isMainnet: Bool, action: String) -> String {
        #"{"kind":"user_signed","private_key":"\#(privateKey)","is_mainnet":\#(isMainnet),"action":\#(action)}"#
    }

    static func signature(in output: String) throws -> (r: String, s: String, v: Int) {
        let json = try JSONParser.parse(utf8: Array(output.utf8), limits: .init(maximumDepth: 8, maximumBytes: 1 << 16))
        guard case .string(let r)? = json["signature"]?["r"], case .string(let s)? = json["signature"]?["s"],
              case .number(let vText)? = json["signature"]?["v"], let v = Int(vText) else {
            throw FixtureError(description: "no signature in \(output)")
        }
        return (r, s, v)
    }

    struct FixtureError: Error, CustomStringConvertible { let description: String }

    @Test("the action as the SDK posts it, given to arena hyperliquid sign, gives the SDK's signature", arguments: recorded)
    func linesSignAsTheSDK(recorded: Recorded) throws {
        let output = SigningLineProcessor.process(Self.line(privateKey: recorded.privateKey, isMainnet: recorded.isMainnet,
                                                            action: recorded.postedAction))
        let signature = try Self.signature(in: output)
        #expect(signature.r == recorded.r && signature.s == recorded.s && signature.v == recorded.v, "\(output)")
    }

    @Test("an unnamed agent is signed exactly as with an explicit empty name, and the typed action posts no agentName")
    func unnamedEqualsEmptyName() throws {
        let unnamed = Self.recorded[0]
        let withEmptyName = unnamed.postedAction.replacingOccurrences(of: #","nonce""#, with: #","agentName":"","nonce""#)
        #expect(withEmptyName.contains(#""agentName":"""#))
        #expect(SigningLineProcessor.process(Self.line(privateKey: unnamed.privateKey, isMainnet: false, action: withEmptyName))
            == SigningLineProcessor.process(Self.line(privateKey: unnamed.privateKey, isMainnet: false, action: unnamed.postedAction)))

        let agent = try #require(EthereumAddress(hex: "0x35Ab59F9218C42ad93c9bA2801D3aDc66D59dc5B"))
        let typed = UserSignedAction(.approveAgent(agent: agent, name: nil, nonce: 1_767_225_700_008), network: .testnet)
        #expect(typed.wireValue.jsonText() == unnamed.postedAction)
        let typedSignature = try Signer(privateKeyHex: unnamed.privateKey).signUserSignedAction(typed).signature
        #expect(typedSignature.rHex == unnamed.r && typedSignature.sHex == unnamed.s && typedSignature.v == unnamed.v)
    }

    @Test("a missing field other than agentName is still refused, naming it")
    func otherFieldsStillRequired() {
        let action = #"{"type":"approveAgent","agentAddress":"0x35Ab59F9218C42ad93c9bA2801D3aDc66D59dc5B","signatureChainId":"0x66eee","hyperliquidChain":"Testnet"}"#
        #expect(SigningLineProcessor.process(Self.line(privateKey: Self.otherKey, isMainnet: false, action: action))
            == #"{"error":"invalid action: approveAgent lacks the field nonce"}"#)
    }

    static let python = packageFile(".venv/bin/python")
    static let script = packageFile("Tests/Fixtures/hyperliquid/sdk_approve_agent.py")

    @Test("fresh cases made by the SDK now (named, unnamed, both networks) sign identically here",
          .enabled(if: FileManager.default.isExecutableFile(atPath: python.path), "run make venv-hyperliquid for the SDK cross-check"),
          arguments: [(false, nil), (true, nil), (false, "dashboard"), (true, "")] as [(Bool, String?)])
    func crossCheckWithTheSDK(isMainnet: Bool, name: String?) async throws {
        let agentKey = "0x" + String(repeating: "5a", count: 32)
        let nonce = "1767226000123"
        var arguments = [Self.script.path, Self.ownerKey, agentKey, nonce, isMainnet ? "mainnet" : "testnet"]
        if let name { arguments.append(name) }
        let child = try ChildProcess(executable: Self.python, arguments: arguments)
        let status = await child.exited(timeout: .seconds(120))
        #expect(status == 0, "\(child.errorOutput)")
        let recorded = try JSONParser.parse(utf8: Array(child.output.utf8), limits: .init(maximumDepth: 8, maximumBytes: 1 << 16))
        guard let posted = recorded["posted_action"], case .string(let r)? = recorded["signature"]?["r"],
              case .string(let s)? = recorded["signature"]?["s"], case .number(let v)? = recorded["signature"]?["v"] else {
            throw FixtureError(description: "unexpected SDK output: \(child.output)")
        }
        // The SDK posts agentName only when a name was given (an empty one included).
        #expect((posted["agentName"] != nil) == (name != nil))
        let postedText = SigningVectors.json(posted)
        let output = SigningLineProcessor.process(Self.line(privateKey: Self.ownerKey, isMainnet: isMainnet, action: postedText))
        let signature = try Self.signature(in: output)
        #expect(signature.r == r && signature.s == s && "\(signature.v)" == v, "\(output)")

        let agent = try Signer(privateKeyHex: agentKey).address
        let typed = UserSignedAction(.approveAgent(agent: agent, name: name, nonce: 1_767_226_000_123),
                                     network: isMainnet ? .mainnet : .testnet)
        #expect(typed.wireValue.jsonText() == postedText)
    }
}
