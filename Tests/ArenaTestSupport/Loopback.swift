import Foundation

/// Plain blocking sockets on 127.0.0.1, independent of the HTTP and WebSocket code under test:
/// raw requests, WebSocket handshakes, free ports. Call them from `onOwnThread` in async tests.
public enum Loopback {
    /// A socket call that failed, with errno's text.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed and why.
        public let description: String

        init(_ call: String, errno code: Int32 = errno) {
            let hint = code == EMFILE ? " (raise the open-file limit: ulimit -n)" : ""
            description = "\(call) failed: \(String(cString: strerror(code)))\(hint)"
        }

        init(description: String) { self.description = description }
    }

    /// A TCP socket connected to 127.0.0.1:`port`; the caller closes it.
    public static func connectTCP(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket()") }
        var address = address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let failure = Failure("connect() to 127.0.0.1:\(port)")
            close(descriptor)
            throw failure
        }
        return descriptor
    }

    /// A socket listening on a free port of 127.0.0.1 with `backlog`; the caller closes it.
    public static func listener(backlog: Int32 = 16) throws -> (descriptor: Int32, port: Int) {
        let (descriptor, port) = try bound()
        guard listen(descriptor, backlog) == 0 else {
            let failure = Failure("listen()")
            close(descriptor)
            throw failure
        }
        return (descriptor, port)
    }

    /// A port on 127.0.0.1 where nothing listens (bound to find it, then released).
    public static func unusedPort() throws -> Int {
        let (descriptor, port) = try bound()
        close(descriptor)
        return port
    }

    /// Writes all of `bytes` to a socket or pipe, through partial writes and interruptions.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                sent += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                throw Failure("write()")
            }
        }
    }

    /// Reads until the peer closes the connection (or an error ends it).
    public static func readToEnd(_ descriptor: Int32) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                received += buffer[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return received
            }
        }
    }

    /// Reads up to the end of an HTTP head (CRLF CRLF): the head and the bytes already read after it.
    public static func readHead(_ descriptor: Int32) throws -> (head: [UInt8], rest: [UInt8]) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(description: "the server closed the connection before the end of the HTTP head") }
            received += buffer[0..<count]
            if let end = received.firstRange(of: headEnd) {
                return (Array(received[..<end.lowerBound]), Array(received[end.upperBound...]))
            }
        }
    }

    /// Sends `request` (a whole HTTP request, for a server that closes after answering) on a new
    /// connection to `port` and returns the response's head and body, read to the close.
    public static func exchange(port: Int, request: [UInt8]) throws -> (head: String, body: [UInt8]) {
        let descriptor = try connectTCP(port: port)
        defer { close(descriptor) }
        try writeAll(request, to: descriptor)
        let response = readToEnd(descriptor)
        guard let end = response.firstRange(of: headEnd) else { throw Failure(description: "no HTTP head in the response") }
        return (String(decoding: response[..<end.lowerBound], as: UTF8.self), Array(response[end.upperBound...]))
    }

    /// Opens a connection to `port` and completes a WebSocket handshake for `path`: the socket and
    /// the bytes that came after the server's head (the first frames, perhaps).
    public static func connectWebSocket(port: Int, path: String) throws -> (descriptor: Int32, leftover: [UInt8]) {
        let descriptor = try connectTCP(port: port)
        do {
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            try writeAll(Array(request.utf8), to: descriptor)
            let (head, rest) = try readHead(descriptor)
            guard head.starts(with: Array("HTTP/1.1 101".utf8)) else { throw Failure(description: "the server refused the upgrade") }
            return (descriptor, rest)
        } catch {
            close(descriptor)
            throw error
        }
    }

    private static let headEnd: [UInt8] = [13, 10, 13, 10]

    private static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A socket bound to a free port of 127.0.0.1, and that port.
    private static func bound() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket()") }
        var address = address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else {
            let failure = Failure("bind()")
            close(descriptor)
            throw failure
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
