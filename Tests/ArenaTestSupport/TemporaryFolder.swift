import Foundation

/// A fresh folder, removed with all it holds when the value goes away.
public final class TemporaryFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates `<parent>/<prefix>-<UUID>`; the parent is the system's temporary folder unless given.
    public init(prefix: String = "arena-test", in parent: URL? = nil) throws {
        let base = parent ?? FileManager.default.temporaryDirectory
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The folder's path.
    public var path: String { url.path }

    /// The path of `name` (a relative path) inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The URL of `name` (a relative path) inside the folder.
    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}
