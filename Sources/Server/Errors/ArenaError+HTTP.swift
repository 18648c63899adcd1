import Arena
import Hummingbird

/// The arena's errors choose their own HTTP status, so handlers throw them as they come.
extension ArenaError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .invalidRoster, .invalidAccount, .unknownDriver, .invalidRequest: .badRequest
        case .notFound: .notFound
        case .conflict: .conflict
        case .localModel: .serviceUnavailable
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(status, description).response(from: request, context: context)
    }
}
