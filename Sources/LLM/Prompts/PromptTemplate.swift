import Foundation
import Synchronization

/// A prompt template parsed once into a tree and rendered by walking it: the Mustache subset the
/// prompts use, as plain text (nothing is ever HTML-escaped).
///
/// Supported: `{{name}}`, `{{{name}}}` and `{{&name}}` (the same: no escaping), dotted names
/// (`{{account.cash}}`), `{{.}}` (the current value), sections `{{#name}}…{{/name}}`, inverted
/// sections `{{^name}}…{{/name}}`, comments `{{! … }}` and the pragma `{{% CONTENT_TYPE: TEXT}}`
/// (the default, accepted for old templates). Partials, delimiter changes, inheritance,
/// transforms, other pragmas and unbalanced sections are refused when the template is loaded.
///
/// The output is that of swift-mustache 2 (which rendered the prompts before, with its
/// `CONTENT_TYPE: TEXT` pragma in front of each template), byte for byte, including its reading of
/// the Mustache spec's standalone lines:
/// - A section, inverted section, comment or pragma tag alone on its line (spaces and tabs around
///   it) leaves no line behind; so does a close tag, even when its open tag was not alone.
/// - Whether a tag starts a line is decided as swift-mustache does: on the template's first line
///   (behind the pragma it prepended) no tag is standalone unless the line is blank, and after a
///   section the next line counts as a line start only when the section's open tag was standalone.
/// - A line break is `\n` or `\r\n`; after a standalone tag any Unicode line break is dropped.
/// - Spaces and tabs after the template's last line break are dropped.
///
/// Values: a name is looked up in the innermost dictionary that has its first part, then down
/// the other parts (no climbing back). `false`, a missing name, `NSNull` and an empty array hide a
/// section; anything else shows it (an empty string and `0` included). A section on an array
/// renders once per element; on `true` it renders in the same context; on any other value it
/// renders with that value as the innermost context. Text is a `String` as is, `Bool`, `Int` and
/// `Double` as Swift prints them, anything else as `String(describing:)`. Only dictionaries with
/// `String` keys have named children. A context of `TemplateValue`s (what `PromptContext` builds)
/// renders exactly as its `anyValue` would, without a dynamic cast: one walker, specialized for each.
public struct PromptTemplate: Sendable {
    /// A dotted name split once: empty for `.`, the current value.
    struct Name: Sendable, Hashable {
        var keys: [String]
    }

    enum Node: Sendable {
        case text(String)
        case value(Name)
        /// A section, with a number no other section of the process has (parsed templates
        /// included), under which a shared group keeps the section's text.
        case section(Name, [Node], id: Int)
        case invertedSection(Name, [Node])
    }

    /// The number of the next section parsed.
    private static let nextSectionID = Atomic<Int>(0)

    let nodes: [Node]
    /// A first guess at the output's size in UTF-8 bytes, so that rendering rarely grows it.
    private let capacityHint: Int
    /// The first part of every name the template looks up, anywhere in it: the context's
    /// top-level values it may read (a name inside a section may also resolve at the top).
    public let names: Set<String>

    /// Parses a template.
    /// - Parameters:
    ///   - text: The template.
    ///   - file: The template's file name, for the errors.
    /// - Throws: `LLMError.prompt` naming the file, the line and the fix when the template uses
    ///   what is not supported or is malformed.
    public init(_ text: String, file: String) throws {
        var parser = Parser(text, file: file)
        nodes = try parser.parseTemplate()
        capacityHint = 1_024 + 4 * Self.textBytes(nodes)
        names = Self.firstKeys(nodes)
    }

    private static func firstKeys(_ nodes: [Node]) -> Set<String> {
        nodes.reduce(into: Set<String>()) { names, node in
            switch node {
            case .text: break
            case .value(let name): if let first = name.keys.first { names.insert(first) }
            case .section(let name, let body, _), .invertedSection(let name, let body):
                if let first = name.keys.first { names.insert(first) }
                names.formUnion(firstKeys(body))
            }
        }
    }

    /// Renders the template with `context` as the outermost dictionary: the prompt context's
    /// own values, read without any cast.
    public func render(_ context: [String: TemplateValue]) -> String {
        render(from: TemplateValue.group(context))
    }

    /// Renders the template with `context` as the outermost dictionary, whatever its values are
    /// (see the type's description for how each kind of value reads).
    public func render(_ context: [String: Any]) -> String {
        render(from: AnyTemplateValue(context))
    }

    private func render<Value: TemplateReadable>(from root: Value) -> String {
        var walk = Walk(root: root, capacity: capacityHint)
        Self.render(nodes, &walk)
        return walk.output
    }

    private static func textBytes(_ nodes: [Node]) -> Int {
        nodes.reduce(0) { total, node in
            switch node {
            case .text(let text): total + text.utf8.count
            case .value: total
            case .section(_, let body, _), .invertedSection(_, let body): total + textBytes(body)
            }
        }
    }
}

// MARK: Rendering

extension PromptTemplate {
    /// Where a render is: the text so far, and the value each open section entered, innermost last.
    private struct Walk<Value: TemplateReadable> {
        var stack: [Value]
        var output = String()
        /// While a shared group's section is rendered to be kept, the group's level in `stack`
        /// (0 otherwise): a lookup that reaches below it reads more than the group.
        var floor = 0
        var readBelowFloor = false

        init(root: Value, capacity: Int) {
            stack = [root]
            stack.reserveCapacity(8)
            output.reserveCapacity(capacity)
        }
    }

    // One walker for both kinds of context, specialized for each.
    private static func render<Value: TemplateReadable>(_ nodes: [Node], _ walk: inout Walk<Value>) {
        for index in nodes.indices {
            switch nodes[index] {
            case .text(let text):
                walk.output += text
            case .value(let name):
                lookup(name, &walk)?.appendText(to: &walk.output)
            case .section(let name, let body, let id):
                guard let value = lookup(name, &walk) else { continue }
                switch value.section {
                case .hidden:
                    break
                case .sameContext:
                    render(body, &walk)
                case .entered:
                    enter(value, body, section: id, &walk)
                case .elements(let elements):
                    for element in elements { enter(element, body, section: id, &walk) }
                }
            case .invertedSection(let name, let body):
                guard let value = lookup(name, &walk) else {
                    render(body, &walk)
                    continue
                }
                switch value.invertedSection {
                case .hidden: break
                case .shown: render(body, &walk)
                // swift-mustache renders an empty list's inverted section with the list as the
                // current value (`{{.}}` shows `[]`).
                case .shownInside: enter(value, body, section: nil, &walk)
                }
            }
        }
    }

    /// Renders `body` with `value` as the innermost context. A shared group gives the text it
    /// keeps for the section, or keeps the text rendered now if nothing outside the group was
    /// read (a name looked up below the group, found or not, could read otherwise next time).
    private static func enter<Value: TemplateReadable>(_ value: Value, _ body: [Node], section: Int?, _ walk: inout Walk<Value>) {
        if let section, walk.floor == 0, let group = value.sharedGroup {
            if let kept = group.text(ofSection: section) {
                walk.output += kept
                return
            }
            var before = String()
            swap(&before, &walk.output)
            walk.floor = walk.stack.count
            walk.readBelowFloor = false
            walk.stack.append(value)
            render(body, &walk)
            walk.stack.removeLast()
            walk.floor = 0
            if !walk.readBelowFloor { group.keep(walk.output, ofSection: section) }
            before += walk.output
            walk.output = before
            return
        }
        walk.stack.append(value)
        render(body, &walk)
        walk.stack.removeLast()
    }

    /// The value of `name`: the current value for `.`; otherwise the first part looked up from
    /// the innermost level out, the other parts down from where it was found.
    private static func lookup<Value: TemplateReadable>(_ name: Name, _ walk: inout Walk<Value>) -> Value? {
        guard let first = name.keys.first else { return walk.stack.last }
        var level = walk.stack.count - 1
        while level >= 0 {
            if level < walk.floor { walk.readBelowFloor = true }
            if let found = walk.stack[level].child(first) {
                var value = found
                var index = 1
                while index < name.keys.count {
                    guard let child = value.child(name.keys[index]) else { return nil }
                    value = child
                    index += 1
                }
                return value
            }
            level -= 1
        }
        return nil
    }
}

/// How a section tag treats a value.
enum TemplateSection<Value> {
    /// Not rendered (`false`, null, an empty list).
    case hidden
    /// Rendered once in the same context (`true`).
    case sameContext
    /// Rendered once with the value as the innermost context.
    case entered
    /// Rendered once per element, each the innermost context in turn.
    case elements([Value])
}

/// How an inverted section tag treats a value that is there.
enum TemplateInvertedSection {
    case hidden
    case shown
    /// Shown with the value as the innermost context (an empty list).
    case shownInside
}

/// A value a template can read: its children by name, how sections treat it, and its text.
protocol TemplateReadable {
    func child(_ name: String) -> Self?
    /// The group whose sections' texts are kept across renders, if the value is one.
    var sharedGroup: SharedTemplateGroup? { get }
    var section: TemplateSection<Self> { get }
    var invertedSection: TemplateInvertedSection { get }
    func appendText(to output: inout String)
}

/// A value of the prompt context: text (numbers come preformatted), a flag, named values, or a
/// list. Rendered as the same value seen through `Any` would be, without casting anything.
public enum TemplateValue: Sendable, Hashable {
    case text(String)
    case flag(Bool)
    case group([String: TemplateValue])
    /// Named values read alike by many renders (see `SharedTemplateGroup`).
    case shared(SharedTemplateGroup)
    case list([TemplateValue])

    /// The same value as `[String: Any]` contexts hold it: `String`, `Bool`, `[String: Any]`, `[Any]`.
    public var anyValue: Any {
        switch self {
        case .text(let text): text
        case .flag(let flag): flag
        case .group(let values): values.mapValues(\.anyValue)
        case .shared(let group): group.values.mapValues(\.anyValue)
        case .list(let elements): elements.map(\.anyValue)
        }
    }
}

/// Named values that many renders read alike (one symbol's market values, the same for every
/// account deciding on one market update). A section entered on them renders once per template:
/// its text is kept under the section and reused, unless the section read a name from outside the
/// group (then it renders every time, since that name can differ from one render to the next).
public final class SharedTemplateGroup: Sendable, Hashable {
    public let values: [String: TemplateValue]
    private let texts = Mutex<[Int: String]>([:])

    public init(_ values: [String: TemplateValue]) { self.values = values }

    func text(ofSection section: Int) -> String? { texts.withLock { $0[section] } }

    func keep(_ text: String, ofSection section: Int) { texts.withLock { $0[section] = text } }

    /// How many sections' texts are kept.
    var keptSections: Int { texts.withLock { $0.count } }

    public static func == (a: SharedTemplateGroup, b: SharedTemplateGroup) -> Bool { a.values == b.values }

    public func hash(into hasher: inout Hasher) { hasher.combine(values) }
}

extension TemplateValue: TemplateReadable {
    func child(_ name: String) -> TemplateValue? {
        switch self {
        case .group(let values): values[name]
        case .shared(let group): group.values[name]
        case .text, .flag, .list: nil
        }
    }

    var sharedGroup: SharedTemplateGroup? {
        if case .shared(let group) = self { return group }
        return nil
    }

    var section: TemplateSection<TemplateValue> {
        switch self {
        case .flag(let flag): flag ? .sameContext : .hidden
        case .list(let elements): elements.isEmpty ? .hidden : .elements(elements)
        case .text, .group, .shared: .entered
        }
    }

    var invertedSection: TemplateInvertedSection {
        switch self {
        case .flag(let flag): flag ? .hidden : .shown
        case .list(let elements): elements.isEmpty ? .shownInside : .hidden
        case .text, .group, .shared: .hidden
        }
    }

    func appendText(to output: inout String) {
        switch self {
        case .text(let text): output += text
        case .flag(let flag): output += flag ? "true" : "false"
        // Printed as Swift prints the same value seen through `Any` (no shipped prompt does this).
        case .group, .shared, .list: AnyTemplateValue(anyValue).appendText(to: &output)
        }
    }
}

/// A value of a `[String: Any]` context, read as swift-mustache 2 read it.
struct AnyTemplateValue: TemplateReadable {
    let value: Any

    init(_ value: Any) { self.value = value }

    func child(_ name: String) -> AnyTemplateValue? {
        (value as? [String: Any])?[name].map(AnyTemplateValue.init)
    }

    var sharedGroup: SharedTemplateGroup? { nil }

    var section: TemplateSection<AnyTemplateValue> {
        if let flag = value as? Bool { return flag ? .sameContext : .hidden }
        if value is [String: Any] { return .entered }
        if type(of: value) == NSNull.self { return .hidden }
        if let elements = value as? [Any] { return .elements(elements.map(AnyTemplateValue.init)) }
        return .entered
    }

    var invertedSection: TemplateInvertedSection {
        if let flag = value as? Bool { return flag ? .hidden : .shown }
        if type(of: value) == NSNull.self { return .shown }
        if let elements = value as? [Any], elements.isEmpty { return .shownInside }
        return .hidden
    }

    func appendText(to output: inout String) {
        if let text = value as? String {
            output += text
        } else if let flag = value as? Bool {
            output += flag ? "true" : "false"
        } else if let integer = value as? Int {
            output += String(integer)
        } else if let double = value as? Double {
            output += double.description
        } else if type(of: value) == NSNull.self {
            return
        } else if let optional = value as? any OptionalValue {
            // swift-mustache unwraps one level of optional, and prints `nil` for none.
            output += String(describing: optional.wrappedAny ?? value)
        } else {
            output += String(describing: value)
        }
    }
}

/// An optional seen through `Any`, to print what it wraps.
private protocol OptionalValue {
    var wrappedAny: Any? { get }
}

extension Optional: OptionalValue {
    fileprivate var wrappedAny: Any? { self }
}

// MARK: Parsing

extension PromptTemplate {
    /// Reads a template as swift-mustache 2 did, one `Character` (grapheme) at a time, and
    /// refuses what prompts do not support.
    struct Parser {
        let characters: [Character]
        let file: String
        var position = 0

        init(_ text: String, file: String) {
            characters = Array(text)
            self.file = file
        }

        /// Parses the whole template.
        mutating func parseTemplate() throws -> [Node] {
            // swift-mustache parsed each prompt behind a `{{% CONTENT_TYPE: TEXT}}` tag: on a
            // blank first line it is standalone (and takes the line break); otherwise the first
            // line does not start at a line start for the standalone rules.
            let newLine = finishLine()
            return try parseBody(section: nil, newLine: newLine)
        }

        /// An open section: its name, as written, and the line of its tag.
        struct OpenSection {
            var name: String
            var line: Int
        }

        /// Parses up to the end of the template, or up to and including the close tag of `section`.
        private mutating func parseBody(section: OpenSection?, newLine startsOnNewLine: Bool) throws -> [Node] {
            var nodes: [Node] = []
            var newLine = startsOnNewLine
            var whitespaceBefore = ""
            func appendText(_ text: String) {
                if case .text(let previous) = nodes.last {
                    nodes[nodes.count - 1] = .text(previous + text)
                } else {
                    nodes.append(.text(text))
                }
            }
            while !atEnd {
                if newLine { whitespaceBefore = read(while: { $0 == " " || $0 == "\t" }) }
                let (text, foundTag) = readText()
                if !foundTag, current.isNewline {
                    appendText(whitespaceBefore + text + String(current))
                    newLine = true
                    position += 1
                    continue
                }
                if !text.isEmpty {
                    appendText(whitespaceBefore + text)
                    whitespaceBefore = ""
                    newLine = false
                }
                guard foundTag else { break }
                let tagStart = position - 2
                if atEnd || current.isNewline {
                    throw error(at: tagStart, "a tag opened with {{ is not closed on its line; close it with }} or remove the braces")
                }
                var setNewLine = false
                let kind = current
                switch kind {
                case "#", "^":
                    position += 1
                    let name = try readName(tagStart: tagStart, kind: String(kind))
                    if isStandalone(newLine) {
                        setNewLine = true
                    } else if !whitespaceBefore.isEmpty {
                        appendText(whitespaceBefore)
                        whitespaceBefore = ""
                    }
                    let open = OpenSection(name: name.written, line: line(at: tagStart))
                    let body = try parseBody(section: open, newLine: setNewLine)
                    if kind == "#" {
                        nodes.append(.section(name.name, body, id: PromptTemplate.nextSectionID.wrappingAdd(1, ordering: .relaxed).oldValue))
                    } else {
                        nodes.append(.invertedSection(name.name, body))
                    }
                case "/":
                    position += 1
                    let name = try readName(tagStart: tagStart, kind: "/")
                    guard let section else {
                        throw error(at: tagStart, "{{/\(name.written)}} closes a section that is not open; remove it or open it with {{#\(name.written)}} before")
                    }
                    guard name.written == section.name else {
                        throw error(at: tagStart, "{{/\(name.written)}} does not close the open section {{#\(section.name)}} of line \(section.line); close that one first, with {{/\(section.name)}}")
                    }
                    if !isStandalone(newLine), !whitespaceBefore.isEmpty {
                        appendText(whitespaceBefore)
                    }
                    return nodes
                case "!":
                    position += 1
                    guard let end = find("}}") else {
                        throw error(at: tagStart, "the comment {{! is never closed; end it with }}")
                    }
                    position = end + 2
                    setNewLine = isStandalone(newLine)
                case "{", "&":
                    if !whitespaceBefore.isEmpty {
                        appendText(whitespaceBefore)
                        whitespaceBefore = ""
                    }
                    position += 1
                    let name = try readName(tagStart: tagStart, kind: String(kind))
                    if kind == "{" {
                        guard !atEnd, current == "}" else {
                            throw error(at: tagStart, "{{{\(name.written)}} lacks its third closing brace; write {{{\(name.written)}}} (or {{\(name.written)}}: prompts are never escaped)")
                        }
                        position += 1
                    }
                    nodes.append(.value(name.name))
                case ">":
                    throw error(at: tagStart, "{{> is a partial, which prompts do not support; paste the partial's text in its place")
                case "<", "$":
                    throw error(at: tagStart, "{{\(kind) is template inheritance, which prompts do not support; write the text out in full")
                case "=":
                    throw error(at: tagStart, "{{= changes the tag delimiters, which prompts do not support; keep {{ and }}")
                case "%":
                    position += 1
                    try readPragma(tagStart: tagStart)
                    setNewLine = isStandalone(newLine)
                default:
                    if !whitespaceBefore.isEmpty {
                        appendText(whitespaceBefore)
                        whitespaceBefore = ""
                    }
                    let name = try readName(tagStart: tagStart, kind: "")
                    nodes.append(.value(name.name))
                }
                newLine = setNewLine
            }
            if let section {
                throw error(line: section.line, "the section {{#\(section.name)}} is never closed; add {{/\(section.name)}} where it ends")
            }
            return nodes
        }

        // MARK: Reading

        private var atEnd: Bool { position >= characters.count }

        /// The current character, or NUL at the end (as swift-mustache's reader).
        private var current: Character { atEnd ? "\0" : characters[position] }

        private mutating func read(while predicate: (Character) -> Bool) -> String {
            var text = ""
            while !atEnd, predicate(characters[position]) {
                text.append(characters[position])
                position += 1
            }
            return text
        }

        /// Reads text up to a line break (`\n` or `\r\n`, left unread) or past the next `{{`.
        private mutating func readText() -> (text: String, foundTag: Bool) {
            var text = ""
            while !atEnd {
                let character = characters[position]
                if character == "\n" || character == "\r\n" { return (text, false) }
                if character == "{", position + 1 < characters.count, characters[position + 1] == "{" {
                    position += 2
                    return (text, true)
                }
                text.append(character)
                position += 1
            }
            return (text, false)
        }

        /// Whether the tag just read stands alone on its line; if so, the rest of the line (spaces,
        /// tabs and the line break) is consumed.
        private mutating func isStandalone(_ newLine: Bool) -> Bool {
            newLine && finishLine()
        }

        /// At the end, or before spaces and tabs up to a line break (consumed): true.
        private mutating func finishLine() -> Bool {
            if atEnd { return true }
            var index = position
            while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
            guard index < characters.count, characters[index].isNewline else { return false }
            position = index + 1
            return true
        }

        private func find(_ string: String) -> Int? {
            let pattern = Array(string)
            var index = position
            while index + pattern.count <= characters.count {
                if characters[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
                index += 1
            }
            return nil
        }

        private static let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_?*")

        /// Reads a tag's name and its closing `}}`.
        private mutating func readName(tagStart: Int, kind: String) throws -> (name: Name, written: String) {
            _ = read(while: \.isWhitespace)
            let written = read(while: { Self.nameCharacters.contains($0) || $0 == "." || $0 == "(" || $0 == ")" })
            _ = read(while: \.isWhitespace)
            guard position + 1 < characters.count, characters[position] == "}", characters[position + 1] == "}" else {
                throw error(at: tagStart, "\(snippet(from: tagStart)) is not a tag the prompts understand: a name is letters, digits, _ or -, its parts joined by dots (account.cash), or . alone, closed with }}")
            }
            position += 2
            if written.contains("(") || written.contains(")") {
                throw error(at: tagStart, "{{\(kind)\(written)}} applies a transform, which prompts do not support; format the value where the prompt context is built")
            }
            if written == "." { return (Name(keys: []), written) }
            let keys = written.split(separator: ".", omittingEmptySubsequences: false)
            guard !written.isEmpty, keys.allSatisfy({ !$0.isEmpty }) else {
                throw error(at: tagStart, "{{\(kind)\(written)}} has no valid name: a name is letters, digits, _ or -, its parts joined by dots (account.cash), or . alone")
            }
            return (Name(keys: keys.map(String.init)), written)
        }

        /// Reads the rest of a `{{%` tag: only `CONTENT_TYPE: TEXT`, what the prompts are anyway.
        private mutating func readPragma(tagStart: Int) throws {
            guard let end = find("}}") else {
                throw error(at: tagStart, "the pragma {{% is never closed; remove it (prompts are plain text without it)")
            }
            let body = String(characters[position..<end])
            let parts = body.split(separator: ":", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard parts == ["CONTENT_TYPE", "TEXT"] else {
                throw error(at: tagStart, "{{%\(body)}} is not supported: the only pragma is {{% CONTENT_TYPE: TEXT}} (prompts are never HTML-escaped); remove the line")
            }
            position = end + 2
        }

        // MARK: Errors

        /// The line (from 1) of a character, counting every Unicode line break as swift-mustache.
        private func line(at index: Int) -> Int {
            var line = 1
            for character in characters[..<min(index, characters.count)] where character.isNewline { line += 1 }
            return line
        }

        /// The start of a tag as written: up to its line's end, at most 40 characters.
        private func snippet(from index: Int) -> String {
            var end = index
            while end < characters.count, end - index < 40, !characters[end].isNewline {
                end += 1
                if end - index >= 4, characters[end - 1] == "}", characters[end - 2] == "}" { break }
            }
            return String(characters[index..<end])
        }

        private func error(at index: Int, _ problem: String) -> LLMError {
            error(line: line(at: index), problem)
        }

        private func error(line: Int, _ problem: String) -> LLMError {
            LLMError(.prompt, "the prompt \(file), line \(line): \(problem)")
        }
    }
}
