import Foundation

/// Finds the project's folders (`migrations/`, `static/`) for a binary that may run from the
/// repository or from its build folder.
enum ResourceLocator {
    /// The first of: the current directory's `name`, then `name` in each ancestor of the
    /// executable's folder. Nil if none exists.
    static func folder(_ name: String) -> String? {
        let fileManager = FileManager.default
        var candidates = [URL(fileURLWithPath: fileManager.currentDirectoryPath).appendingPathComponent(name)]
        if let executable = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(folder.appendingPathComponent(name))
                folder = folder.deletingLastPathComponent()
            }
        }
        var isDirectory: ObjCBool = false
        return candidates.first { fileManager.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue }?.path
    }
}
