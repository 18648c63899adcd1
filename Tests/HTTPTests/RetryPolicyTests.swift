import Testing
@testable import HTTP

@Suite("RetryPolicy and Retry-After")
struct RetryPolicyTests {
    private func error(_ code: HTTPClientError.Code, sent: Bool) -> HTTPClientError {
        HTTPClientError(code: code, target: nil, detail: "test", requestMayHaveReachedServer: sent)
    }

    @Test("backoff draws from zero to base times two to the attempt, capped at the maximum")
    func backoffCeiling() {
        let high = RetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .seconds(1), random: { 0.999_999 })
        #expect(high.jitteredBackoff(attempt: 1) <= .milliseconds(100))
        #expect(high.jitteredBackoff(attempt: 1) > .milliseconds(99))
        #expect(high.jitteredBackoff(attempt: 3) > .milliseconds(399))
        #expect(high.jitteredBackoff(attempt: 3) <= .milliseconds(400))
        #expect(high.jitteredBackoff(attempt: 10) <= .seconds(1))
        #expect(high.jitteredBackoff(attempt: 10_000) <= .seconds(1))
        let low = RetryPolicy(baseDelay: .milliseconds(100), random: { 0 })
        #expect(low.jitteredBackoff(attempt: 5) == .zero)
        let half = RetryPolicy(baseDelay: .milliseconds(100), random: { 0.5 })
        #expect(half.jitteredBackoff(attempt: 2) == .milliseconds(100))
    }

    @Test("errors are retried only when safe", arguments: [
        (HTTPClientError.Code.connectionFailed, false, false, true),
        (.connectionFailed, true, false, true),
        (.timedOut, false, false, true),
        (.timedOut, true, false, false),
        (.timedOut, true, true, true),
        (.connectionLost, true, false, false),
        (.connectionLost, true, true, true),
        (.responseTooLarge, true, true, false),
        (.invalidRequest, false, true, false),
        (.tlsFailure, false, true, false),
        (.clientShutDown, false, true, false),
    ])
    func errorDecisions(code: HTTPClientError.Code, sent: Bool, idempotent: Bool, retried: Bool) {
        let policy = RetryPolicy(maximumAttempts: 3, random: { 0 })
        let decision = policy.decision(error: error(code, sent: sent), attempt: 1, idempotent: idempotent)
        #expect(decision == (retried ? .retry(after: .zero) : .stop))
        #expect(policy.decision(error: error(code, sent: sent), attempt: 3, idempotent: idempotent) == .stop)
    }

    @Test("statuses are retried only when listed, and only 429 for requests not idempotent", arguments: [
        (429, false, true), (429, true, true), (500, true, true), (500, false, false), (503, false, false),
        (502, true, true), (504, true, true), (404, true, false), (200, true, false), (400, true, false),
    ])
    func statusDecisions(status: Int, idempotent: Bool, retried: Bool) {
        let policy = RetryPolicy(maximumAttempts: 2, random: { 0 })
        let decision = policy.decision(status: status, retryAfter: nil, attempt: 1, idempotent: idempotent, nowEpochSeconds: 0)
        #expect(decision == (retried ? .retry(after: .zero) : .stop))
    }

    @Test("Retry-After is honoured on 429 and 503, with jitter added on top")
    func retryAfterDelay() {
        let policy = RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(100), maximumRetryAfter: .seconds(30), random: { 0.5 })
        #expect(policy.decision(status: 429, retryAfter: "2", attempt: 1, idempotent: false, nowEpochSeconds: 0) == .retry(after: .milliseconds(2_050)))
        #expect(policy.decision(status: 503, retryAfter: "2", attempt: 1, idempotent: true, nowEpochSeconds: 0) == .retry(after: .milliseconds(2_050)))
        #expect(policy.decision(status: 429, retryAfter: "31", attempt: 1, idempotent: true, nowEpochSeconds: 0) == .stop)
        #expect(policy.decision(status: 429, retryAfter: "garbage", attempt: 1, idempotent: true, nowEpochSeconds: 0) == .retry(after: .milliseconds(50)))
        let now = RetryAfter.httpDateEpochSeconds("Sun, 06 Nov 1994 08:49:37 GMT") ?? 0
        #expect(policy.decision(status: 429, retryAfter: "Sun, 06 Nov 1994 08:49:47 GMT", attempt: 1, idempotent: true, nowEpochSeconds: now) == .retry(after: .milliseconds(10_050)))
    }

    @Test("HTTP dates in the three formats of RFC 9110 are read", arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ])
    func httpDates(text: String) {
        #expect(RetryAfter.httpDateEpochSeconds(text) == 784_111_777)
    }

    @Test("Retry-After values: seconds, dates, past dates, nonsense")
    func retryAfterValues() {
        #expect(RetryAfter.delay(from: "120", nowEpochSeconds: 0) == .seconds(120))
        #expect(RetryAfter.delay(from: " 0 ", nowEpochSeconds: 0) == .zero)
        #expect(RetryAfter.delay(from: "99999999999999999999999", nowEpochSeconds: 0) == .seconds(999_999_999))
        #expect(RetryAfter.delay(from: "Thu, 01 Jan 1970 00:01:00 GMT", nowEpochSeconds: 30) == .seconds(30))
        #expect(RetryAfter.delay(from: "Thu, 01 Jan 1970 00:01:00 GMT", nowEpochSeconds: 300) == .zero)
        #expect(RetryAfter.delay(from: "-5", nowEpochSeconds: 0) == nil)
        #expect(RetryAfter.delay(from: "soon", nowEpochSeconds: 0) == nil)
        #expect(RetryAfter.delay(from: "Sun, 32 Nov 1994 08:49:37 GMT", nowEpochSeconds: 0) == nil)
        #expect(RetryAfter.httpDateEpochSeconds("Sat, 29 Feb 2020 23:59:59 GMT") == 1_583_020_799)
    }
}
