import CCurl

/// Owns one libcurl easy handle. Created, used and freed only on the curl thread, so it needs no
/// locking and is deliberately not Sendable.
final class CurlEasyHandle {
    let pointer: UnsafeMutableRawPointer

    init?() {
        CurlGlobal.ensureInitialized()
        guard let pointer = curl_easy_init() else { return nil }
        self.pointer = pointer
    }

    deinit {
        curl_easy_cleanup(pointer)
    }

    /// Clears every option so the handle can serve another request; the multi handle keeps the
    /// connection cache, so reuse of connections does not depend on reuse of easy handles.
    func reset() {
        curl_easy_reset(pointer)
    }

    func set(_ option: CURLoption, _ value: Int) -> CURLcode {
        CCurl_easy_setopt_long(pointer, option, value)
    }

    func set(_ option: CURLoption, _ value: String) -> CURLcode {
        // libcurl copies string options (since 7.17), so the temporary C string may go away.
        CCurl_easy_setopt_str(pointer, option, value)
    }

    func set(_ option: CURLoption, offset value: Int64) -> CURLcode {
        CCurl_easy_setopt_off_t(pointer, option, curl_off_t(value))
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) -> CURLcode {
        CCurl_easy_setopt_ptr(pointer, option, value)
    }

    func set(_ option: CURLoption, list: CurlStringList) -> CURLcode {
        CCurl_easy_setopt_slist(pointer, option, list.head)
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        return CCurl_easy_getinfo_long(pointer, info, &value) == CURLE_OK ? value : 0
    }

    func info(offset info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        return CCurl_easy_getinfo_off_t(pointer, info, &value) == CURLE_OK ? Int64(value) : 0
    }
}

/// Owns a `curl_slist` (request header lines); freed once the transfer is done with it.
final class CurlStringList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    init() {}

    deinit {
        curl_slist_free_all(head)
    }

    /// Appends a line; returns false when libcurl could not allocate it.
    func append(_ line: String) -> Bool {
        guard let newHead = curl_slist_append(head, line) else { return false }
        head = newHead
        return true
    }
}

/// Collects one response's header fields and body on the curl thread, within limits.
final class ResponseAccumulator {
    let maximumBodyBytes: Int
    let maximumHeaderBytes: Int
    private(set) var body: [UInt8] = []
    private(set) var headers = HTTPHeaders()
    private(set) var exceededBodyLimit = false
    private(set) var exceededHeaderLimit = false
    private var headerBytes = 0

    init(maximumBodyBytes: Int, maximumHeaderBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumHeaderBytes = maximumHeaderBytes
    }

    /// Returns the number of bytes taken; anything else makes libcurl abort the transfer.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard bytes.count <= maximumBodyBytes - body.count else {
            exceededBodyLimit = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Takes one header line as libcurl delivers it (with its line ending); returns the number of
    /// bytes taken.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Int {
        headerBytes += bytes.count
        guard headerBytes <= maximumHeaderBytes else {
            exceededHeaderLimit = true
            return 0
        }
        let line = String(decoding: bytes, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new status line: interim (1xx) responses' fields are dropped.
            headers = HTTPHeaders()
            return bytes.count
        }
        let trimmed = line.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return bytes.count }
        if let first = line.utf8.first, first == 0x20 || first == 0x09 {
            // Obsolete line folding: the line continues the previous field's value.
            var fields = Array(headers)
            if var last = fields.popLast() {
                last.value += " " + trimmed
                headers = HTTPHeaders(fields.map { ($0.name, $0.value) } + [(last.name, last.value)])
            }
            return bytes.count
        }
        if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon]).trimmingASCIIWhitespace()
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingASCIIWhitespace()
            headers.add(name: name, value: value)
        }
        return bytes.count
    }
}
