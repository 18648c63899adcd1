import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The repository's root folder (the one holding Package.swift).
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        url.deleteLastPathComponent()
    }
    return url
}()

/// The `arena` executable built beside the test bundle.
let arenaExecutable: URL? = {
    guard let testBinary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    var folder = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
    if folder.lastPathComponent == "MacOS" { folder = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    let candidate = folder.appendingPathComponent("arena")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

struct ArenaProcessError: Error, CustomStringConvertible {
    let description: String
}

/// `arena serve` as a real subprocess on a free loopback port with its own database.
final class ArenaProcess: @unchecked Sendable {
    // Touched only by the test that owns the process, and by the output reader under `lock`.
    let process = Process()
    let folder: URL
    let databasePath: String
    private let lock = NSLock()
    private var output = ""
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `arena serve` with `arguments` added, and waits until it listens. The waits suspend
    /// rather than sleep: a blocked thread of the two-thread task pool would stall every test.
    init(arguments: [String] = [], environment: [String: String] = [:], timeout: TimeInterval = 60) async throws {
        guard let executable = arenaExecutable else {
            throw ArenaProcessError(description: "the arena executable is not built next to the tests; run make test")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("arena-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        databasePath = folder.appendingPathComponent("arena.sqlite").path
        process.executableURL = executable
        process.currentDirectoryURL = folder
        var processEnvironment = ProcessInfo.processInfo.environment
        for name in ["ARENA_ADMIN_TOKEN", "ARENA_ADMIN_TOKEN_FILE", "ARENA_MASTER_KEY", "ARENA_MASTER_KEY_FILE"] {
            processEnvironment.removeValue(forKey: name)
        }
        processEnvironment.merge(environment) { _, given in given }
        process.environment = processEnvironment
        process.arguments = ["serve", "--port", "0", "--db", databasePath,
                             "--migrations", repositoryRoot.appendingPathComponent("migrations").path,
                             "--static", repositoryRoot.appendingPathComponent("static").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // A plain read loop: Foundation's readabilityHandler traps on EINTR.
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        let reader = Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    guard let self else { return }
                    self.lock.lock()
                    self.output += String(decoding: buffer[0..<count], as: UTF8.self)
                    self.lock.unlock()
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = listeningPort() {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ArenaProcessError(description: "arena serve did not start listening; its output:\n\(log)")
    }

    var log: String {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    private func listeningPort() -> Int? {
        let text = log
        guard let range = text.range(of: "arena listening on http://127.0.0.1:") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// Sends SIGTERM without waiting (for `defer`); `deinit` kills what is still running.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    func stop(timeout: TimeInterval = 20) async -> Int32? {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: folder)
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
