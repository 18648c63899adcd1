import ArenaTestSupport
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
    private let child: ChildProcess

    private init(port: Int, child: ChildProcess) {
        self.port = port
        self.child = child
    }

    /// Starts a server and waits until it listens.
    static func start() async throws -> FakeServer {
        let child = try ChildProcess.python(script: script)
        // The first line the script prints is its port.
        guard let line = await child.waitForLine(), let port = Int(line) else {
            throw FakeServerError.didNotStart
        }
        return FakeServer(port: port, child: child)
    }

    /// Returns the URL of a path on this server.
    func url(_ pathAndQuery: String) -> String {
        "http://127.0.0.1:\(port)\(pathAndQuery)"
    }

    /// Reads the server's counters over a connection of its own, independent of the client under test.
    func statistics() async throws -> Statistics {
        let port = port
        let data = try await onOwnThread {
            try Loopback.exchange(port: port, request: Array("GET /stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)).body
        }
        return try JSONDecoder().decode(Statistics.self, from: Data(data))
    }

    enum FakeServerError: Error {
        case didNotStart
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
