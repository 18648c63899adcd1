/// The name of a secret within its account: 1 to 64 lowercase ASCII letters, digits or underscores.
public struct SecretName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `rawValue`.
    /// - Throws: `CustodyError.invalidSecretName`.
    public init(_ rawValue: String) throws(CustodyError) {
        guard (1...64).contains(rawValue.utf8.count),
              rawValue.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 })
        else { throw .invalidSecretName }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    /// The API key of an LLM provider.
    public static let llmAPIKey = SecretName(known: "llm_api_key")
    /// The private key of the Hyperliquid agent (API) wallet that signs the account's orders; its
    /// address is kept as the public hint.
    public static let hyperliquidAgentKey = SecretName(known: "hyperliquid_agent_key")
    /// The address of the Hyperliquid master account the agent trades for. Public, but kept with the
    /// secrets so an account's credentials live together; the address is also the public hint.
    public static let hyperliquidMasterAddress = SecretName(known: "hyperliquid_master_address")

    /// The secrets an account can have; accounts are given no others.
    public static let accountSecrets: [SecretName] = [.llmAPIKey, .hyperliquidAgentKey, .hyperliquidMasterAddress]

    /// The account secret named `text`.
    /// - Throws: `CustodyError.invalidSecretName` for any other name.
    public static func accountSecret(_ text: String) throws(CustodyError) -> SecretName {
        guard let name = accountSecrets.first(where: { $0.rawValue == text }) else { throw .invalidSecretName }
        return name
    }

    public var description: String { rawValue }
    public static func < (a: SecretName, b: SecretName) -> Bool { a.rawValue < b.rawValue }
}
