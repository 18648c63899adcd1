import CCurl

/// The curl thread's loop: adds queued transfers to the multi handle, drives them with
/// `curl_multi_perform`, hands finished ones back, and sleeps in `curl_multi_poll` until a socket,
/// a libcurl timer or `curl_multi_wakeup` needs it. Lives and dies on the curl thread.
final class CurlLoop {
    /// What the curl thread keeps for one transfer in flight.
    private final class Active {
        let transfer: Transfer
        let handle: CurlEasyHandle
        let accumulator: ResponseAccumulator
        let headerList: CurlStringList

        init(transfer: Transfer, handle: CurlEasyHandle, accumulator: ResponseAccumulator, headerList: CurlStringList) {
            self.transfer = transfer
            self.handle = handle
            self.accumulator = accumulator
            self.headerList = headerList
        }
    }

    private let engine: CurlEngine
    private var activeByHandle: [UnsafeMutableRawPointer: Active] = [:]
    private var handleByTransfer: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]
    private var idleHandles: [CurlEasyHandle] = []

    init(engine: CurlEngine) {
        self.engine = engine
    }

    func run() {
        while true {
            let inbox = engine.takeInbox()
            for transfer in inbox.submissions {
                add(transfer)
            }
            for transfer in inbox.cancellations {
                remove(transfer)
            }
            if inbox.isShutDown {
                failEverything()
                break
            }
            var running: Int32 = 0
            _ = curl_multi_perform(engine.multi, &running)
            collectFinished()
            engine.activeTransferCount.store(activeByHandle.count, ordering: .relaxed)
            // libcurl shortens the wait to its own next timer; the bound only limits how long a
            // lost wake-up could delay us.
            _ = curl_multi_poll(engine.multi, nil, 0, activeByHandle.isEmpty ? 5_000 : 1_000, nil)
        }
        engine.activeTransferCount.store(0, ordering: .relaxed)
        engine.hasStopped.store(true, ordering: .releasing)
    }

    // MARK: - Adding

    private func add(_ transfer: Transfer) {
        // Cancelled between queueing and now: nothing to do, the caller has been resumed.
        guard !transfer.isFinished else { return }
        guard let handle = idleHandles.popLast() ?? CurlEasyHandle() else {
            transfer.finish(.failure(HTTPClientError(code: .transportFailure, target: transfer.target, detail: "libcurl could not create an easy handle")))
            return
        }
        let accumulator = ResponseAccumulator(
            maximumBodyBytes: transfer.maximumResponseBytes,
            maximumHeaderBytes: engine.settings.maximumResponseHeaderBytes
        )
        let headerList = CurlStringList()
        if let failure = configure(handle, for: transfer, accumulator: accumulator, headerList: headerList) {
            recycle(handle)
            transfer.finish(.failure(failure))
            return
        }
        let added = curl_multi_add_handle(engine.multi, handle.pointer)
        guard added == CURLM_OK else {
            recycle(handle)
            transfer.finish(.failure(HTTPClientError(code: .transportFailure, target: transfer.target, detail: "libcurl refused the transfer (multi error \(added.rawValue))")))
            return
        }
        activeByHandle[handle.pointer] = Active(transfer: transfer, handle: handle, accumulator: accumulator, headerList: headerList)
        handleByTransfer[ObjectIdentifier(transfer)] = handle.pointer
    }

    /// Sets every option for one attempt; returns an error instead of throwing to keep the loop
    /// free of control flow through errors.
    private func configure(_ handle: CurlEasyHandle, for transfer: Transfer, accumulator: ResponseAccumulator, headerList: CurlStringList) -> HTTPClientError? {
        let request = transfer.request
        let settings = engine.settings
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) {
            if code != CURLE_OK, failed == CURLE_OK { failed = code }
        }
        check(handle.set(CURLOPT_URL, request.url))
        check(handle.set(CURLOPT_PROTOCOLS_STR, "http,https"))
        // Signals cannot be used for timeouts in a threaded process.
        check(handle.set(CURLOPT_NOSIGNAL, 1))
        check(handle.set(CURLOPT_HTTP_VERSION, CCurl_http_version_1_1()))
        check(handle.set(CURLOPT_FOLLOWLOCATION, 0))
        check(handle.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout)))
        check(handle.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)))
        check(handle.set(CURLOPT_SSL_VERIFYPEER, 1))
        check(handle.set(CURLOPT_SSL_VERIFYHOST, 2))
        check(handle.set(CURLOPT_TCP_KEEPALIVE, 1))
        check(handle.set(CURLOPT_USERAGENT, settings.userAgent))
        if settings.acceptsCompressedResponses {
            // An empty string offers every encoding this libcurl can decode.
            check(handle.set(CURLOPT_ACCEPT_ENCODING, ""))
        }
        if transfer.maximumResponseBytes > 0 {
            // Refuses early when Content-Length already says too much; the write callback
            // enforces the limit for chunked bodies.
            check(handle.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(transfer.maximumResponseBytes)))
        }
        if !request.isIdempotent, !request.method.isIdempotentByDefinition {
            // libcurl silently resends a request whose reused connection turns out dead; a
            // fresh connection rules that out for requests that must not run twice.
            check(handle.set(CURLOPT_FRESH_CONNECT, 1))
        }

        let context = Unmanaged.passUnretained(accumulator).toOpaque()
        check(CCurl_easy_setopt_writefunction(handle.pointer) { data, size, count, context in
            guard let context else { return 0 }
            let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context).takeUnretainedValue()
            return accumulator.appendBody(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        check(handle.set(CURLOPT_WRITEDATA, pointer: context))
        check(CCurl_easy_setopt_headerfunction(handle.pointer) { data, size, count, context in
            guard let context else { return 0 }
            let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context).takeUnretainedValue()
            return accumulator.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        check(handle.set(CURLOPT_HEADERDATA, pointer: context))

        switch request.method {
        case .get:
            check(handle.set(CURLOPT_HTTPGET, 1))
        case .head:
            check(handle.set(CURLOPT_NOBODY, 1))
        case .post, .put, .patch, .delete, .options:
            if request.method != .post {
                check(handle.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue))
            }
            if request.method == .post || !request.body.isEmpty {
                check(handle.set(CURLOPT_POST, 1))
                check(handle.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(request.body.count)))
                // The size is set first, so libcurl copies exactly that many bytes, NULs included.
                request.body.withUnsafeBytes { bytes in
                    var empty: UInt8 = 0
                    if let base = bytes.baseAddress {
                        check(handle.set(CURLOPT_COPYPOSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: base)))
                    } else {
                        check(handle.set(CURLOPT_COPYPOSTFIELDS, pointer: &empty))
                    }
                }
            }
        }

        var lines: [String] = []
        for field in request.headers {
            // "Name;" is libcurl's way to send a field with an empty value.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if !request.headers.contains(name: "Expect") {
            // Without this, libcurl waits up to a second for "100 Continue" before large bodies.
            lines.append("Expect:")
        }
        if !request.body.isEmpty, !request.headers.contains(name: "Content-Type") {
            // Without this, libcurl labels every body as a URL-encoded form.
            lines.append("Content-Type:")
        }
        for line in lines where !headerList.append(line) {
            return HTTPClientError(code: .transportFailure, target: transfer.target, detail: "libcurl could not store the request header fields")
        }
        check(handle.set(CURLOPT_HTTPHEADER, list: headerList))

        guard failed == CURLE_OK else {
            return HTTPClientError(
                code: failed == CURLE_UNKNOWN_OPTION || failed == CURLE_NOT_BUILT_IN ? .transportFailure : .invalidRequest,
                target: transfer.target,
                detail: "libcurl rejected an option (\(Self.describe(failed)))",
                curlCode: Int(failed.rawValue)
            )
        }
        return nil
    }

    // MARK: - Finishing

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(engine.multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let pointer = message.pointee.easy_handle else { continue }
            let result = CCurl_msg_result(message)
            guard let active = detach(pointer) else { continue }
            let outcome = Self.outcome(of: result, active: active)
            recycle(active.handle)
            active.transfer.finish(outcome)
        }
    }

    /// Drops a cancelled transfer; its caller has already been resumed.
    private func remove(_ transfer: Transfer) {
        guard let pointer = handleByTransfer[ObjectIdentifier(transfer)], let active = detach(pointer) else { return }
        recycle(active.handle)
    }

    private func failEverything() {
        for pointer in Array(activeByHandle.keys) {
            guard let active = detach(pointer) else { continue }
            active.transfer.finish(.failure(HTTPClientError(code: .clientShutDown, target: active.transfer.target, detail: "the HTTP client was shut down")))
        }
        // Submissions that raced with shutdown were taken together with the shutdown flag and
        // added above; they have just been failed as well.
        idleHandles.removeAll()
    }

    private func detach(_ pointer: UnsafeMutableRawPointer) -> Active? {
        guard let active = activeByHandle.removeValue(forKey: pointer) else { return nil }
        handleByTransfer[ObjectIdentifier(active.transfer)] = nil
        _ = curl_multi_remove_handle(engine.multi, pointer)
        return active
    }

    private func recycle(_ handle: CurlEasyHandle) {
        guard idleHandles.count < engine.settings.maximumIdleEasyHandles else { return }
        handle.reset()
        idleHandles.append(handle)
    }

    private static func outcome(of result: CURLcode, active: Active) -> Result<HTTPResponse, HTTPClientError> {
        let handle = active.handle
        let accumulator = active.accumulator
        let target = active.transfer.target
        let newConnections = handle.info(CURLINFO_NUM_CONNECTS)
        if result == CURLE_OK {
            let response = HTTPResponse(
                status: handle.info(CURLINFO_RESPONSE_CODE),
                headers: accumulator.headers,
                body: accumulator.body,
                metrics: HTTPRequestMetrics(newConnections: newConnections)
            )
            return .success(response)
        }
        // libcurl records how far the attempt got; a request that was never written cannot have
        // had an effect, whatever the method.
        let mayHaveReachedServer = handle.info(CURLINFO_REQUEST_SIZE) > 0 || handle.info(offset: CURLINFO_PRETRANSFER_TIME_T) > 0
        let libcurlText = describe(result)
        func error(_ code: HTTPClientError.Code, _ detail: String, sent: Bool = mayHaveReachedServer) -> HTTPClientError {
            HTTPClientError(code: code, target: target, detail: "\(detail) (libcurl: \(libcurlText))", requestMayHaveReachedServer: sent, curlCode: Int(result.rawValue))
        }
        switch result {
        case CURLE_WRITE_ERROR where accumulator.exceededBodyLimit, CURLE_FILESIZE_EXCEEDED:
            return .failure(error(.responseTooLarge, "the response body exceeded the limit of \(active.transfer.maximumResponseBytes) bytes"))
        case CURLE_WRITE_ERROR where accumulator.exceededHeaderLimit:
            return .failure(error(.responseTooLarge, "the response header fields exceeded the limit of \(accumulator.maximumHeaderBytes) bytes"))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR:
            return .failure(error(.connectionFailed, "no connection could be made", sent: false))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(error(.timedOut, mayHaveReachedServer ? "the request timed out" : "the connection timed out"))
        case CURLE_GOT_NOTHING:
            return .failure(error(.connectionLost, "the server closed the connection without answering", sent: true))
        case CURLE_PARTIAL_FILE:
            return .failure(error(.connectionLost, "the connection closed before the whole body arrived", sent: true))
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            return .failure(error(.connectionLost, "the connection broke during the exchange"))
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CIPHER, CURLE_USE_SSL_FAILED:
            return .failure(error(.tlsFailure, "the TLS peer could not be verified", sent: false))
        case CURLE_WEIRD_SERVER_REPLY, CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .failure(error(.malformedResponse, "the server's reply was not valid HTTP"))
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(error(.invalidRequest, "libcurl refused the URL", sent: false))
        default:
            return .failure(error(.transportFailure, "the transfer failed"))
        }
    }

    private static func describe(_ code: CURLcode) -> String {
        // curl_easy_strerror returns fixed texts that never hold request data.
        guard let text = curl_easy_strerror(code) else { return "error \(code.rawValue)" }
        return String(cString: text)
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let components = duration.components
        let total = components.seconds.multipliedReportingOverflow(by: 1_000)
        guard !total.overflow, components.seconds < Int64(Int32.max) else { return Int(Int32.max) }
        return max(1, Int(total.partialValue + components.attoseconds / 1_000_000_000_000_000))
    }
}
