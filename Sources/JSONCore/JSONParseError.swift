/// Why a text is not the JSON a parse accepts: the problem and the byte offset where it was found.
///
/// The description never quotes the input (a signing line carries a private key); callers that
/// may echo input, such as a repair prompt for a model, can read `problem` for the details.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong.
    public enum Problem: Sendable, Hashable {
        /// Nothing but whitespace.
        case emptyText
        /// The text is longer than the limit allows.
        case tooLong(bytes: Int, limit: Int)
        /// Arrays and objects nest deeper than the limit allows.
        case tooDeep(limit: Int)
        /// The text ends where a value should start.
        case unexpectedEnd
        /// A character that cannot start a value.
        case unexpectedCharacter
        /// `NaN` or `Infinity`, which JSON has no numbers for.
        case nonFiniteNumber
        /// Something other than whitespace follows the value.
        case trailingContent
        /// A word that is not `true`, `false` or `null`.
        case invalidLiteral
        /// An object member does not start with a quoted key.
        case expectedKey
        /// A key appears twice in one object; the key is kept for callers that may show it.
        case duplicateKey(String)
        /// A key is not followed by a colon.
        case expectedColon
        /// An object member is followed by neither a comma nor a closing brace.
        case expectedCommaOrBrace
        /// An array element is followed by neither a comma nor a closing bracket.
        case expectedCommaOrBracket
        /// The text ends inside an object.
        case unterminatedObject
        /// The text ends inside an array.
        case unterminatedArray
        /// A number breaks the RFC 8259 grammar (missing digits, a bare point or exponent).
        case invalidNumber
        /// A number starts with a zero followed by more digits.
        case leadingZero
        /// A number's text is longer than the limit allows.
        case numberTooLong(limit: Int)
        /// The text ends inside a string.
        case unterminatedString
        /// The text ends right after a backslash.
        case unterminatedEscape
        /// A backslash followed by a character JSON does not define.
        case invalidEscape
        /// A `\u` escape with fewer than four characters left.
        case truncatedUnicodeEscape
        /// A `\u` escape whose four characters are not all hex digits.
        case invalidUnicodeEscape
        /// A UTF-16 surrogate escape without its other half.
        case unpairedSurrogate
        /// A raw control character (below U+0020) inside a string.
        case controlCharacter
        /// A string's bytes are not valid UTF-8.
        case invalidUTF8
    }

    /// What was wrong.
    public let problem: Problem
    /// The byte offset where parsing stopped; nil when the problem is the text as a whole.
    public let offset: Int?

    /// Creates an error.
    public init(_ problem: Problem, at offset: Int?) {
        self.problem = problem
        self.offset = offset
    }

    /// The problem in a few words, without any of the input.
    public var reason: String {
        switch problem {
        case .emptyText: "empty text"
        case .tooLong(let bytes, let limit): "text of \(bytes) bytes exceeds the limit of \(limit)"
        case .tooDeep(let limit): "nesting deeper than \(limit)"
        case .unexpectedEnd: "unexpected end of text"
        case .unexpectedCharacter: "unexpected character"
        case .nonFiniteNumber: "NaN and Infinity are not JSON numbers"
        case .trailingContent: "unexpected content after the value"
        case .invalidLiteral: "invalid literal"
        case .expectedKey: "expected a key string"
        case .duplicateKey: "duplicate key"
        case .expectedColon: "expected ':'"
        case .expectedCommaOrBrace: "expected ',' or '}'"
        case .expectedCommaOrBracket: "expected ',' or ']'"
        case .unterminatedObject: "unterminated object"
        case .unterminatedArray: "unterminated array"
        case .invalidNumber: "invalid number"
        case .leadingZero: "number with a leading zero"
        case .numberTooLong(let limit): "number longer than \(limit) characters"
        case .unterminatedString: "unterminated string"
        case .unterminatedEscape: "unterminated escape"
        case .invalidEscape: "invalid escape"
        case .truncatedUnicodeEscape: "truncated \\u escape"
        case .invalidUnicodeEscape: "invalid \\u escape"
        case .unpairedSurrogate: "unpaired surrogate escape"
        case .controlCharacter: "control character in string"
        case .invalidUTF8: "string is not valid UTF-8"
        }
    }

    /// The reason and, when there is one, its byte offset ("expected ':' at byte 5").
    public var description: String {
        guard let offset else { return reason }
        return "\(reason) at byte \(offset)"
    }
}
