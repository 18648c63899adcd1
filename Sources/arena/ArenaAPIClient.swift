import ArgumentParser
import Foundation
import HTTP

/// Where the running server is and how to authenticate: the options of every client command.
struct ClientOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server's base URL; default ARENA_URL, else http://127.0.0.1:8080.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp(
        "The admin token for mutating commands; default ARENA_ADMIN_TOKEN (prefer it: an argument shows in process lists).",
        valueName: "token"))
    var token: String?

    @Flag(help: "Print the server's JSON answer instead of a summary.")
    var json = false

    /// The base URL, without a trailing slash.
    var baseURL: String {
        let given = url ?? ProcessInfo.processInfo.environment["ARENA_URL"] ?? "http://127.0.0.1:8080"
        return given.hasSuffix("/") ? String(given.dropLast()) : given
    }

    /// The admin token, if one is given; blank counts as none.
    var adminToken: String? {
        let given = token ?? ProcessInfo.processInfo.environment["ARENA_ADMIN_TOKEN"]
        guard let given, !given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return given.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A refusal or failure, worded as what to do next. ArgumentParser prints it and exits 1.
struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// The server's answer: status, raw text and the decoded JSON object.
struct ClientAnswer {
    let status: Int
    let text: String
    let object: [String: Any]
}

/// Calls the arena's HTTP API over the project's libcurl client.
struct ArenaAPIClient {
    let options: ClientOptions

    /// Sends one request and returns the answer when its status is 2xx (and 422 when `accepting422`).
    /// - Throws: `ClientError` naming what to do: start the server, set a token, or fix the request.
    func send(_ method: HTTPRequest.Method, _ path: String, body: [String: Any]? = nil, admin: Bool = false,
              accepting422: Bool = false) async throws -> ClientAnswer {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/json")
        if admin {
            guard let token = options.adminToken else {
                throw ClientError(description: "This command needs the admin token: set ARENA_ADMIN_TOKEN (or pass --token) to the token the server was started with.")
            }
            headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        var bytes: [UInt8] = []
        if let body {
            headers.add(name: "Content-Type", value: "application/json")
            bytes = Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        }
        let url = options.baseURL + path
        let client: HTTPClient
        do {
            client = try HTTPClient()
        } catch {
            throw ClientError(description: "Could not start the HTTP client: \(error)")
        }
        defer { client.shutdown() }
        let response: HTTPResponse
        do {
            response = try await client.execute(HTTPRequest(method: method, url: url, headers: headers, body: bytes,
                                                            timeout: .seconds(30), connectTimeout: .seconds(5)))
        } catch let error as HTTPClientError {
            switch error.code {
            case .connectionFailed:
                throw ClientError(description: """
                    No arena server answers at \(options.baseURL). Start one with `arena serve` (or `make run`), \
                    or point --url or ARENA_URL at the running server.
                    """)
            case .timedOut:
                throw ClientError(description: "The server at \(options.baseURL) did not answer in time; check that it is running and not overloaded.")
            case .invalidRequest:
                throw ClientError(description: "\(options.baseURL) is not a usable URL: give --url or ARENA_URL as http://HOST:PORT.")
            default:
                throw ClientError(description: "The request to \(options.baseURL) failed: \(error)")
            }
        }
        let text = response.bodyText
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        let message = (object["error"] as? String) ?? String(text.prefix(300))
        switch response.status {
        case 200..<300:
            return ClientAnswer(status: response.status, text: text, object: object)
        case 422 where accepting422:
            return ClientAnswer(status: response.status, text: text, object: object)
        case 401:
            throw ClientError(description: """
                The server refused the admin token (401: \(message)) Set ARENA_ADMIN_TOKEN (or --token) to the token \
                `arena serve` was started with, or to one named in its ARENA_ADMIN_TOKENS_FILE.
                """)
        case 403:
            throw ClientError(description: """
                The server forbids this (403: \(message)) A read token cannot change anything: use a token with the admin \
                role; if the server has no admin token, restart it with ARENA_ADMIN_TOKEN set.
                """)
        case 400..<500:
            throw ClientError(description: "The server refused the request (\(response.status)): \(message)")
        default:
            throw ClientError(description: "The server failed (\(response.status)): \(message) Its log says more.")
        }
    }
}

/// Prints `answer` as indented JSON, or its raw text if it is not JSON.
func printJSON(_ answer: ClientAnswer) {
    if let data = try? JSONSerialization.data(withJSONObject: answer.object, options: [.prettyPrinted, .sortedKeys]),
       !answer.object.isEmpty {
        print(String(decoding: data, as: UTF8.self))
    } else {
        print(answer.text)
    }
}

/// A field as text: `-` for null or missing, numbers without a trailing `.0`.
func cell(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: return "-"
    case let text as String: return text
    case let number as NSNumber:
        // JSONSerialization gives booleans as one-byte NSNumbers.
        if String(cString: number.objCType) == "c" { return number.boolValue ? "yes" : "no" }
        let double = number.doubleValue
        if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
        return String(format: "%.2f", double)
    case let list as [Any]: return list.map { cell($0) }.joined(separator: ",")
    default: return "\(value ?? "-")"
    }
}

/// A terminal table: a header row, a rule, and the rows, each column as wide as its widest cell.
func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
        for (index, text) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], text.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, text in text.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
}
