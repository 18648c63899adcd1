import ArgumentParser
import Custody
import Foundation
import Hyperliquid
import Server
import Storage

/// `arena tokens`: the named admin tokens of `ARENA_ADMIN_TOKENS_FILE`.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Make admin tokens and the lines of ARENA_ADMIN_TOKENS_FILE (name role sha256hex).",
        subcommands: [TokensHashCommand.self, TokensNewCommand.self])
}

/// `arena tokens hash`: prints the SHA-256 of a token read from standard input.
struct TokensHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Read a token on standard input (one line; surrounding blanks dropped) and print its SHA-256 in hex.",
        discussion: """
            The token is read from standard input, not from an argument, so it stays out of shell history and process \
            lists. Put the hash in ARENA_ADMIN_TOKENS_FILE as: name role hash (role admin or read).
            """)

    @Option(help: "With a name, print the whole tokens-file line: NAME ROLE HASH.")
    var name: String?

    @Option(help: "The role for --name: admin or read.")
    var role: AdminRole = .admin

    func run() throws {
        let token = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw ValidationError("standard input holds no token.") }
        let hash = TokenDigest.sha256Hex(of: token)
        print(try line(hash: hash, name: name, role: role))
    }
}

/// `arena tokens new`: makes a random token and prints it with its tokens-file line.
struct TokensNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Make a random token (32 bytes, hex) and print it, then its line for ARENA_ADMIN_TOKENS_FILE.",
        discussion: "The token is printed once and stored nowhere: give it to its user, and add the line to the tokens file.")

    @Option(help: "The token's name, as the audit shows it (letters, digits, '.', '_', '-').")
    var name: String

    @Option(help: "admin (every admin endpoint) or read (GET admin endpoints only, for dashboards).")
    var role: AdminRole = .read

    func run() throws {
        // SystemRandomNumberGenerator reads the kernel's CSPRNG (getrandom) on Linux.
        var generator = SystemRandomNumberGenerator()
        let token = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let entry = try line(hash: TokenDigest.sha256Hex(of: token), name: name, role: role)
        print("token: \(token)")
        print("line:  \(entry)")
    }
}

extension AdminRole: ExpressibleByArgument {}

/// The tokens-file line for a hash, or the hash alone without a name.
private func line(hash: String, name: String?, role: AdminRole) throws -> String {
    guard let name else { return hash }
    let text = "\(name) \(role.rawValue) \(hash)"
    do {
        _ = try AdminCredentials(tokensFile: text)
    } catch {
        throw ValidationError("\(error)")
    }
    return text
}
