/// One outbound HTTP request: what to send and the limits that apply to one attempt.
public struct HTTPRequest: Sendable {
    /// The request method.
    public enum Method: String, Sendable, CaseIterable {
        case get = "GET"
        case head = "HEAD"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case delete = "DELETE"
        case options = "OPTIONS"

        /// Whether repeating the method has the effect of sending it once (RFC 9110, 9.2.2).
        public var isIdempotentByDefinition: Bool {
            switch self {
            case .get, .head, .put, .delete, .options: true
            case .post, .patch: false
            }
        }
    }

    /// The request method.
    public var method: Method
    /// The absolute `http` or `https` URL. It may carry secrets in its query, so errors never show
    /// more than its scheme, host and port.
    public var url: String
    /// The request header fields. They may carry API keys and never appear in errors.
    public var headers: HTTPHeaders
    /// The request body; empty for none.
    public var body: [UInt8]
    /// The longest one attempt may take, from start to the last body byte.
    public var timeout: Duration
    /// The longest establishing a connection (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// The largest response body accepted; nil uses the client's default.
    public var maximumResponseBytes: Int?
    /// Whether sending the request twice is harmless, so a retry after the request may have
    /// reached the server is safe. A POST is idempotent only when the caller says so, for example
    /// a Hyperliquid order carrying a client order id.
    public var isIdempotent: Bool
    /// The key that groups requests under one concurrency limit; nil uses `scheme://host:port`.
    public var hostKey: String?

    /// Creates a request.
    /// - Parameters:
    ///   - method: The request method; GET by default.
    ///   - url: The absolute `http` or `https` URL.
    ///   - headers: The header fields to send.
    ///   - body: The body bytes; empty for none.
    ///   - timeout: The limit for one whole attempt; 60 seconds by default.
    ///   - connectTimeout: The limit for establishing a connection; 10 seconds by default.
    ///   - maximumResponseBytes: The largest accepted response body; nil uses the client's default.
    ///   - isIdempotent: Whether a retry is safe after the request may have reached the server; nil
    ///     takes the method's definition (GET, HEAD, PUT, DELETE, OPTIONS yes; POST, PATCH no).
    ///   - hostKey: The concurrency-limit key; nil uses `scheme://host:port`.
    public init(
        method: Method = .get,
        url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        timeout: Duration = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        maximumResponseBytes: Int? = nil,
        isIdempotent: Bool? = nil,
        hostKey: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.isIdempotent = isIdempotent ?? method.isIdempotentByDefinition
        self.hostKey = hostKey
    }
}

extension HTTPRequest {
    /// Checks the parts libcurl would otherwise accept silently or misread.
    func validate(target: RequestTarget) throws(HTTPClientError) {
        for field in headers {
            guard Self.isToken(field.name) else {
                throw HTTPClientError(code: .invalidRequest, target: target, detail: "a header name is empty or holds characters outside the HTTP token set")
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw HTTPClientError(code: .invalidRequest, target: target, detail: "a header value holds a line break or a NUL character")
            }
        }
        guard timeout > .zero, connectTimeout > .zero else {
            throw HTTPClientError(code: .invalidRequest, target: target, detail: "the timeouts must be positive")
        }
        if let maximumResponseBytes, maximumResponseBytes < 0 {
            throw HTTPClientError(code: .invalidRequest, target: target, detail: "the maximum response size must not be negative")
        }
        if method == .head || method == .get, !body.isEmpty {
            throw HTTPClientError(code: .invalidRequest, target: target, detail: "a \(method.rawValue) request cannot carry a body")
        }
    }

    private static func isToken(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
