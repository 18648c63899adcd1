import Arena
import Foundation
import Hummingbird

/// Decodes every request body strictly: a field no body type reads is refused with a 400 that
/// names it, instead of being dropped (an `api_key` inside `driver` once left an account
/// calling its model without a key).
struct StrictRequestDecoder: RequestDecoder {
    func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try JSON.decodeStrictly(T.self, from: Data(buffer.readableBytesView))
        } catch let error as UnknownFieldError {
            throw APIError(.badRequest, "Unknown field \(error.path.prefix(120)): remove it or check its spelling against the API's documentation.")
        }
    }
}
