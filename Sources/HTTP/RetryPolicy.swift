/// When and how long to wait before repeating a request: exponential backoff with full jitter,
/// `Retry-After` honoured on 429 and 503.
///
/// A failed attempt is repeated only when repeating is safe: a connection that never opened
/// always; a timeout or a lost connection after the request may have reached the server only for
/// idempotent requests; a 429 always (the server refused before acting); another retryable
/// status (5xx, 408) only for idempotent requests.
public struct RetryPolicy: Sendable {
    /// The most attempts, counting the first; 1 disables retries.
    public var maximumAttempts: Int
    /// The backoff ceiling of the first retry; doubled on each further retry.
    public var baseDelay: Duration
    /// The largest backoff ceiling.
    public var maximumDelay: Duration
    /// The longest `Retry-After` honoured; a longer one ends the retries and returns the response.
    public var maximumRetryAfter: Duration
    /// The status codes that lead to another attempt.
    public var retryableStatuses: Set<Int>
    /// Returns a number in `0..<1` for the jitter; injectable for deterministic tests.
    public var random: @Sendable () -> Double

    /// Creates a policy.
    /// - Parameters:
    ///   - maximumAttempts: The most attempts, counting the first; values below 1 count as 1.
    ///   - baseDelay: The backoff ceiling of the first retry.
    ///   - maximumDelay: The largest backoff ceiling.
    ///   - maximumRetryAfter: The longest `Retry-After` honoured.
    ///   - retryableStatuses: The status codes that lead to another attempt.
    ///   - random: The jitter source, returning numbers in `0..<1`.
    public init(
        maximumAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(250),
        maximumDelay: Duration = .seconds(10),
        maximumRetryAfter: Duration = .seconds(60),
        retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504],
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumRetryAfter = maximumRetryAfter
        self.retryableStatuses = retryableStatuses
        self.random = random
    }

    /// One attempt only.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// What the policy decides after an attempt.
    public enum Decision: Sendable, Equatable {
        /// Wait this long, then try again.
        case retry(after: Duration)
        /// Stop and hand the outcome to the caller.
        case stop
    }

    /// Returns the decision after a response.
    /// - Parameters:
    ///   - status: The response status.
    ///   - retryAfter: The response's `Retry-After` value, if any.
    ///   - attempt: The number of the attempt that produced it, starting at 1.
    ///   - idempotent: Whether the request is safe to repeat.
    ///   - nowEpochSeconds: The current wall-clock time, to read `Retry-After` dates.
    public func decision(status: Int, retryAfter: String?, attempt: Int, idempotent: Bool, nowEpochSeconds: Int64) -> Decision {
        guard attempt < maximumAttempts, retryableStatuses.contains(status) else { return .stop }
        guard status == 429 || idempotent else { return .stop }
        let backoff = jitteredBackoff(attempt: attempt)
        guard status == 429 || status == 503, let retryAfter,
              let serverDelay = RetryAfter.delay(from: retryAfter, nowEpochSeconds: nowEpochSeconds)
        else { return .retry(after: backoff) }
        guard serverDelay <= maximumRetryAfter else { return .stop }
        // Jitter on top of the server's delay keeps many rate-limited callers from returning at once.
        return .retry(after: serverDelay + backoff)
    }

    /// Returns the decision after a failed attempt.
    /// - Parameters:
    ///   - error: The attempt's error.
    ///   - attempt: The number of the failed attempt, starting at 1.
    ///   - idempotent: Whether the request is safe to repeat.
    public func decision(error: HTTPClientError, attempt: Int, idempotent: Bool) -> Decision {
        guard attempt < maximumAttempts, error.isRetryable(idempotent: idempotent) else { return .stop }
        return .retry(after: jitteredBackoff(attempt: attempt))
    }

    /// Returns a delay drawn uniformly from zero to `min(maximumDelay, baseDelay * 2^(attempt-1))`.
    func jitteredBackoff(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 40)
        let ceilingSeconds = min(Self.seconds(maximumDelay), Self.seconds(baseDelay) * Double(1 << exponent))
        let draw = min(max(random(), 0), 1)
        return .nanoseconds(Int64((ceilingSeconds * draw * 1e9).rounded(.down)))
    }

    static func seconds(_ duration: Duration) -> Double {
        let components = duration.components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Reads `Retry-After` values: delay-seconds or an HTTP date (RFC 9110, 10.2.3).
public enum RetryAfter {
    /// Returns the delay a `Retry-After` value asks for, zero for a date in the past, or nil when
    /// the value is neither a number of seconds nor an HTTP date.
    /// - Parameters:
    ///   - value: The header value.
    ///   - nowEpochSeconds: The current wall-clock time in seconds since 1970.
    public static func delay(from value: String, nowEpochSeconds: Int64) -> Duration? {
        let trimmed = value.trimmingASCIIWhitespace()
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Every value past nine digits is far beyond any sane limit; the cap avoids overflow.
            guard trimmed.utf8.count <= 9, let seconds = Int64(trimmed) else { return .seconds(999_999_999) }
            return .seconds(seconds)
        }
        guard let date = httpDateEpochSeconds(trimmed) else { return nil }
        return .seconds(max(0, date - nowEpochSeconds))
    }

    /// Returns the seconds since 1970 of an IMF-fixdate, RFC 850 or asctime date, or nil.
    public static func httpDateEpochSeconds(_ text: String) -> Int64? {
        let separators: Set<Character> = [" ", ",", "-", ":"]
        let tokens = text.split(whereSeparator: { separators.contains($0) }).map(String.init)
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        func month(_ token: String) -> Int? {
            months.firstIndex(of: token.lowercased()).map { $0 + 1 }
        }
        var day: Int, monthNumber: Int, year: Int, hour: Int, minute: Int, second: Int
        if tokens.count == 8, tokens[7].uppercased() == "GMT",
           let parsedDay = Int(tokens[1]), let parsedMonth = month(tokens[2]), let parsedYear = Int(tokens[3]),
           let parsedHour = Int(tokens[4]), let parsedMinute = Int(tokens[5]), let parsedSecond = Int(tokens[6]) {
            // IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") or RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT").
            day = parsedDay
            monthNumber = parsedMonth
            year = tokens[3].count == 2 ? (parsedYear < 70 ? 2000 + parsedYear : 1900 + parsedYear) : parsedYear
            hour = parsedHour
            minute = parsedMinute
            second = parsedSecond
        } else if tokens.count == 7, let parsedMonth = month(tokens[1]), let parsedDay = Int(tokens[2]),
                  let parsedHour = Int(tokens[3]), let parsedMinute = Int(tokens[4]), let parsedSecond = Int(tokens[5]),
                  let parsedYear = Int(tokens[6]) {
            // asctime ("Sun Nov  6 08:49:37 1994").
            day = parsedDay
            monthNumber = parsedMonth
            year = parsedYear
            hour = parsedHour
            minute = parsedMinute
            second = parsedSecond
        } else {
            return nil
        }
        guard (1...31).contains(day), (1970...9999).contains(year), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        return daysFromCivil(year: year, month: monthNumber, day: day) * 86_400
            + Int64(hour * 3_600 + minute * 60 + second)
    }

    /// Returns the days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    /// Returns the string without leading and trailing spaces, tabs, carriage returns and line
    /// feeds. Works on bytes, since "\r\n" is one Character and would slip past a Character test.
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
