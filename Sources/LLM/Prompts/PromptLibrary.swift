import Foundation

/// The prompt templates of `prompts/`: for each name, `NAME.system.mustache` and
/// `NAME.user.mustache`, each parsed once into a `PromptTemplate` (the Mustache subset the prompts
/// use, as plain text, no HTML escaping).
public struct PromptLibrary: Sendable {
    /// A rendered pair of prompts.
    public struct Rendered: Sendable, Hashable {
        public var system: String
        public var user: String

        /// Both prompts as stored in the decision record.
        public var combined: String { "[system]\n\(system)\n\n[user]\n\(user)" }
    }

    private var templates: [String: PromptTemplate]

    /// The template names available (those with both a system and a user template), sorted.
    public let names: [String]

    /// Loads every `*.mustache` file of a folder.
    /// - Throws: `LLMError.prompt` when the folder cannot be read or a template does not parse.
    public init(folder: String) throws {
        let url = URL(fileURLWithPath: folder, isDirectory: true)
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".mustache") }.sorted()
        } catch {
            throw LLMError(.prompt, "the prompt folder \(folder) cannot be read")
        }
        var sources: [String: String] = [:]
        for file in files {
            guard let data = FileManager.default.contents(atPath: url.appendingPathComponent(file).path), data.count <= 1 << 20 else {
                throw LLMError(.prompt, "the prompt \(file) cannot be read or is larger than 1 MiB")
            }
            sources[String(file.dropLast(".mustache".count))] = String(decoding: data, as: UTF8.self)
        }
        try self.init(sources: sources)
    }

    /// Builds a library from template texts keyed `NAME.system` and `NAME.user`.
    /// - Throws: `LLMError.prompt` naming the file and the line when a template does not parse or
    ///   uses what prompts do not support (see `PromptTemplate`).
    public init(sources: [String: String]) throws {
        var templates: [String: PromptTemplate] = [:]
        // Sorted, so that of several broken templates the same one is reported each time.
        for (key, text) in sources.sorted(by: { $0.key < $1.key }) {
            templates[key] = try PromptTemplate(text, file: key + ".mustache")
        }
        self.templates = templates
        names = Set(templates.keys.compactMap { key -> String? in
            guard key.hasSuffix(".system") else { return nil }
            let name = String(key.dropLast(".system".count))
            return templates[name + ".user"] == nil ? nil : name
        }).sorted()
    }

    /// Whether `name` may name a template: letters, digits, `-` or `_`, 1 to 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { $0.isASCIILetterOrDigit || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// Whether the templates of `name` may read the context's top-level value `key`, so that a
    /// value no template reads need not be built.
    public func uses(_ key: String, in name: String) -> Bool {
        [templates[name + ".system"], templates[name + ".user"]].contains { $0?.names.contains(key) ?? true }
    }

    /// Whether both templates of `name` exist.
    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// Renders the system and user templates of `name` with `context` (`PromptContext.make`).
    /// - Throws: `LLMError.prompt` when the templates are missing.
    public func render(_ name: String, context: [String: TemplateValue]) throws -> Rendered {
        try render(name) { $0.render(context) }
    }

    /// Renders the system and user templates of `name` with a context of any values.
    /// - Throws: `LLMError.prompt` when the templates are missing.
    public func render(_ name: String, context: [String: Any]) throws -> Rendered {
        try render(name) { $0.render(context) }
    }

    private func render(_ name: String, with render: (PromptTemplate) -> String) throws -> Rendered {
        guard let system = templates[name + ".system"], let user = templates[name + ".user"] else {
            throw LLMError(.prompt, "no prompt templates named \(name) (known: \(names.joined(separator: ", ")))")
        }
        return Rendered(system: render(system).trimmingSet(" \n"), user: render(user).trimmingSet(" \n"))
    }

    /// Finds the `prompts` folder: beside the current directory, or above the executable (as in
    /// a checkout where the binary sits in `.build/...`).
    public static func locateFolder() -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        var executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(executable.path)
            executable.deleteLastPathComponent()
        }
        for candidate in candidates {
            let folder = URL(fileURLWithPath: candidate).appendingPathComponent("prompts").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue { return folder }
        }
        return nil
    }
}

extension UInt8 {
    var isASCIILetterOrDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A)
    }
}
