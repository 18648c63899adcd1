import Arena
import Hummingbird

/// A JSON body with its status.
struct JSONResponse: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let json: String

    /// - Throws: `EncodingError` when the value cannot be encoded (the client then gets a 500).
    init<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws {
        self.status = status
        json = try JSON.encodeResponse(value)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}

/// An error answer: `{"error": "..."}` with a status, for bad input and missing things.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse(["error": message], status: status).response(from: request, context: context)
    }
}

