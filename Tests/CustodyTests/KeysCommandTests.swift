import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
import Storage
import Testing
@testable import Custody

/// `arena keys` as real subprocesses of the built binary.
@Suite("arena keys command")
struct KeysCommandTests {
    static let apiKey = "sk-cli-PLAINTEXT-key-9f8e7d6c5b4a"

    @Test("arena keys init writes a 0600 key file, says how to use it, never prints the key, and refuses to overwrite")
    func initCreatesKeyFile() async throws {
        let folder = try TemporaryFolder()
        let result = try await runArena(["keys", "init", "--key-file", "keys/master.key"], in: folder.url)
        #expect(result.status == 0, "\(result.errorOutput)")
        let path = folder.url.appendingPathComponent("keys/master.key").standardizedFileURL.path
        #expect(try permissions(of: path) == 0o600)
        let key = try MasterKey(contentsOfFile: path)
        #expect(result.output.contains(path))
        #expect(result.output.contains("ARENA_MASTER_KEY_FILE=\(path)"))
        #expect(result.output.contains(key.fingerprint))
        #expect(!result.output.contains(key.revealHex()))
        #expect(!result.errorOutput.contains(key.revealHex()))

        let again = try await runArena(["keys", "init", "--key-file", path], in: folder.url)
        #expect(again.status != 0)
        #expect(again.errorOutput.contains("already exists"))
        #expect(try MasterKey(contentsOfFile: path) == key)
    }

    @Test("arena keys init --show-key prints the key it wrote; without --key-file it writes under the config folder")
    func initShowsKeyWhenAsked() async throws {
        let folder = try TemporaryFolder()
        let result = try await runArena(["keys", "init", "--show-key"], environment: ["XDG_CONFIG_HOME": folder.path("config")], in: folder.url)
        #expect(result.status == 0, "\(result.errorOutput)")
        let path = folder.path("config/arena/master.key")
        let key = try MasterKey(contentsOfFile: path)
        #expect(result.output.contains(key.revealHex()))
    }

    @Test("arena keys rotate re-encrypts every secret under the new key file; the old key no longer opens the database")
    func rotateWithKeyFiles() async throws {
        let ledger = try TestLedger(accounts: 2)
        let folder = try TemporaryFolder()
        #expect(try await runArena(["keys", "init", "--key-file", folder.path("old.key")], in: folder.url).status == 0)
        #expect(try await runArena(["keys", "init", "--key-file", folder.path("new.key")], in: folder.url).status == 0)
        let oldKey = try MasterKey(contentsOfFile: folder.path("old.key"))
        let newKey = try MasterKey(contentsOfFile: folder.path("new.key"))
        try storeSecrets(in: ledger, under: oldKey)

        let result = try await runArena(["keys", "rotate", "--db", ledger.path, "--new-key-file", folder.path("new.key")],
                                  environment: ["ARENA_MASTER_KEY_FILE": folder.path("old.key")], in: folder.url)
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.contains("Re-encrypted 3 secrets"))
        #expect(result.output.contains(newKey.fingerprint))
        #expect(!result.output.contains(newKey.revealHex()) && !result.output.contains(oldKey.revealHex()))

        let reopened = LedgerStore(database: try ArenaDatabase(path: ledger.path))
        defer { try? reopened.database.close() }
        let vault = try KeyVault(store: reopened, masterKey: newKey, now: time)
        #expect(try vault.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.apiKey)
        #expect(try vault.agentSigner(for: accountTwo)?.address.checksummed == addressOfKeyOne)
        #expect(try vault.unreadableSecrets().isEmpty)
        #expect(throws: CustodyError.wrongMasterKey(databaseFingerprint: newKey.fingerprint, givenFingerprint: oldKey.fingerprint)) {
            try KeyVault(store: reopened, masterKey: oldKey, now: time)
        }

        let check = try await runArena(["keys", "check", "--db", ledger.path, "--key-file", folder.path("new.key")], in: folder.url)
        #expect(check.status == 0, "\(check.errorOutput)")
        #expect(check.output.contains("holds 3 secrets"))
        let wrongCheck = try await runArena(["keys", "check", "--db", ledger.path, "--key-file", folder.path("old.key")], in: folder.url)
        #expect(wrongCheck.status != 0)
        #expect(wrongCheck.errorOutput.contains("is not the key of this database"))
    }

    @Test("arena keys rotate takes the keys from ARENA_MASTER_KEY and ARENA_NEW_MASTER_KEY")
    func rotateFromEnvironment() async throws {
        let ledger = try TestLedger(accounts: 2)
        let folder = try TemporaryFolder()
        let oldKey = try randomKey(), newKey = try randomKey()
        try storeSecrets(in: ledger, under: oldKey)
        let result = try await runArena(["keys", "rotate", "--db", ledger.path],
                                  environment: ["ARENA_MASTER_KEY": oldKey.revealHex(), "ARENA_NEW_MASTER_KEY": newKey.revealHex()],
                                  in: folder.url)
        #expect(result.status == 0, "\(result.errorOutput)")
        let vault = try KeyVault(store: ledger.store, masterKey: newKey, now: time)
        #expect(try vault.secret(named: .llmAPIKey, for: accountTwo)?.revealString() == Self.apiKey + "-2")
    }

    @Test("arena keys rotate changes nothing when a secret is corrupt, and says which")
    func rotateFailureChangesNothing() async throws {
        let ledger = try TestLedger(accounts: 2)
        let folder = try TemporaryFolder()
        let oldKey = try MasterKey.createKeyFile(at: folder.path("old.key"))
        _ = try MasterKey.createKeyFile(at: folder.path("new.key"))
        try storeSecrets(in: ledger, under: oldKey)
        try corruptCiphertext(ledger, accountID: accountTwo, name: "llm_api_key")
        let before = try ledger.store.encryptedSecrets()
        let checkBefore = try ledger.store.custodyCheck()

        let result = try await runArena(["keys", "rotate", "--db", ledger.path, "--key-file", folder.path("old.key"),
                                   "--new-key-file", folder.path("new.key")], in: folder.url)
        #expect(result.status != 0)
        #expect(result.errorOutput.contains("The secret llm_api_key of account 2 could not be decrypted"))
        #expect(try ledger.store.encryptedSecrets() == before)
        #expect(try ledger.store.custodyCheck() == checkBefore)
        let vault = try KeyVault(store: ledger.store, masterKey: oldKey, now: time)
        #expect(try vault.secret(named: .llmAPIKey, for: accountOne)?.revealString() == Self.apiKey)
    }

    @Test("arena keys refuses a key file others can read, a wrong current key and a missing database, saying what to do")
    func rotateRefusals() async throws {
        let ledger = try TestLedger(accounts: 2)
        let folder = try TemporaryFolder()
        let oldKey = try MasterKey.createKeyFile(at: folder.path("old.key"))
        _ = try MasterKey.createKeyFile(at: folder.path("new.key"))
        _ = try MasterKey.createKeyFile(at: folder.path("stranger.key"))
        try storeSecrets(in: ledger, under: oldKey)
        let before = try ledger.store.encryptedSecrets()

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.path("new.key"))
        let open = try await runArena(["keys", "rotate", "--db", ledger.path, "--key-file", folder.path("old.key"),
                                 "--new-key-file", folder.path("new.key")], in: folder.url)
        #expect(open.status != 0)
        #expect(open.errorOutput.contains("chmod 600 \(folder.path("new.key"))"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder.path("new.key"))

        let wrong = try await runArena(["keys", "rotate", "--db", ledger.path, "--key-file", folder.path("stranger.key"),
                                  "--new-key-file", folder.path("new.key")], in: folder.url)
        #expect(wrong.status != 0)
        #expect(wrong.errorOutput.contains("is not the key of this database"))

        let noKey = try await runArena(["keys", "rotate", "--db", ledger.path, "--new-key-file", folder.path("new.key")], in: folder.url)
        #expect(noKey.status != 0)
        #expect(noKey.errorOutput.contains("arena keys init"))

        let missing = try await runArena(["keys", "rotate", "--db", folder.path("typo.sqlite"), "--key-file", folder.path("old.key"),
                                    "--new-key-file", folder.path("new.key")], in: folder.url)
        #expect(missing.status != 0)
        #expect(!FileManager.default.fileExists(atPath: folder.path("typo.sqlite")))
        #expect(try ledger.store.encryptedSecrets() == before)
    }

    private func storeSecrets(in ledger: TestLedger, under key: MasterKey) throws {
        let vault = try KeyVault(store: ledger.store, masterKey: key, now: time)
        try vault.setSecret(SecretValue(Self.apiKey), named: .llmAPIKey, for: accountOne, now: time)
        try vault.setSecret(SecretValue(Self.apiKey + "-2"), named: .llmAPIKey, for: accountTwo, now: time)
        try vault.setSecret(SecretValue(privateKeyOne), named: .hyperliquidAgentKey, for: accountTwo, now: time)
    }
}
