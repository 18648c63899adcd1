import Foundation
import Synchronization

/// A child process for tests and benchmarks: the Python fakes, `arena` itself, a benchmark's helper.
///
/// Its output is read by plain `read` loops on threads of their own (Foundation's
/// `readabilityHandler` traps on EINTR), and every wait suspends the calling task: a blocked
/// thread of the two-thread task pool would stall every other test. What is still running when
/// the value goes away is killed; closing its standard input first lets the fakes exit cleanly.
public final class ChildProcess: @unchecked Sendable {
    // `Process` is used from the owner's task and read (isRunning, status) from waits; Foundation
    // guards its own state. Everything else here is immutable or behind a Mutex.

    /// Where the child's standard error goes.
    public enum ErrorOutput: Sendable {
        /// Read separately: `errorOutput`.
        case captured
        /// Into the same pipe as standard output: `output` holds both.
        case mergedIntoOutput
        /// Shared with this process's standard error.
        case inherited
    }

    private let process: Process
    private let input: Pipe
    private let standardOutput: CapturedStream
    private let standardError: CapturedStream?

    /// Starts `executable` with `arguments`; `environment` nil inherits this process's.
    public init(executable: URL, arguments: [String] = [], environment: [String: String]? = nil, directory: URL? = nil,
                errorOutput: ErrorOutput = .captured) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        input = Pipe()
        process.standardInput = input
        let outputPipe = Pipe()
        process.standardOutput = outputPipe
        var errorPipe: Pipe?
        switch errorOutput {
        case .captured:
            let pipe = Pipe()
            process.standardError = pipe
            errorPipe = pipe
        case .mergedIntoOutput:
            process.standardError = outputPipe
        case .inherited:
            process.standardError = FileHandle.standardError
        }
        try process.run()
        standardOutput = CapturedStream(reading: outputPipe.fileHandleForReading)
        standardError = errorPipe.map { CapturedStream(reading: $0.fileHandleForReading) }
    }

    /// Starts `python3 -u -c script` (the system Python, found on PATH) with `arguments` after the script.
    public static func python(script: String, arguments: [String] = [], errorOutput: ErrorOutput = .inherited) throws -> ChildProcess {
        try ChildProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", "-u", "-c", script] + arguments,
                         errorOutput: errorOutput)
    }

    deinit {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The child's process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }

    /// The exit status, once the child has exited.
    public var terminationStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// What the child wrote to standard output so far (and standard error, when merged).
    public var output: String { standardOutput.text }

    /// What the child wrote to standard error so far, when captured.
    public var errorOutput: String { standardError?.text ?? "" }

    // MARK: Input

    /// Writes `data` to the child's standard input from a thread of its own (a full pipe cannot
    /// block the caller), then closes the input if asked.
    public func send(_ data: Data, thenClose close: Bool = true) {
        let handle = input.fileHandleForWriting
        Thread.detachNewThread {
            try? Loopback.writeAll([UInt8](data), to: handle.fileDescriptor)
            if close { try? handle.close() }
        }
    }

    /// Closes the child's standard input (the fakes exit when it closes).
    public func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    // MARK: Waits (all suspend)

    /// Waits until `find` finds something in the output so far; nil if the output ended, the
    /// task was cancelled or `timeout` (nil: no limit) passed first.
    public func waitForOutput<Found>(timeout: Duration? = .seconds(60), _ find: (String) -> Found?) async -> Found? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            let (text, ended) = standardOutput.state
            if let found = find(text) { return found }
            if ended || Task.isCancelled { return nil }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits for the first complete output line that satisfies `predicate`; nil as `waitForOutput`.
    public func waitForLine(timeout: Duration? = .seconds(60), where predicate: (String) -> Bool = { _ in true }) async -> String? {
        await waitForOutput(timeout: timeout) { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().lazy.map(String.init).first(where: predicate)
        }
    }

    /// Waits for the child to exit and its output to be read to the end; returns the exit status,
    /// or nil if `timeout` passed first.
    @discardableResult
    public func exited(timeout: Duration? = nil) async -> Int32? {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while process.isRunning {
            if let deadline, ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // The readers end at EOF, shortly after the exit (later if a grandchild holds the pipe).
        let grace = ContinuousClock.now + .seconds(5)
        while !(standardOutput.ended && (standardError?.ended ?? true)) && ContinuousClock.now < grace {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Sends SIGTERM without waiting (for `defer`).
    public func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Kills the child with SIGKILL, as a crash or a power cut would, and waits for it to be gone.
    public func crash() async {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = await exited(timeout: .seconds(20))
    }

    /// Sends SIGTERM and waits for the exit; after `timeout`, kills the child and returns nil.
    @discardableResult
    public func stop(timeout: Duration = .seconds(20)) async -> Int32? {
        terminate()
        if let status = await exited(timeout: timeout) { return status }
        kill(process.processIdentifier, SIGKILL)
        return nil
    }
}

/// The bytes one pipe delivered, read to EOF by a thread of its own.
private final class CapturedStream: Sendable {
    private let storage = Mutex<(bytes: [UInt8], ended: Bool)>(([], false))

    init(reading handle: FileHandle) {
        // The thread holds the handle, so the descriptor stays open until the loop is done with it.
        Thread.detachNewThread { [self] in
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    storage.withLock { $0.bytes += buffer[0..<count] }
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            storage.withLock { $0.ended = true }
            withExtendedLifetime(handle) {}
        }
    }

    /// The text so far and whether the stream has ended.
    var state: (text: String, ended: Bool) {
        storage.withLock { (String(decoding: $0.bytes, as: UTF8.self), $0.ended) }
    }

    /// The text so far.
    var text: String { state.text }

    /// Whether the writers have all closed the pipe.
    var ended: Bool { storage.withLock { $0.ended } }
}

/// Runs blocking work on a thread of its own and suspends until it is done: the cooperative
/// pool has only two threads here, and blocking one would stall the tasks under test.
public func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
