import ArenaCore
import ArgumentParser
import Custody
import Foundation
import Storage

/// `arena keys`: the master key that encrypts every stored secret (LLM API keys, wallet keys).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, check and rotate the master key that encrypts the stored secrets.",
        subcommands: [KeysInitCommand.self, KeysRotateCommand.self, KeysCheckCommand.self])
}

/// `arena keys init`: writes a new random master key to a file only its owner can read.
struct KeysInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new master key file (mode 0600); never overwrites an existing file.")

    @Option(name: .customLong("key-file"), help: "Where to write the key (default: $XDG_CONFIG_HOME/arena/master.key or ~/.config/arena/master.key).")
    var keyFile: String?

    @Flag(name: .customLong("show-key"), help: "Also print the key (64 hex characters, for ARENA_MASTER_KEY). Anyone who sees it can read every secret.")
    var showKey = false

    func run() throws {
        let path = try absolutePath(keyFile ?? defaultKeyFilePath())
        let key = try MasterKey.createKeyFile(at: path)
        print("Created the master key file \(path) (mode 0600, fingerprint \(key.fingerprint)).")
        print("Start arena with it:  ARENA_MASTER_KEY_FILE=\(path) arena serve")
        print("Keep a copy somewhere safe: without this key the stored secrets cannot be read.")
        if showKey {
            print("The key (set ARENA_MASTER_KEY to it instead of using the file):")
            print(key.revealHex())
        }
    }
}

/// `arena keys rotate`: re-encrypts every secret under a new master key in one transaction.
struct KeysRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Re-encrypt every secret under a new master key, all or nothing. Stop arena serve first.",
        discussion: """
            The current key comes from --key-file, else ARENA_MASTER_KEY or ARENA_MASTER_KEY_FILE. The new key comes \
            from --new-key-file (create it with arena keys init --key-file PATH), else ARENA_NEW_MASTER_KEY.
            """)

    @Option(help: "The SQLite database file.")
    var db = "data/arena.sqlite"

    @Option(name: .customLong("key-file"), help: "The current master key file (default: ARENA_MASTER_KEY or ARENA_MASTER_KEY_FILE).")
    var keyFile: String?

    @Option(name: .customLong("new-key-file"), help: "The new master key file (default: ARENA_NEW_MASTER_KEY).")
    var newKeyFile: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let store = try openExistingDatabase(db)
        defer { try? store.database.close() }
        let currentKey = try currentMasterKey(keyFile: keyFile, environment: environment)
        let newKey = try newMasterKey(environment: environment)
        let vault = try KeyVault(store: store, masterKey: currentKey, now: now())
        let (rotated, count, webhooks) = try vault.rotateAll(to: newKey, now: now())
        let alsoWebhooks = webhooks == 0 ? "" : " and \(webhooks) alert webhook\(webhooks == 1 ? "" : "s")"
        print("Re-encrypted \(count) secret\(count == 1 ? "" : "s")\(alsoWebhooks) under the new master key (fingerprint \(rotated.keyFingerprint)); the old key (fingerprint \(currentKey.fingerprint)) no longer opens this database.")
        if let newKeyFile {
            print("Start arena with the new key:  ARENA_MASTER_KEY_FILE=\(try absolutePath(newKeyFile)) arena serve")
        } else {
            print("Start arena with the new key in ARENA_MASTER_KEY.")
        }
        print("Keep the old key only as long as you keep backups of this database made before the rotation.")
    }

    private func newMasterKey(environment: [String: String]) throws -> MasterKey {
        let inline = environment[newMasterKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (newKeyFile, inline) {
        case (.some, .some):
            throw ValidationError("Give the new key either with --new-key-file or in \(newMasterKeyVariable), not both.")
        case (.some(let path), .none):
            return try MasterKey(contentsOfFile: path)
        case (.none, .some(let hex)):
            return try MasterKey(hex: hex, source: newMasterKeyVariable)
        case (.none, .none):
            throw ValidationError("No new master key: pass --new-key-file PATH (create one with arena keys init --key-file PATH) or set \(newMasterKeyVariable).")
        }
    }
}

/// `arena keys check`: tells whether a master key is the database's and every secret opens.
struct KeysCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a master key belongs to a database and that every stored secret decrypts.")

    @Option(help: "The SQLite database file.")
    var db = "data/arena.sqlite"

    @Option(name: .customLong("key-file"), help: "The master key file (default: ARENA_MASTER_KEY or ARENA_MASTER_KEY_FILE).")
    var keyFile: String?

    func run() throws {
        let store = try openExistingDatabase(db)
        defer { try? store.database.close() }
        guard try store.hasCustodyTable() else { throw CustodyError.databaseNotMigrated }
        let key = try currentMasterKey(keyFile: keyFile, environment: ProcessInfo.processInfo.environment)
        guard try store.custodyCheck() != nil else {
            print("No master key is recorded for this database yet; it will belong to the first key arena serve starts with (this one has fingerprint \(key.fingerprint)).")
            return
        }
        let vault = try KeyVault(store: store, masterKey: key, now: now())
        let count = try store.secretCount()
        let unreadable = try vault.unreadableSecrets()
        print("The master key (fingerprint \(vault.keyFingerprint)) is this database's; it holds \(count) secret\(count == 1 ? "" : "s").")
        let unreadableWebhooks = try vault.unreadableAlertWebhookIDs()
        for id in unreadableWebhooks { print("unreadable: alert webhook \(id)") }
        guard unreadable.isEmpty else {
            for secret in unreadable { print("unreadable: secret \(secret.name) of account \(secret.accountID)") }
            throw ValidationError("\(unreadable.count) secret(s) do not decrypt; set them again.")
        }
        guard unreadableWebhooks.isEmpty else {
            throw ValidationError("\(unreadableWebhooks.count) alert webhook(s) do not decrypt; remove them (DELETE /api/alerts/webhooks/ID) and add them again.")
        }
    }
}

/// The current master key: from `--key-file`, else from the environment.
private func currentMasterKey(keyFile: String?, environment: [String: String]) throws -> MasterKey {
    if let keyFile { return try MasterKey(contentsOfFile: keyFile) }
    guard let key = try resolveMasterKey(environment: environment) else {
        throw ValidationError("No master key: pass --key-file PATH or set \(masterKeyFileVariable) (or \(masterKeyVariable)). Create one with arena keys init.")
    }
    return key
}

/// The ledger of a database that must already exist (a mistyped path must not create an empty one).
private func openExistingDatabase(_ path: String) throws -> LedgerStore {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("The database \(path) does not exist; pass --db PATH.")
    }
    return LedgerStore(database: try ArenaDatabase(path: path))
}

/// `$XDG_CONFIG_HOME/arena/master.key`, else `~/.config/arena/master.key`.
private func defaultKeyFilePath() throws -> String {
    let environment = ProcessInfo.processInfo.environment
    if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/arena/master.key" }
    if let home = environment["HOME"], !home.isEmpty { return home + "/.config/arena/master.key" }
    throw ValidationError("Neither XDG_CONFIG_HOME nor HOME is set; pass --key-file PATH.")
}

private func absolutePath(_ path: String) throws -> String {
    if path.hasPrefix("/") { return path }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardizedFileURL.path
}

private func now() -> Timestamp {
    SystemClock().now()
}
