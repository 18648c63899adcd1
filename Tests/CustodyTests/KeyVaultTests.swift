import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import GRDB
import Hyperliquid
import Storage
import Testing
@testable import Custody

@Suite("Key vault")
struct KeyVaultTests {
    static let apiKey = "sk-live-PLAINTEXT-api-key-5c1f0e7a9b3d"
    static let otherAPIKey = "sk-ant-PLAINTEXT-other-key-77aa01"

    @Test("a stored secret reads back; the database holds only its nonce and ciphertext")
    func storesAndReads() throws {
        let ledger = try TestLedger(accounts: 2)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        let summary = try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        #expect(summary == SecretSummary(accountID: accountOne, name: "llm_api_key", publicHint: nil, updatedAt: time))
        #expect(try vault.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.apiKey)
        #expect(try vault.secret(named: .llmAPIKey, for: accountTwo) == nil)
        let record = try #require(try ledger.store.encryptedSecret(accountID: accountOne, name: "llm_api_key"))
        #expect(record.nonce.count == 12)
        #expect(record.ciphertext.count == Self.apiKey.utf8.count + 16)
        #expect(!contains(Data(record.ciphertext), Array(Self.apiKey.utf8)))
    }

    @Test("setting a secret again replaces it; removing it leaves it unset")
    func replacesAndRemoves() throws {
        let ledger = try TestLedger(accounts: 2)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue("  \(Self.otherAPIKey)\n"), named: .llmAPIKey, for: accountOne, now: time.adding(milliseconds: 5))
        #expect(try vault.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.otherAPIKey)
        #expect(try vault.summaries(for: accountOne).map(\.updatedAt) == [time.adding(milliseconds: 5)])
        #expect(try vault.removeSecret(named: .llmAPIKey, for: accountOne))
        #expect(try !vault.removeSecret(named: .llmAPIKey, for: accountOne))
        #expect(try vault.secret(named: .llmAPIKey, for: accountOne) == nil)
        #expect(try vault.summaries(for: accountOne).isEmpty)
    }

    @Test("an agent key's address is kept as its public hint and its signer signs as that address")
    func walletHint() throws {
        let ledger = try TestLedger(accounts: 2)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        let summary = try vault.setSecret(SecretValue(privateKeyOne), named: .hyperliquidAgentKey, for: accountOne, now: time)
        #expect(summary.publicHint == addressOfKeyOne)
        try vault.setSecret(SecretValue("0x14791697260e4c9a71f18484c9f997b308e59325"), named: .hyperliquidMasterAddress, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        let summaries = try vault.summaries(for: accountOne)
        #expect(summaries.map(\.name) == ["hyperliquid_agent_key", "hyperliquid_master_address", "llm_api_key"])
        #expect(summaries.map(\.publicHint) == [addressOfKeyOne, "0x14791697260E4c9A71f18484C9f997B308e59325", nil])
        let signer = try #require(try vault.agentSigner(for: accountOne))
        #expect(signer.address.checksummed == addressOfKeyOne)
        #expect(try vault.agentSigner(for: accountTwo) == nil)
    }

    @Test("an invalid wallet key, a bad address, an empty or oversized secret are refused without quoting them")
    func refusesInvalidSecrets() throws {
        let ledger = try TestLedger(accounts: 2)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        let badKey = "0x" + String(repeating: "f", count: 64)
        let cases: [(SecretName, String)] = [
            (.hyperliquidAgentKey, badKey), (.hyperliquidAgentKey, "0x1234"), (.hyperliquidAgentKey, Self.apiKey),
            (.hyperliquidMasterAddress, "0x1234-not-an-address"), (.llmAPIKey, "   \n"),
            (.llmAPIKey, String(repeating: "k", count: KeyVault.maximumSecretBytes + 1)),
        ]
        for (name, value) in cases {
            do {
                try vault.setSecret(SecretValue(value), named: name, for: accountOne, now: time)
                Issue.record("\(name) was accepted")
            } catch let error as CustodyError {
                guard case .invalidSecret(let refusedName, _) = error else { Issue.record("unexpected \(error)"); continue }
                #expect(refusedName == name.rawValue)
                let trimmedValue = value.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmedValue.isEmpty { #expect(!error.description.contains(trimmedValue.prefix(12))) }
            }
        }
        #expect(try ledger.store.secretCount() == 0)
    }

    @Test("storing a secret for an unknown account is refused")
    func unknownAccount() throws {
        let ledger = try TestLedger(accounts: 2)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        #expect(throws: StorageError.notFound("Account 99")) {
            try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: AccountID(99), now: time)
        }
    }

    @Test("a new database records its key at the first start, so another key is refused even before any secret")
    func recordsKeyBeforeSecrets() throws {
        let ledger = try TestLedger(accounts: 2)
        let key = try randomKey()
        #expect(try ledger.store.custodyCheck() == nil)
        _ = try KeyVault(store: ledger.store, masterKey: key, now: time)
        let check = try #require(try ledger.store.custodyCheck())
        #expect(check.keyFingerprint == key.fingerprint)
        #expect(try ledger.store.secretCount() == 0)
        _ = try KeyVault(store: ledger.store, masterKey: key, now: time.adding(milliseconds: 10))
        #expect(try ledger.store.custodyCheck() == check)
        let wrong = try randomKey()
        #expect(throws: CustodyError.wrongMasterKey(databaseFingerprint: key.fingerprint, givenFingerprint: wrong.fingerprint)) {
            try KeyVault(store: ledger.store, masterKey: wrong, now: time)
        }
    }

    @Test("a wrong master key at start-up is a clear error naming both fingerprints and what to do")
    func wrongKeyAtStartUp() throws {
        let ledger = try TestLedger(accounts: 2)
        let folder = try TemporaryFolder()
        let rightPath = folder.path("right.key"), wrongPath = folder.path("wrong.key")
        let right = try MasterKey.createKeyFile(at: rightPath)
        let wrong = try MasterKey.createKeyFile(at: wrongPath)
        let vault = try #require(try KeyVault.startUp(store: ledger.store, environment: ["ARENA_MASTER_KEY_FILE": rightPath], now: time))
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        do {
            _ = try KeyVault.startUp(store: ledger.store, environment: ["ARENA_MASTER_KEY_FILE": wrongPath], now: time)
            Issue.record("the wrong key was accepted")
        } catch let error as CustodyError {
            #expect(error == .wrongMasterKey(databaseFingerprint: right.fingerprint, givenFingerprint: wrong.fingerprint))
            #expect(error.description.contains("is not the key of this database"))
            #expect(!error.description.contains(right.revealHex()))
            #expect(!error.description.contains(wrong.revealHex()))
        }
        // The right key still opens everything.
        let again = try #require(try KeyVault.startUp(store: ledger.store, environment: ["ARENA_MASTER_KEY": right.revealHex()], now: time))
        #expect(try again.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.apiKey)
    }

    @Test("without a master key, start-up goes on while no secret is stored and stops once one is")
    func startUpWithoutKey() throws {
        let ledger = try TestLedger(accounts: 2)
        #expect(try KeyVault.startUp(store: ledger.store, environment: [:], now: time) == nil)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.otherAPIKey), named: .llmAPIKey, for: accountTwo, now: time)
        #expect(throws: CustodyError.masterKeyRequired(secretCount: 2)) {
            try KeyVault.startUp(store: ledger.store, environment: [:], now: time)
        }
        #expect(String(describing: CustodyError.masterKeyRequired(secretCount: 2)).contains("ARENA_MASTER_KEY_FILE"))
    }

    @Test("a database without the custody migration is refused with the command to run")
    func unmigrated() throws {
        let folder = try TemporaryFolder()
        let database = try ArenaDatabase(path: folder.path("bare.sqlite"))
        defer { try? database.close() }
        #expect(throws: CustodyError.databaseNotMigrated) {
            try KeyVault(store: LedgerStore(database: database), masterKey: try randomKey(), now: time)
        }
    }

    @Test("a tampered secret in the database is refused when read and listed as unreadable")
    func tamperedInDatabase() throws {
        let ledger = try TestLedger(accounts: 2)
        let vault = try KeyVault(store: ledger.store, masterKey: try randomKey(), now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.otherAPIKey), named: .llmAPIKey, for: accountTwo, now: time)
        try corruptCiphertext(ledger, accountID: accountOne, name: "llm_api_key")
        #expect(throws: CustodyError.secretUnreadable(accountID: accountOne, name: "llm_api_key")) {
            try vault.secret(named: .llmAPIKey, for: accountOne)
        }
        #expect(try vault.unreadableSecrets().map(\.accountID) == [accountOne])
        // A ciphertext copied from one account to the other does not open there.
        try ledger.store.database.write { db in
            try db.execute(sql: """
                UPDATE account_secrets SET nonce = (SELECT nonce FROM account_secrets WHERE account_id = 1),
                    ciphertext = (SELECT ciphertext FROM account_secrets WHERE account_id = 1) WHERE account_id = 2
                """)
        }
        #expect(throws: CustodyError.secretUnreadable(accountID: accountTwo, name: "llm_api_key")) {
            try vault.secret(named: .llmAPIKey, for: accountTwo)
        }
    }

    @Test("rotation re-encrypts every secret: all open under the new key, none under the old")
    func rotates() throws {
        let ledger = try TestLedger(accounts: 2)
        let oldKey = try randomKey(), newKey = try randomKey()
        let vault = try KeyVault(store: ledger.store, masterKey: oldKey, now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(privateKeyOne), named: .hyperliquidAgentKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.otherAPIKey), named: .llmAPIKey, for: accountTwo, now: time)
        let before = try ledger.store.encryptedSecrets()

        let (rotated, count) = try vault.rotate(to: newKey, now: time.adding(milliseconds: 1000))
        #expect(count == 3)
        #expect(rotated.keyFingerprint == newKey.fingerprint)
        let after = try ledger.store.encryptedSecrets()
        #expect(after.count == 3)
        for (old, new) in zip(before, after) {
            #expect(old.nonce != new.nonce)
            #expect(old.ciphertext != new.ciphertext)
            #expect(old.publicHint == new.publicHint)
        }
        #expect(try rotated.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.apiKey)
        #expect(try rotated.secret(named: .llmAPIKey, for: accountTwo)?.revealString() == Self.otherAPIKey)
        #expect(try rotated.agentSigner(for: accountOne)?.address.checksummed == addressOfKeyOne)
        let check = try #require(try ledger.store.custodyCheck())
        #expect(check.keyFingerprint == newKey.fingerprint)
        #expect(check.rotatedAt == time.adding(milliseconds: 1000))
        #expect(check.createdAt == time)

        // The old key opens nothing: not at start-up, not a single secret.
        #expect(throws: CustodyError.wrongMasterKey(databaseFingerprint: newKey.fingerprint, givenFingerprint: oldKey.fingerprint)) {
            try KeyVault(store: ledger.store, masterKey: oldKey, now: time)
        }
        let oldBox = SecretBox(masterKey: oldKey)
        for record in after {
            #expect(throws: CustodyError.self) {
                try oldBox.open(SealedSecret(nonce: record.nonce, ciphertext: record.ciphertext), accountID: record.accountID,
                                name: try SecretName(record.name))
            }
        }
        // A vault still holding the old key (a server not restarted) can neither read nor store.
        #expect(throws: CustodyError.secretUnreadable(accountID: accountOne, name: "llm_api_key")) {
            try vault.secret(named: .llmAPIKey, for: accountOne)
        }
        #expect(throws: CustodyError.wrongMasterKey(databaseFingerprint: newKey.fingerprint, givenFingerprint: oldKey.fingerprint)) {
            try vault.setSecret(SecretValue("sk-new"), named: .llmAPIKey, for: accountTwo, now: time)
        }
        #expect(throws: CustodyError.wrongMasterKey(databaseFingerprint: newKey.fingerprint, givenFingerprint: oldKey.fingerprint)) {
            try vault.rotate(to: try randomKey(), now: time)
        }
        #expect(try KeyVault(store: ledger.store, masterKey: newKey, now: time).unreadableSecrets().isEmpty)
    }

    @Test("rotation to the same key is refused")
    func rotationToSameKey() throws {
        let ledger = try TestLedger(accounts: 2)
        let key = try randomKey()
        let vault = try KeyVault(store: ledger.store, masterKey: key, now: time)
        #expect(throws: CustodyError.rotationToSameKey) { try vault.rotate(to: try MasterKey(bytes: key.storage.withUnsafeBytes { Array($0) }), now: time) }
    }

    @Test("a rotation that meets a corrupt secret changes nothing: every secret and the key check stay as they were")
    func failedRotationChangesNothing() throws {
        let ledger = try TestLedger(accounts: 3)
        let oldKey = try randomKey(), newKey = try randomKey()
        let vault = try KeyVault(store: ledger.store, masterKey: oldKey, now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.otherAPIKey), named: .llmAPIKey, for: accountTwo, now: time)
        try vault.setSecret(SecretValue(privateKeyOne), named: .hyperliquidAgentKey, for: AccountID(3), now: time)
        // The second of three in rotation order, so one secret was already re-encrypted when it fails.
        try corruptCiphertext(ledger, accountID: accountTwo, name: "llm_api_key")
        let before = try ledger.store.encryptedSecrets()
        let checkBefore = try ledger.store.custodyCheck()

        #expect(throws: CustodyError.secretUnreadable(accountID: accountTwo, name: "llm_api_key")) {
            try vault.rotate(to: newKey, now: time.adding(milliseconds: 1))
        }
        #expect(try ledger.store.encryptedSecrets() == before)
        #expect(try ledger.store.custodyCheck() == checkBefore)
        #expect(try vault.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.apiKey)
        #expect(try vault.agentSigner(for: AccountID(3))?.address.checksummed == addressOfKeyOne)
        #expect(throws: CustodyError.self) { try KeyVault(store: ledger.store, masterKey: newKey, now: time) }
    }

    @Test("no plaintext secret is anywhere in the database file, its WAL or its shared memory; old ciphertexts go with a rotation")
    func noPlaintextOnDisk() throws {
        let ledger = try TestLedger(accounts: 2)
        let oldKey = try randomKey()
        let vault = try KeyVault(store: ledger.store, masterKey: oldKey, now: time)
        let wallet = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        let replaced = "sk-REPLACED-PLAINTEXT-0000111122223333"
        let removed = "sk-REMOVED-PLAINTEXT-4444555566667777"
        try vault.setSecret(SecretValue(replaced), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.otherAPIKey), named: .llmAPIKey, for: accountTwo, now: time)
        try vault.setSecret(SecretValue(wallet), named: .hyperliquidAgentKey, for: accountTwo, now: time)
        let spare = try SecretName("spare_key")
        try vault.setSecret(SecretValue(removed), named: spare, for: accountTwo, now: time)
        let removedCiphertext = try #require(try ledger.store.encryptedSecret(accountID: accountTwo, name: "spare_key")).ciphertext
        #expect(try vault.removeSecret(named: spare, for: accountTwo))
        let address = try #require(try vault.summaries(for: accountTwo).first { $0.name == "hyperliquid_agent_key" }?.publicHint)
        #expect(address == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23")

        let forbidden: [(String, [UInt8])] = [
            ("an API key", Array(Self.apiKey.utf8)), ("an API key", Array(Self.otherAPIKey.utf8)),
            ("a replaced API key", Array(replaced.utf8)), ("a removed secret", Array(removed.utf8)),
            ("the wallet key's hex", Array(wallet.dropFirst(2).utf8)), ("the wallet key's bytes", Hex.decode(wallet) ?? [0]),
            ("the master key's hex", Array(oldKey.revealHex().utf8)), ("the master key's bytes", oldKey.storage.withUnsafeBytes { Array($0) }),
        ]
        func assertClean(_ moment: String, alsoForbidden: [[UInt8]] = []) throws {
            let files = try ledger.fileBytes()
            #expect(files.contains { $0.0.hasSuffix("-wal") }, "expected a WAL file \(moment)")
            // The search itself works: the account name and the wallet's address are on disk.
            #expect(files.contains { contains($0.1, Array("account-1".utf8)) }, "\(moment)")
            #expect(files.contains { contains($0.1, Array(address.utf8)) }, "\(moment)")
            for (file, bytes) in files {
                for (what, secret) in forbidden {
                    #expect(!contains(bytes, secret), "\(file) holds \(what) \(moment)")
                }
                for ciphertext in alsoForbidden {
                    #expect(!contains(bytes, ciphertext), "\(file) holds a ciphertext under the old key \(moment)")
                }
            }
        }
        try assertClean("before rotation")
        let oldCiphertexts = try ledger.store.encryptedSecrets().map(\.ciphertext)
        for ciphertext in oldCiphertexts {
            #expect(try ledger.fileBytes().contains { contains($0.1, ciphertext) }, "a stored ciphertext should be found on disk")
        }
        _ = try vault.rotate(to: try randomKey(), now: time)
        // A removed secret's space was zeroed (secure_delete), so once the WAL is checkpointed into
        // the database file its ciphertext is nowhere.
        try assertClean("after rotation", alsoForbidden: oldCiphertexts + [removedCiphertext])
    }
}

/// Flips one byte of a stored ciphertext, behind the vault's back.
func corruptCiphertext(_ ledger: TestLedger, accountID: AccountID, name: String) throws {
    try ledger.store.database.write { db in
        guard let data = try Data.fetchOne(db, sql: "SELECT ciphertext FROM account_secrets WHERE account_id = ? AND name = ?",
                                           arguments: [accountID.rawValue, name]) else { throw TestFailure("no such secret") }
        var bytes = [UInt8](data)
        bytes[bytes.count / 2] ^= 0x40
        try db.execute(sql: "UPDATE account_secrets SET ciphertext = ? WHERE account_id = ? AND name = ?",
                       arguments: [Data(bytes), accountID.rawValue, name])
    }
}
