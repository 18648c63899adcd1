import Custody
import Foundation
import Hummingbird
import Hyperliquid
import Storage

/// Who presented an admin token: the token's name and what it may do.
public struct AdminIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The token's name, as the tokens file gives it; what the audit stores.
    public let name: String
    /// Admin (everything) or read (GET only).
    public let role: AdminRole

    /// Creates an identity.
    public init(name: String, role: AdminRole) {
        self.name = name
        self.role = role
    }

    public var description: String { "\(name) (\(role.rawValue))" }
}

/// The admin tokens the server accepts, each under a name and a role, held only as SHA-256
/// digests so that neither memory dumps nor descriptions hold a usable token.
///
/// A tokens file (`ARENA_ADMIN_TOKENS_FILE`) has one token a line, `name role sha256hex`: a name
/// of letters, digits, `.`, `_` or `-` (at most 64), the role `admin` or `read`, and the SHA-256
/// of the token's UTF-8 bytes in hex (`arena tokens hash` prints it). Blank lines and lines
/// starting with `#` are ignored; names are unique.
public struct AdminCredentials: Sendable, CustomStringConvertible {
    struct Entry: Sendable {
        let identity: AdminIdentity
        let digest: [UInt8]
    }

    private(set) var entries: [Entry]

    /// No tokens: the admin API is off.
    public init() { entries = [] }

    /// One token, under `name` with the admin role: what `ARENA_ADMIN_TOKEN` gives.
    public init(token: AdminToken, name: String = "admin") {
        entries = [Entry(identity: AdminIdentity(name: name, role: .admin), digest: TokenDigest.sha256(token.bytes))]
    }

    /// Why a tokens file was refused; names the line, never quotes it.
    public struct FileError: Error, Sendable, CustomStringConvertible {
        /// The message.
        public let description: String
    }

    /// Parses a tokens file's text.
    /// - Throws: `FileError` naming the first bad line and what is wrong with it.
    public init(tokensFile text: String) throws(FileError) {
        entries = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let number = index + 1
            guard fields.count == 3 else {
                throw FileError(description: "line \(number) must be three fields: name role sha256hex")
            }
            let name = String(fields[0])
            guard Self.isValidName(name) else {
                throw FileError(description: "line \(number): the name must be 1 to 64 letters, digits, '.', '_' or '-'")
            }
            guard let role = AdminRole(rawValue: String(fields[1])) else {
                throw FileError(description: "line \(number): the role must be admin or read")
            }
            guard let digest = Hex.decode(fields[2], byteCount: TokenDigest.byteCount), !fields[2].hasPrefix("0x") else {
                throw FileError(description: "line \(number): the hash must be 64 hex characters (arena tokens hash prints it)")
            }
            try add(Entry(identity: AdminIdentity(name: name, role: role), digest: digest))
        }
    }

    /// Adds the tokens of `other`.
    /// - Throws: `FileError` when a name is in both.
    public mutating func merge(_ other: AdminCredentials) throws(FileError) {
        for entry in other.entries { try add(entry) }
    }

    private mutating func add(_ entry: Entry) throws(FileError) {
        guard !entries.contains(where: { $0.identity.name == entry.identity.name }) else {
            throw FileError(description: "the token name \(entry.identity.name) is given twice")
        }
        entries.append(entry)
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || (48...57).contains(scalar.value) || scalar == "." || scalar == "_" || scalar == "-")
        }
    }

    /// Whether no token is configured.
    public var isEmpty: Bool { entries.isEmpty }

    /// The names and roles configured, by name (never a digest).
    public var identities: [AdminIdentity] { entries.map(\.identity).sorted { $0.name < $1.name } }

    /// Returns the identity whose token `presented` is, or nil. Every entry is compared, in
    /// constant time, whatever matched, so timing tells neither which token nor how close.
    func identify(_ presented: String) -> AdminIdentity? {
        let digest = TokenDigest.sha256(Array(presented.utf8))
        var found: AdminIdentity?
        for entry in entries where TokenDigest.equal(entry.digest, digest) {
            found = entry.identity
        }
        return found
    }

    public var description: String { "AdminCredentials(\(identities.map(\.description).joined(separator: ", ")))" }
}

/// A request context that carries the admin identity the request was authenticated as.
protocol AdminRequestContext: RequestContext {
    /// Who presented the request's admin token; nil before authentication and on open routes.
    var adminIdentity: AdminIdentity? { get set }
}
