import ArenaCore
import Foundation
import LLM
import Storage
import Testing
@testable import Arena

/// The next prompt tells the model what became of its previous decision.
@Suite("Feedback on the last decision")
struct FeedbackTests {
    @Test("the next prompt reports a fill, then a refusal and its reason, then a parse failure and its reason")
    func feedbackInNextPrompt() async throws {
        let provider = try await FakeProvider.shared()
        let channel = "feedback\(UInt32.random(in: 0...UInt32.max))"
        let tooSmall = #"{"decisions": [{"symbol": "BTC", "action": "open_long", "size": 1, "size_unit": "usd", "leverage": 1, "confidence": 0.5, "justification": "tiny"}]}"#
        let hold = #"{"decisions": []}"#
        try await provider.script(channel, [
            FakeProvider.Step(body: ProviderReply.openAITool(goodAnswer)),
            FakeProvider.Step(body: ProviderReply.openAITool(tooSmall)),
            FakeProvider.Step(body: ProviderReply.openAIText("I think BTC will go up.")),
            FakeProvider.Step(body: ProviderReply.openAIText("Still thinking about it.")),
            FakeProvider.Step(body: ProviderReply.openAITool(hold)),
        ])
        var account = try LLMAccount.make(configuration: try fakeConfiguration(provider, channel: channel), services: try testServices())
        for _ in 0..<4 { try await account.cycle() }

        let prompts = try account.decisions().map { $0["prompt"] as String }
        try #require(prompts.count == 4)
        #expect(!prompts[0].contains("WHAT HAPPENED TO YOUR LAST DECISION"))
        #expect(prompts[1].contains("WHAT HAPPENED TO YOUR LAST DECISION (call 1 at"))
        #expect(prompts[1].contains("Result: filled"))
        #expect(prompts[1].contains("- ETH buy ") && prompts[1].contains(": filled at "))
        #expect(prompts[2].contains("Result: refused"))
        #expect(prompts[2].contains("minimum value"))
        #expect(prompts[3].contains("Result: failed"))
        #expect(prompts[3].contains("unusable after one repair request"))
        #expect(prompts[3].contains("no JSON object"))
    }
}
