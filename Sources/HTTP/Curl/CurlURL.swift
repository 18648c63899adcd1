import CCurl

/// Parses request URLs with libcurl's own parser, so that validation agrees with the transfer.
enum CurlURL {
    /// Returns the safe-to-show parts of the request's URL.
    /// - Throws: `HTTPClientError.Code.invalidRequest` when the URL is not an absolute http or
    ///   https URL with a host.
    static func target(of request: HTTPRequest) throws(HTTPClientError) -> RequestTarget {
        CurlGlobal.ensureInitialized()
        let invalid = HTTPClientError(
            code: .invalidRequest,
            target: nil,
            detail: "\(request.method.rawValue) request: the URL is not a valid absolute http or https URL with a host"
        )
        guard !request.url.utf8.contains(0), let handle = curl_url() else { throw invalid }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, request.url, 0) == CURLUE_OK else { throw invalid }
        guard
            let scheme = part(handle, CURLUPART_SCHEME)?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = part(handle, CURLUPART_HOST), !host.isEmpty,
            let portText = part(handle, CURLUPART_PORT, flags: UInt32(CURLU_DEFAULT_PORT)),
            let port = Int(portText)
        else { throw invalid }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return RequestTarget(method: request.method.rawValue, scheme: scheme, host: bareHost.lowercased(), port: port)
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart, flags: UInt32 = 0) -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &pointer, flags) == CURLUE_OK, let pointer else { return nil }
        defer { curl_free(pointer) }
        return String(cString: pointer)
    }
}

/// Runs `curl_global_init` exactly once, before any other libcurl call in the process.
enum CurlGlobal {
    private static let initializationResult: Int = Int(CCurl_global_init_default().rawValue)

    /// Initializes libcurl on first use; later calls return at once.
    static func ensureInitialized() {
        // A failure here means libcurl cannot work at all (out of memory at start-up); every
        // later handle creation fails and reports its own error.
        _ = initializationResult
    }
}
