import Arena
import ArenaCore
import ArenaTestSupport
import ArenaTestSupportLedger
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Market
@testable import Server
import Testing

/// `static/openapi.json` against the server: the routes the router registers and the document's
/// operations must be the same set, method and path, in both directions.
@Suite("the API document")
struct OpenAPITests {
    /// Every operation of the document as `METHOD /path`, and the document itself.
    static func documentedOperations() throws -> (operations: Set<String>, document: [String: Any]) {
        let data = try Data(contentsOf: packageFile("static/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        var operations = Set<String>()
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "\(path) is not an object")
            for key in item.keys where methods.contains(key) { operations.insert("\(key.uppercased()) \(path)") }
        }
        return (operations, document)
    }

    /// Every route of the server's router as `METHOD /path`, path parameters as `{name}`.
    static func registeredOperations() throws -> Set<String> {
        let test = try TestLedger()
        let logger = Logger(label: "openapi-test")
        let runtime = try ArenaRuntime(ledger: test.ledger, source: try SimulatedMarket(seed: 1, start: Timestamp(milliseconds: 1_700_000_000_000)),
                                       configuration: ArenaConfiguration(), logger: logger,
                                       drivers: DriverEnvironment(llm: nil, localModel: nil, variables: [:]),
                                       liveVenue: try LiveVenue(environment: [:]))
        let router = buildRouter(arena: runtime, configuration: ServerConfiguration(port: 0, staticFolder: packageFile("static").path,
                                                                                  adminToken: AdminToken("route-listing-token")),
                                 logger: logger)
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    @Test("every registered route is documented, and every documented operation is a registered route")
    func routesMatchTheDocument() throws {
        let registered = try Self.registeredOperations()
        let documented = try Self.documentedOperations().operations
        #expect(registered.count > 20, "the router lists \(registered.count) routes")
        let undocumented = registered.subtracting(documented).sorted()
        let unserved = documented.subtracting(registered).sorted()
        #expect(undocumented.isEmpty, "routes missing from static/openapi.json: \(undocumented)")
        #expect(unserved.isEmpty, "operations in static/openapi.json that the server does not serve: \(unserved)")
    }

    @Test("every operation says what it answers, and every $ref names a schema that exists")
    func operationsAreComplete() throws {
        let (_, document) = try Self.documentedOperations()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        for (path, item) in paths {
            for (method, operation) in try #require(item as? [String: Any]) {
                guard let operation = operation as? [String: Any], method != "parameters" else { continue }
                let responses = operation["responses"] as? [String: Any] ?? [:]
                #expect(responses.keys.contains { $0.hasPrefix("2") || $0 == "101" }, "\(method) \(path) documents no success response")
                for parameter in operation["parameters"] as? [[String: Any]] ?? [] where parameter["in"] as? String == "path" {
                    let name = parameter["name"] as? String ?? ""
                    #expect(path.contains("{\(name)}"), "\(method) \(path) declares path parameter \(name) that its path lacks")
                }
            }
        }
        let text = String(decoding: try Data(contentsOf: packageFile("static/openapi.json")), as: UTF8.self)
        let references = text.components(separatedBy: "\"#/components/schemas/").dropFirst().map { part in String(part.prefix { $0 != "\"" }) }
        #expect(!references.isEmpty)
        for name in Set(references) { #expect(schemas[name] != nil, "$ref to a missing schema \(name)") }
    }

    @Test("/openapi.json and the /docs page that renders it are served")
    func documentAndDocsAreServed() async throws {
        let arena = try await ArenaProcess(arguments: ["--market", "sim"])
        defer { arena.terminate() }
        let (status, document) = try await arena.getJSON("/openapi.json")
        #expect(status == 200)
        #expect(document["openapi"] as? String == "3.1.0")
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: arena.baseURL + "/docs")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let page = String(decoding: data, as: UTF8.self)
        #expect(page.contains("/openapi.json"), "the /docs page loads the document")
        #expect(!page.contains("http://") && !page.contains("https://"), "the /docs page loads nothing from the internet")
    }
}
