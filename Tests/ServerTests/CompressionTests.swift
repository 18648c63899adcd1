import ArenaTestSupport
import CompressNIO
import Foundation
import NIOCore
import Testing
@testable import Server

/// One HTTP/1.1 exchange over a plain socket, so the test sees the bytes as sent (URLSession
/// would decompress them).
func rawGET(port: Int, path: String, headers: [String] = []) throws -> (head: String, body: [UInt8]) {
    let request = (["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Connection: close"] + headers + ["", ""]).joined(separator: "\r\n")
    let response = try Loopback.exchange(port: port, request: Array(request.utf8))
    return (response.head.lowercased(), response.body)
}

@Suite("compressed API bodies")
struct CompressionTests {
    @Test("Accept-Encoding is read as RFC 9110 says: gzip or *, unless q=0")
    func acceptEncoding() {
        #expect(EncodedJSONResponse.acceptsGzip(["gzip, deflate, br"]))
        #expect(EncodedJSONResponse.acceptsGzip(["br;q=1.0, GZIP;q=0.5"]))
        #expect(EncodedJSONResponse.acceptsGzip(["*"]))
        #expect(!EncodedJSONResponse.acceptsGzip(["gzip;q=0"]))
        #expect(!EncodedJSONResponse.acceptsGzip(["deflate", "br"]))
        #expect(!EncodedJSONResponse.acceptsGzip([]))
        #expect(!EncodedJSONResponse.acceptsGzip(["gzipx"]))
    }

    @Test("the leaderboard goes gzip to clients that accept it, plain to the others, with the same content")
    func leaderboardGzip() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim", "--seed", "5", "--speed", "4"])
        defer { arena.terminate() }
        var total = 0
        let deadline = Date().addingTimeInterval(20)
        while total < 6 && Date() < deadline {
            total = try await arena.getJSON("/api/leaderboard").1["total"] as? Int ?? 0
            try await Task.sleep(for: .milliseconds(200))
        }
        let plain = try rawGET(port: arena.port, path: "/api/leaderboard?limit=20")
        #expect(plain.head.hasPrefix("http/1.1 200"))
        #expect(!plain.head.contains("content-encoding"))
        #expect(plain.head.contains("vary: accept-encoding"))
        let compressed = try rawGET(port: arena.port, path: "/api/leaderboard?limit=20", headers: ["Accept-Encoding: gzip, deflate"])
        #expect(compressed.head.contains("content-encoding: gzip"))
        #expect(compressed.body.count < plain.body.count)
        var buffer = ByteBuffer(bytes: compressed.body)
        let inflated = try buffer.decompress(with: .gzip())
        let fromGzip = try #require(try JSONSerialization.jsonObject(with: Data(inflated.readableBytesView)) as? [String: Any])
        let fromPlain = try #require(try JSONSerialization.jsonObject(with: Data(plain.body)) as? [String: Any])
        #expect(fromGzip["total"] as? Int == fromPlain["total"] as? Int)
        #expect((fromGzip["entries"] as? [[String: Any]])?.count == (fromPlain["entries"] as? [[String: Any]])?.count)
        #expect(fromGzip["sharpe_basis"] as? String == fromPlain["sharpe_basis"] as? String)
        #expect((fromPlain["sharpe_basis"] as? String)?.contains("annualised") == true)
    }
}
