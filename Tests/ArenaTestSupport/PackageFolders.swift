import Foundation

/// The package root: the folder holding Package.swift, found upward from this source file, so
/// tests and benchmarks find it from any working folder ("/" if there is none).
public let packageRoot: URL = findFolder(containing: "Package.swift", above: URL(fileURLWithPath: #filePath)) ?? URL(fileURLWithPath: "/")

/// A file or folder of the package, by its path relative to the package root.
public func packageFile(_ relativePath: String) -> URL {
    packageRoot.appendingPathComponent(relativePath)
}

/// The package's `migrations/` folder, as the path `Migrator(folder:)` takes.
public var packageMigrations: String { packageFile("migrations").path }

/// The `shared/` folder beside the package (`<package root>/../shared`), where cross-project fixtures live.
public let sharedFolder: URL = packageRoot.appendingPathComponent("../shared").standardizedFileURL

/// A file of `../shared/fixtures/`, by name.
public func sharedFixture(_ name: String) -> URL {
    sharedFolder.appendingPathComponent("fixtures").appendingPathComponent(name)
}

/// The nearest folder at or above `start` (a file or folder) that holds an entry called `name`.
public func findFolder(containing name: String, above start: URL) -> URL? {
    var url = start.standardizedFileURL
    while true {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path) { return url }
        if url.path == "/" { return nil }
        url.deleteLastPathComponent()
    }
}

/// An executable product built beside the running test bundle or benchmark (such as `arena`), if it is there.
public func builtProduct(_ name: String) -> URL? {
    let running: URL
    if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        running = URL(fileURLWithPath: link)
    } else if let main = Bundle.main.executableURL {
        running = main
    } else {
        return nil
    }
    var folder = running.deletingLastPathComponent()
    // On macOS the test binary sits in `Name.xctest/Contents/MacOS/`.
    if folder.lastPathComponent == "MacOS" {
        folder = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    let candidate = folder.appendingPathComponent(name)
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}
