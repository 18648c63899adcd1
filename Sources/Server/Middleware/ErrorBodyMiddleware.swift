import Hummingbird

/// Gives Hummingbird's own errors (a body that does not decode, a body too large, a path
/// parameter of the wrong type) the API's error shape, `{"error": "..."}`, with their status.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            throw APIError(error.status, error.body ?? "\(error.status.reasonPhrase).")
        }
    }
}
