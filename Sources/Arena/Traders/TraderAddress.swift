import Drivers

extension TraderAddress {
    /// Returns `text` as a stored address (lowercased), or throws saying what is wrong with it.
    /// - Throws: `ArenaError.invalidRequest` naming the problem.
    public static func parse(_ text: some StringProtocol) throws -> String {
        let text = String(text)
        guard let address = TraderAddress(text) else { throw ArenaError.invalidRequest(problem(with: text) + ".") }
        return address.text
    }
}
