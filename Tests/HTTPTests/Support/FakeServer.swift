import Foundation
import Testing

/// A scripted HTTP/1.1 server on 127.0.0.1 (Python's ThreadingHTTPServer in a child process),
/// standing in for a model provider or an exchange. It exits when our end of its stdin closes, so
/// a crashed test run leaves no server behind.
final class FakeServer: Sendable {
    struct Statistics: Decodable, Sendable {
        /// The most requests the server was handling at one time.
        let maximumConcurrent: Int
        /// The connections that carried at least one request other than /stats.
        let connections: Int
        /// The requests seen per path, /stats excluded.
        let hits: [String: Int]
        /// The requests being handled right now, /stats excluded.
        let current: Int

        enum CodingKeys: String, CodingKey {
            case maximumConcurrent = "max_concurrent"
            case connections
            case hits
            case current
        }
    }

    let port: Int
    private let process: Process
    private let input: Pipe

    private init(port: Int, process: Process, input: Pipe) {
        self.port = port
        self.process = process
        self.input = input
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    /// Starts a server and waits until it listens.
    static func start() async throws -> FakeServer {
        try await offThePool { try startBlocking() }
    }

    private static func startBlocking() throws -> FakeServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The first line the script prints is its port.
        var line: [UInt8] = []
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { break }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw FakeServerError.didNotStart
        }
        return FakeServer(port: port, process: process, input: input)
    }

    /// Returns the URL of a path on this server.
    func url(_ pathAndQuery: String) -> String {
        "http://127.0.0.1:\(port)\(pathAndQuery)"
    }

    /// Reads the server's counters over a connection of its own.
    func statistics() async throws -> Statistics {
        let port = port
        let data = try await Self.offThePool { try Self.plainGet(port: port, path: "/stats") }
        return try JSONDecoder().decode(Statistics.self, from: data)
    }

    /// A minimal blocking HTTP/1.0 GET over a socket, independent of the client under test.
    private static func plainGet(port: Int, path: String) throws -> Data {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw FakeServerError.socketFailed }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw FakeServerError.socketFailed }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard send(socketDescriptor, request, request.count, 0) == request.count else { throw FakeServerError.socketFailed }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(socketDescriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        guard let separator = received.firstRange(of: Array("\r\n\r\n".utf8)) else { throw FakeServerError.socketFailed }
        return Data(received[separator.upperBound...])
    }

    /// Runs blocking work on a thread of its own: the cooperative pool has only two threads
    /// here, and blocking one of them would stall the client's continuations under test.
    private static func offThePool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    enum FakeServerError: Error {
        case didNotStart
        case socketFailed
    }

    private static let script = #"""
import http.server, json, os, sys, threading, time
from urllib.parse import urlparse, parse_qs

lock = threading.Lock()
state = {"current": 0, "max_concurrent": 0, "connections": 0, "hits": {}, "keys": {}}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/stats":
            with lock:
                data = json.dumps({k: state[k] for k in ("current", "max_concurrent", "connections", "hits")}).encode()
            self.reply(200, data, [("Content-Type", "application/json")])
            return
        with lock:
            if not getattr(self, "counted", False):
                self.counted = True
                state["connections"] += 1
            state["current"] += 1
            state["max_concurrent"] = max(state["max_concurrent"], state["current"])
            state["hits"][url.path] = state["hits"].get(url.path, 0) + 1
            key = query.get("key", "")
            seen = state["keys"].get(key, 0)
            state["keys"][key] = seen + 1
        try:
            self.route(url.path, query, body, seen)
        finally:
            with lock:
                state["current"] -= 1

    def route(self, path, query, body, seen):
        if path == "/ok":
            self.reply(200, b"ok", [("Content-Type", "text/plain")])
        elif path == "/echo":
            data = json.dumps({
                "method": self.command,
                "path": self.path,
                "body": body.decode("latin-1"),
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }).encode()
            self.reply(200, data, [("Content-Type", "application/json")])
        elif path == "/delay":
            time.sleep(int(query.get("ms", "0")) / 1000.0)
            self.reply(200, b"done")
        elif path == "/status":
            self.reply(int(query["code"]), b"status body")
        elif path == "/flaky":
            if seen < int(query.get("times", "1")):
                headers = []
                if "retry_after" in query:
                    headers.append(("Retry-After", query["retry_after"]))
                self.reply(int(query.get("code", "500")), b"not yet", headers)
            else:
                self.reply(200, b"recovered")
        elif path == "/drop":
            if seen < int(query.get("times", "1")):
                self.close_connection = True
                return
            self.reply(200, b"recovered")
        elif path == "/truncate":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
        elif path == "/bytes":
            self.reply(200, b"x" * int(query["n"]))
        elif path == "/chunked":
            remaining = int(query["n"])
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while remaining > 0:
                size = min(remaining, 1024)
                self.wfile.write(b"%x\r\n" % size + b"y" * size + b"\r\n")
                remaining -= size
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.reply(404, b"no such path")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up on purpose (timeouts, cancellations) are expected here

    request_queue_size = 1024
    allow_reuse_address = True

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)

def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)

threading.Thread(target=exit_when_parent_goes, daemon=True).start()
server.serve_forever()
"""#
}
