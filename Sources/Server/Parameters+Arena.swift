import ArenaCore
import Hummingbird

extension Parameters {
    /// A path parameter that names an account.
    /// - Throws: `APIError` (400) unless it is a positive integer.
    func accountID(_ name: String = "id") throws -> AccountID {
        guard let raw = try? require(name, as: Int64.self), raw > 0 else {
            throw APIError(.badRequest, "The account id must be a positive integer.")
        }
        return AccountID(raw)
    }
}
