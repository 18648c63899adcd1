import JSONCore
import Testing
@testable import Hyperliquid

@Suite("golden signing vectors from the Python SDK")
struct SigningVectorTests {
    @Test("the fixture holds the eight vectors")
    func count() {
        #expect(SigningVectors.all.count == 8)
        #expect(SigningVectors.all.filter { $0.kind == "l1" }.count == 6)
        #expect(SigningVectors.all.filter { $0.kind == "user_signed" }.count == 2)
    }

    @Test("L1 vectors: msgpack, hash suffix, connection id, struct hash, digest, r, s, v and address are byte-exact",
          arguments: SigningVectors.all.filter { $0.kind == "l1" })
    func l1(vector: SigningVectors.Vector) throws {
        #expect(hex(vector.action.messagePack()) == vector.actionMessagePackHex)
        let suffix = L1ActionHash.suffix(nonce: vector.nonce, vaultAddress: vector.vaultAddress, expiresAfter: vector.expiresAfter)
        #expect(hex(suffix) == vector.hashSuffixHex)
        let connectionID = L1ActionHash.connectionID(action: vector.action, nonce: vector.nonce, vaultAddress: vector.vaultAddress, expiresAfter: vector.expiresAfter)
        #expect(hex(connectionID) == vector.connectionID)
        let agent = L1ActionHash.phantomAgent(connectionID: connectionID, network: vector.network)
        #expect(hex(agent.structHash) == vector.structHash)
        #expect(hex(EIP712Domain.exchange.separator) == vector.domainSeparator)
        #expect(hex(EIP712Domain.exchange.digest(of: agent)) == vector.digest)

        let signer = try Signer(privateKeyHex: vector.privateKey)
        #expect(signer.address.checksummed == vector.signerAddress)
        let signed = try signer.signL1Action(vector.action, nonce: vector.nonce, vaultAddress: vector.vaultAddress, expiresAfter: vector.expiresAfter, network: vector.network)
        #expect(hex(signed.connectionID) == vector.connectionID)
        #expect(hex(signed.digest) == vector.digest)
        #expect(signed.signature.rHex == vector.signatureR)
        #expect(signed.signature.sHex == vector.signatureS)
        #expect(signed.signature.v == vector.signatureV)
    }

    @Test("user-signed vectors: struct hash, domain separator, digest, r, s, v and address are byte-exact",
          arguments: SigningVectors.all.filter { $0.kind == "user_signed" })
    func userSigned(vector: SigningVectors.Vector) throws {
        let typedData = try UserSignedActionHash.typedData(action: vector.action)
        #expect(hex(typedData.message.structHash) == vector.structHash)
        #expect(hex(typedData.domain.separator) == vector.domainSeparator)
        #expect(hex(typedData.domain.digest(of: typedData.message)) == vector.digest)

        let signer = try Signer(privateKeyHex: vector.privateKey)
        #expect(signer.address.checksummed == vector.signerAddress)
        let signed = try signer.signUserSignedAction(vector.action)
        #expect(hex(signed.digest) == vector.digest)
        #expect(signed.signature.rHex == vector.signatureR)
        #expect(signed.signature.sHex == vector.signatureS)
        #expect(signed.signature.v == vector.signatureV)
    }

    @Test("request bodies carry the same action, nonce, signature, vault and expiry as the SDK's post_body",
          arguments: SigningVectors.all)
    func postBody(vector: SigningVectors.Vector) throws {
        let signer = try Signer(privateKeyHex: vector.privateKey)
        let signature: RecoverableSignature
        if vector.kind == "l1" {
            signature = try signer.signL1Action(vector.action, nonce: vector.nonce, vaultAddress: vector.vaultAddress, expiresAfter: vector.expiresAfter, network: vector.network).signature
        } else {
            signature = try signer.signUserSignedAction(vector.action).signature
        }
        let body = ExchangeRequestBody(action: vector.action, nonce: vector.nonce, signature: signature, vaultAddress: vector.vaultAddress, expiresAfter: vector.expiresAfter)
        let expected = try WireValue(json: vector.postBody)
        #expect(try WireValue(json: JSONParser.parse(body.jsonText)) == expected)
    }
}
