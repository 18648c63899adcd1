import Hummingbird

extension Request {
    /// Decodes the body as `type` like `decode(as:context:)`, or returns nil for an empty body:
    /// for routes whose body is optional (a DELETE that may carry a reason).
    func decodeIfPresent<T: Decodable>(as type: T.Type, context: some RequestContext) async throws -> T? {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        var copy = self
        copy.body = RequestBody(buffer: buffer)
        return try await copy.decode(as: type, context: context)
    }
}
