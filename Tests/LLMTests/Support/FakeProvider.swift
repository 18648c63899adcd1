import ArenaTestSupport
import Foundation
import LLM
import Testing

/// A scripted model provider on 127.0.0.1 (Python's ThreadingHTTPServer in a child process) that
/// speaks just enough of OpenAI's and Anthropic's APIs. Each test uses its own channel, the first
/// path segment (`/CHANNEL/v1/chat/completions`), so tests run side by side on one server.
///
/// A channel's script is a queue of steps; each request takes the next (or the channel's
/// default when the queue is empty): reply with a status, headers and body after a delay, drop
/// the connection, or promise more body than it sends. The server exits when our end of its
/// stdin closes.
final class FakeProvider: Sendable {
    /// One scripted reply.
    struct Step: Encodable, Sendable {
        var status = 200
        var body = ""
        var delay = 0.0
        var headers: [String: String] = [:]
        /// Close the connection without answering.
        var drop = false
        /// Send a Content-Length larger than the body, then close.
        var truncate = false
    }

    /// A request as the server saw it.
    struct Seen: Decodable, Sendable {
        var path: String
        var headers: [String: String]
        var body: String
    }

    let port: Int
    private let child: ChildProcess

    private init(port: Int, child: ChildProcess) {
        self.port = port
        self.child = child
    }

    /// The process-wide server, started on first use.
    static func shared() async throws -> FakeProvider {
        try await SharedServer.instance.get()
    }

    private actor SharedServer {
        static let instance = SharedServer()
        var server: FakeProvider?
        func get() async throws -> FakeProvider {
            if let server { return server }
            let started = try await FakeProvider.start()
            server = started
            return started
        }
    }

    /// Starts a server and waits until it listens.
    static func start() async throws -> FakeProvider {
        let child = try ChildProcess.python(script: script)
        guard let line = await child.waitForLine(), let port = Int(line) else {
            throw FakeProviderError.didNotStart
        }
        return FakeProvider(port: port, child: child)
    }

    /// The base URL of a channel (what an account's `base_url` would be).
    func baseURL(_ channel: String) -> String { "http://127.0.0.1:\(port)/\(channel)/v1" }

    /// Queues steps on a channel, and sets the reply used when the queue is empty.
    func script(_ channel: String, _ steps: [Step], otherwise fallback: Step? = nil) async throws {
        struct Script: Encodable { var steps: [Step]; var fallback: Step? }
        let body = try JSONEncoder().encode(Script(steps: steps, fallback: fallback))
        _ = try await control("POST", "/_script/\(channel)", body: body)
    }

    /// The requests a channel has received, oldest first.
    func requests(_ channel: String) async throws -> [Seen] {
        try JSONDecoder().decode([Seen].self, from: try await control("GET", "/_requests/\(channel)", body: nil))
    }

    /// The most requests a channel had in progress at once.
    func maximumConcurrent(_ channel: String) async throws -> Int {
        let data = try await control("GET", "/_concurrency/\(channel)", body: nil)
        return Int(String(decoding: data, as: UTF8.self)) ?? -1
    }

    /// A control request over a plain socket, independent of the client under test.
    private func control(_ method: String, _ path: String, body: Data?) async throws -> Data {
        let port = port
        let request = Array("\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: \(body?.count ?? 0)\r\n\r\n".utf8)
            + Array(body ?? Data())
        return Data(try await onOwnThread { try Loopback.exchange(port: port, request: request).body })
    }

    enum FakeProviderError: Error {
        case didNotStart
    }

    private static let script = #"""
import http.server, json, os, socket, sys, threading, time

lock = threading.Lock()
scripts, fallbacks, seen, current, peak = {}, {}, {}, {}, {}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass

    def send_body(self, code, body, headers=None, declared=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(declared if declared is not None else len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        with lock:
            if parts[0] == "_requests":
                return self.send_body(200, json.dumps(seen.get(parts[1], [])))
            if parts[0] == "_concurrency":
                return self.send_body(200, str(peak.get(parts[1], 0)))
        self.send_body(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        parts = self.path.strip("/").split("/")
        if parts[0] == "_script":
            document = json.loads(body)
            with lock:
                scripts[parts[1]] = list(document["steps"])
                fallbacks[parts[1]] = document.get("fallback")
                seen[parts[1]] = []
                peak[parts[1]] = 0
            return self.send_body(200, "{}")
        channel = parts[0]
        with lock:
            seen.setdefault(channel, []).append({"path": "/" + "/".join(parts[1:]), "headers": dict(self.headers.items()), "body": body})
            queue = scripts.get(channel, [])
            step = queue.pop(0) if queue else fallbacks.get(channel)
            current[channel] = current.get(channel, 0) + 1
            peak[channel] = max(peak.get(channel, 0), current[channel])
        try:
            if step is None:
                return self.send_body(500, '{"error": "no script for this channel"}')
            if step.get("delay"):
                time.sleep(step["delay"])
            if step.get("drop"):
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if step.get("truncate"):
                data = step["body"].encode()
                self.close_connection = True
                return self.send_body(step.get("status", 200), data, step.get("headers"), declared=len(data) + 100)
            self.send_body(step.get("status", 200), step.get("body", ""), step.get("headers"))
        finally:
            with lock:
                current[channel] -= 1

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
os._exit(0)
"""#
}

/// Reply bodies as providers write them.
enum ProviderReply {
    /// An OpenAI chat completion whose message calls the decision tool with `arguments`.
    static func openAITool(_ arguments: String, promptTokens: Int = 1_000, completionTokens: Int = 100, reasoning: String? = nil) -> String {
        var message: [String: Any] = [
            "role": "assistant", "content": NSNull(),
            "tool_calls": [["id": "call_1", "type": "function", "function": ["name": "submit_decision", "arguments": arguments]]],
        ]
        if let reasoning { message["reasoning_content"] = reasoning }
        return json(["id": "chatcmpl-1", "object": "chat.completion", "model": "test",
                     "choices": [["index": 0, "message": message, "finish_reason": "tool_calls"]],
                     "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens]])
    }

    /// An OpenAI chat completion whose message is plain text.
    static func openAIText(_ text: String, promptTokens: Int = 1_000, completionTokens: Int = 100) -> String {
        json(["id": "chatcmpl-2", "object": "chat.completion", "model": "test",
              "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
              "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens]])
    }

    /// An Anthropic message that calls the decision tool with `input` (a JSON object's text).
    static func anthropicTool(_ input: String, inputTokens: Int = 900, outputTokens: Int = 80) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(input.utf8))) ?? [:]
        return json(["id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4",
                     "content": [["type": "thinking", "thinking": "Weighing the trend."],
                                 ["type": "tool_use", "id": "toolu_1", "name": "submit_decision", "input": object]],
                     "stop_reason": "tool_use", "usage": ["input_tokens": inputTokens, "output_tokens": outputTokens]])
    }

    /// An Anthropic message whose answer is plain text.
    static func anthropicText(_ text: String, inputTokens: Int = 900, outputTokens: Int = 80) -> String {
        json(["id": "msg_2", "type": "message", "role": "assistant", "model": "claude-sonnet-4",
              "content": [["type": "text", "text": text]],
              "stop_reason": "end_turn", "usage": ["input_tokens": inputTokens, "output_tokens": outputTokens]])
    }

    static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
