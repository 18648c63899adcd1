import ArenaCore
import Testing
@testable import Hyperliquid

/// Typed actions must produce the SDK's exact maps. Expectations come from the fixture or, for
/// actions it lacks, from hyperliquid-python-sdk 0.24.0 run on the same inputs
/// (`order_request_to_order_wire`, `order_wires_to_order_action`, `msgpack.packb`,
/// `sign_l1_action` with the fixture's key 0x0123…0123).
@Suite("typed actions")
struct ActionEncodingTests {
    static let cloid = ClientOrderID(hex: "0x0000000000000000000000000000abcd")!
    static let cloid7 = ClientOrderID(hex: "0x00000000000000070000000000000001")!

    static func decimal(_ text: String) -> FixedDecimal { FixedDecimal(text) ?? .zero }

    @Test("the fixture's L1 actions built from types encode to the SDK's bytes")
    func fixtureActions() {
        let typed: [String: ExchangeAction] = [
            "SDKT03_order_mainnet": .order(orders: [
                OrderWire(asset: 1, isBuy: true, price: 100, size: 100, reduceOnly: false, type: .limit(.gtc)),
            ], grouping: .none, builder: nil),
            "S01_order_gtc_eth_cloid_testnet": .order(orders: [
                OrderWire(asset: 1, isBuy: true, price: 1100, size: Self.decimal("0.2"), reduceOnly: false, type: .limit(.gtc), clientOrderID: Self.cloid),
            ], grouping: .none, builder: nil),
            "S02_order_trigger_sl_market_sol_mainnet": .order(orders: [
                OrderWire(asset: 5, isBuy: false, price: 120, size: 2, reduceOnly: true,
                          type: .trigger(isMarket: true, triggerPrice: Self.decimal("125.5"), kind: .stopLoss)),
            ], grouping: .none, builder: nil),
            "S03_cancel_sol_mainnet": .cancel([VenueCancel(asset: 5, orderID: 1_234_567)]),
            "S04_cancel_by_cloid_btc_testnet": .cancelByClientOrderID([ClientCancel(asset: 0, clientOrderID: Self.cloid)]),
            "S05_update_leverage_isolated_vault_expires_mainnet": .updateLeverage(asset: 0, isCross: false, leverage: 5),
        ]
        #expect(typed.count == SigningVectors.all.filter { $0.kind == "l1" }.count)
        for (id, action) in typed {
            let vector = SigningVectors.named(id)
            #expect(action.wireValue == vector.action, "\(id)")
            #expect(hex(action.wireValue.messagePack()) == vector.actionMessagePackHex, "\(id)")
        }
    }

    static let aloOrder = OrderWire(asset: 3, isBuy: false, price: decimal("98765.4"), size: decimal("0.00123"), reduceOnly: true, type: .limit(.alo), clientOrderID: cloid7)
    static let iocOrder = OrderWire(asset: 1, isBuy: true, price: decimal("3000.5"), size: 2, reduceOnly: false, type: .limit(.ioc))

    struct SDKCase: Sendable, CustomTestStringConvertible {
        let name: String
        let action: ExchangeAction
        let nonce: UInt64
        let vault: String?
        let expiresAfter: UInt64?
        let network: HyperliquidNetwork
        let messagePack: String
        let connectionID: String
        let r: String
        let s: String
        let v: Int
        var testDescription: String { name }
    }

    static let sdkCases: [SDKCase] = [
        SDKCase(
            name: "order with builder, normalTpsl grouping, Alo, trigger take-profit, spot asset",
            action: .order(orders: [aloOrder, OrderWire(asset: 10007, isBuy: true, price: decimal("0.000045"), size: decimal("1.5"), reduceOnly: false,
                                                        type: .trigger(isMarket: false, triggerPrice: decimal("0.00005"), kind: .takeProfit))],
                           grouping: .normalTakeProfitStopLoss,
                           builder: BuilderFee(builder: EthereumAddress(hex: "0x8C967E73E6B15087C42A10D344CFF4C96D877F1D")!, feeTenthsOfBasisPoint: 10)),
            nonce: 1_767_225_700_000, vault: nil, expiresAfter: nil, network: .testnet,
            messagePack: "84a474797065a56f72646572a66f72646572739287a16103a162c2a170a739383736352e34a173a7302e3030313233a172c3a17481a56c696d697481a3746966a3416c6fa163d9223078303030303030303030303030303030373030303030303030303030303030303186a161cd2717a162c3a170a8302e303030303435a173a3312e35a172c2a17481a77472696767657283a869734d61726b6574c2a9747269676765725078a7302e3030303035a47470736ca27470a867726f7570696e67aa6e6f726d616c5470736ca76275696c64657282a162d92a307838633936376537336536623135303837633432613130643334346366663463393664383737663164a1660a",
            connectionID: "0xd4e973ec77c49756106484aee88092d93d3b669778673229955dc9a97f680d2f",
            r: "0x110bf3a53b4742edcd5bd97641f26b689d003c4cb153f851f0723f803aa0db83", s: "0x2ef200c6bc8eed3a5c8c0201d25e22c3f78708edcbe1ede565a2273b52f351c8", v: 27),
        SDKCase(
            name: "modify by venue order id with a vault",
            action: .modify(OrderModification(orderReference: .venue(987_654_321_012), order: iocOrder)),
            nonce: 1_767_225_700_001, vault: "0x1719884eb866cb12b2287399b15f7db5e7d775ea", expiresAfter: nil, network: .mainnet,
            messagePack: "83a474797065a66d6f64696679a36f6964cf000000e5f4c8f374a56f7264657286a16101a162c3a170a6333030302e35a173a132a172c2a17481a56c696d697481a3746966a3496f63",
            connectionID: "0x1a128c967120ca8bd0528597c0f20d285195a4e42a25625d9336a56d0aafeeb3",
            r: "0xee72a551e2661345796b787a31c08c68a40888891599ffcaf6e56c1d302370b7", s: "0x1056aa9cabba6880e223e96d77d7714842b73f9701a25561ed82cbadb57466d4", v: 27),
        SDKCase(
            name: "batchModify by client order id and venue order id with an expiry",
            action: .batchModify([OrderModification(orderReference: .client(cloid7), order: aloOrder), OrderModification(orderReference: .venue(42), order: iocOrder)]),
            nonce: 1_767_225_700_002, vault: nil, expiresAfter: 1_767_225_799_999, network: .mainnet,
            messagePack: "82a474797065ab62617463684d6f64696679a86d6f6469666965739282a36f6964d92230783030303030303030303030303030303730303030303030303030303030303031a56f7264657287a16103a162c2a170a739383736352e34a173a7302e3030313233a172c3a17481a56c696d697481a3746966a3416c6fa163d9223078303030303030303030303030303030373030303030303030303030303030303182a36f69642aa56f7264657286a16101a162c3a170a6333030302e35a173a132a172c2a17481a56c696d697481a3746966a3496f63",
            connectionID: "0xdc209c85b1179f1ee19768dc8df89731ec1628853af0011ab62a34fe723880c8",
            r: "0x1b4e856f317064e9b1643937d6d28f96b0a734ff2ea335bc7e17178aba368bc3", s: "0x38ee6fac512eb76e47f528b6282e83b15cb9e39e2399130dba37eeda9fc4bca1", v: 27),
        SDKCase(
            name: "scheduleCancel with a time",
            action: .scheduleCancel(time: Timestamp(milliseconds: 1_767_229_200_000)),
            nonce: 1_767_225_700_003, vault: nil, expiresAfter: nil, network: .testnet,
            messagePack: "82a474797065ae7363686564756c6543616e63656ca474696d65cf0000019b77119680",
            connectionID: "0xf5e1b4389e06c5360881e2e0e4dbeeb96ba508d4982a8089e683626a0328df2d",
            r: "0x8c49dc41bfdf4d9bd0f4006ac39790ade89789b7c82f6f98306b3b73ef48089c", s: "0x5035679e7e47aa53adc4076f355bc7ef6cdbac7c56c4b709d0583bde21d8c547", v: 27),
        SDKCase(
            name: "scheduleCancel without a time omits the field",
            action: .scheduleCancel(time: nil),
            nonce: 1_767_225_700_004, vault: nil, expiresAfter: nil, network: .mainnet,
            messagePack: "81a474797065ae7363686564756c6543616e63656c",
            connectionID: "0x0bb2fbd2de928b172cee8fb66b4a63c71bedf27e93b9ae3da9710c72feb2bb7e",
            r: "0xbf6cabdd145c55fca9063e8a2308527af090cd2027ffc36fce9e41ef0be4ff8d", s: "0x6f6783ee9e4ece19af597471005e166a552bb68918003aa80b80337a868886fa", v: 27),
        SDKCase(
            name: "order with positionTpsl grouping and Ioc",
            action: .order(orders: [iocOrder], grouping: .positionTakeProfitStopLoss, builder: nil),
            nonce: 1_767_225_700_005, vault: nil, expiresAfter: nil, network: .mainnet,
            messagePack: "83a474797065a56f72646572a66f72646572739186a16101a162c3a170a6333030302e35a173a132a172c2a17481a56c696d697481a3746966a3496f63a867726f7570696e67ac706f736974696f6e5470736c",
            connectionID: "0x30ef5e52dea1050fc1af6b64d206e49e09601f8286cf4644982d092b86ddbfb7",
            r: "0xdf9db4b19580f9b189b99389385355f1ba8d07a08bcb4c72514b8b8425a73ce1", s: "0x18b97f794b10b08b1f3292cb79ab13d86ddd0b51317972de8ccaad22bf31a315", v: 28),
    ]

    @Test("typed actions the fixture lacks encode and sign as the SDK does", arguments: sdkCases)
    func sdkActions(testCase: SDKCase) throws {
        #expect(Hex.encode(testCase.action.wireValue.messagePack()) == testCase.messagePack)
        let signer = try Signer(privateKeyHex: "0x0123456789012345678901234567890123456789012345678901234567890123")
        let vault = testCase.vault.flatMap { EthereumAddress(hex: $0) }
        let signed = try signer.signL1Action(testCase.action, nonce: testCase.nonce, vaultAddress: vault, expiresAfter: testCase.expiresAfter, network: testCase.network)
        #expect(hex(signed.connectionID) == testCase.connectionID)
        #expect(signed.signature.rHex == testCase.r)
        #expect(signed.signature.sHex == testCase.s)
        #expect(signed.signature.v == testCase.v)
    }

    @Test("typed user-signed actions: the fixture's two and SDK signatures of withdraw3, usdSend on mainnet and an unnamed agent")
    func userSignedActions() throws {
        let destination = EthereumAddress(hex: "0x5e9ee1089755c3435139848e47e6635505d5a13a")!
        let agent = EthereumAddress(hex: "0x35ab59f9218c42ad93c9ba2801d3adc66d59dc5b")!

        let usdSend = SigningVectors.named("SDKT11_usd_send_testnet")
        let typedUsdSend = UserSignedAction(.usdSend(destination: destination, amount: 1, time: 1_687_816_341_423), network: .testnet)
        #expect(typedUsdSend.wireValue == usdSend.action)
        #expect(typedUsdSend.nonce == usdSend.nonce)
        let approve = SigningVectors.named("S06_approve_agent_named_testnet")
        let typedApprove = UserSignedAction(.approveAgent(agent: agent, name: "swift-bot", nonce: 1_767_225_647_514), network: .testnet)
        #expect(typedApprove.wireValue == approve.action)
        let approveSignature = try Signer(privateKeyHex: approve.privateKey).signUserSignedAction(typedApprove).signature
        #expect(approveSignature.rHex == approve.signatureR && approveSignature.sHex == approve.signatureS && approveSignature.v == approve.signatureV)

        let signer = try Signer(privateKeyHex: "0x0123456789012345678901234567890123456789012345678901234567890123")
        let cases: [(UserSignedAction, String, String, Int)] = [
            (UserSignedAction(.withdraw(destination: destination, amount: Self.decimal("12.5"), time: 1_767_225_700_006), network: .mainnet),
             "0x73c0fe126548ca5978071315f990302bc1fc18910db68bf68355427f1a2dcd78", "0x4a9b42452c2605c6815a33bebde49b88ca21991fe99e2a0b1126b07a1f9bf402", 28),
            (UserSignedAction(.usdSend(destination: destination, amount: Self.decimal("0.25"), time: 1_767_225_700_007), network: .mainnet),
             "0xd196ab4421e74f9222db2b7d89359af388d111473d4a91191f63b13539bda7bd", "0x25beca7534a2815e2ec92c88f88828a66b611b1f3c0ffcfaa923d57f08f59b72", 28),
            (UserSignedAction(.approveAgent(agent: agent, name: nil, nonce: 1_767_225_700_008), network: .testnet),
             "0xeee0bcfe7b02ce08879af829e8134eda13d25879be756c35bcaa873de7f30693", "0x52a86af96b0ebd98657f6b3298501262108536084dba1fa6aa4f51bfdf802e43", 27),
        ]
        for (action, r, s, v) in cases {
            let signature = try signer.signUserSignedAction(action).signature
            #expect(signature.rHex == r)
            #expect(signature.sHex == s)
            #expect(signature.v == v)
        }
        // An unnamed agent is signed with an empty name but posted without the field, like the SDK.
        let unnamed = cases[2].0.wireValue
        #expect(unnamed["agentName"] == nil)
        #expect(unnamed["agentAddress"] == .string("0x35Ab59F9218C42ad93c9bA2801D3aDc66D59dc5B"))
        #expect(cases[0].0.wireValue.jsonText() == #"{"type":"withdraw3","destination":"0x5e9ee1089755c3435139848e47e6635505d5a13a","amount":"12.5","time":1767225700006,"signatureChainId":"0x66eee","hyperliquidChain":"Mainnet"}"#)
    }
}
