import ArenaTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `arena` executable built beside the test bundle.
let arenaExecutable = builtProduct("arena")

struct ArenaProcessError: Error, CustomStringConvertible {
    let description: String
}

/// `arena serve` as a real subprocess on a free loopback port with its own database.
final class ArenaProcess: Sendable {
    let child: ChildProcess
    let folder: TemporaryFolder
    let databasePath: String
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `arena serve` with `arguments` added, and waits until it listens. The waits suspend
    /// rather than sleep: a blocked thread of the two-thread task pool would stall every test.
    /// - Parameter database: An existing database to serve (a restart); a new one in the process's folder when nil.
    init(arguments: [String] = [], environment: [String: String] = [:], timeout: TimeInterval = 60, database: String? = nil) async throws {
        guard let executable = arenaExecutable else {
            throw ArenaProcessError(description: "the arena executable is not built next to the tests; run make test")
        }
        folder = try TemporaryFolder(prefix: "arena-serve")
        databasePath = database ?? folder.path("arena.sqlite")
        var processEnvironment = ProcessInfo.processInfo.environment
        for name in ["ARENA_ADMIN_TOKEN", "ARENA_ADMIN_TOKEN_FILE", "ARENA_MASTER_KEY", "ARENA_MASTER_KEY_FILE"] {
            processEnvironment.removeValue(forKey: name)
        }
        // Each server would otherwise start its own llama.cpp with the demo roster's local model:
        // a gigabyte and a core per test server. The local-model tests start it on purpose.
        processEnvironment["ARENA_LOCAL_MODEL"] = "off"
        processEnvironment.merge(environment) { _, given in given }
        child = try ChildProcess(executable: executable,
                                 arguments: ["serve", "--port", "0", "--db", databasePath,
                                             "--migrations", packageMigrations,
                                             "--static", packageFile("static").path] + arguments,
                                 environment: processEnvironment, directory: folder.url, errorOutput: .mergedIntoOutput)
        let listening = await child.waitForOutput(timeout: .seconds(timeout)) { text -> Int? in
            guard let range = text.range(of: "arena listening on http://127.0.0.1:") else { return nil }
            return Int(text[range.upperBound...].prefix { $0.isNumber })
        }
        guard let listening else {
            child.terminate()
            throw ArenaProcessError(description: "arena serve did not start listening; its output:\n\(child.output)")
        }
        port = listening
    }

    /// Everything the process wrote so far, standard output and error together.
    var log: String { child.output }

    /// Sends SIGTERM without waiting (for `defer`); the child is killed if still running when this goes away.
    func terminate() {
        child.terminate()
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    func stop(timeout: TimeInterval = 20) async -> Int32? {
        await child.stop(timeout: .seconds(timeout))
    }

    /// Sends a request and returns the status and the decoded JSON object (empty if none).
    func send(_ method: String, _ path: String, body: String? = nil, token: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: try #require(URL(string: baseURL + path)))
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (status, object)
    }

    /// GETs `path` and returns the status and the decoded JSON object.
    func getJSON(_ path: String) async throws -> (Int, [String: Any]) {
        let url = try #require(URL(string: baseURL + path))
        let (data, response) = try await URLSession.shared.data(from: url)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (status, object)
    }
}

import Testing
