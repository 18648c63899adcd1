import ArenaCore

extension PriceTable {
    /// List prices in USD per million tokens (input / output) as the providers published them;
    /// edit here when they change. Cached-input discounts are not modelled, so costs are upper
    /// bounds for providers that cache prompts.
    public static let defaults = PriceTable([
        // OpenAI
        "gpt-4o": price("2.50", "10.00"),
        "gpt-4o-mini": price("0.15", "0.60"),
        "gpt-4.1": price("2.00", "8.00"),
        "gpt-4.1-mini": price("0.40", "1.60"),
        "gpt-4.1-nano": price("0.10", "0.40"),
        "gpt-5": price("1.25", "10.00"),
        "gpt-5-mini": price("0.25", "2.00"),
        "gpt-5-nano": price("0.05", "0.40"),
        "o3": price("2.00", "8.00"),
        "o4-mini": price("1.10", "4.40"),
        // Anthropic
        "claude-opus-4": price("15.00", "75.00"),
        "claude-sonnet-4": price("3.00", "15.00"),
        "claude-3-7-sonnet": price("3.00", "15.00"),
        "claude-3-5-haiku": price("0.80", "4.00"),
        "claude-haiku-4-5": price("1.00", "5.00"),
        // DeepSeek
        "deepseek-chat": price("0.27", "1.10"),
        "deepseek-reasoner": price("0.55", "2.19"),
        // xAI
        "grok-4": price("3.00", "15.00"),
        "grok-3-mini": price("0.30", "0.50"),
        // Qwen
        "qwen3-max": price("1.20", "6.00"),
        "qwen-plus": price("0.40", "1.20"),
        // Google (through OpenAI-compatible routers)
        "gemini-2.5-pro": price("1.25", "10.00"),
        "gemini-2.5-flash": price("0.30", "2.50"),
        // Local models run on our own CPU.
        "smollm2": price("0", "0"),
        "gemma3": price("0", "0"),
    ])

    private static func price(_ input: String, _ output: String) -> ModelPrice {
        // The literals above are valid decimals; a typo would show as a zero price in tests.
        ModelPrice(input: FixedDecimal(input) ?? .zero, output: FixedDecimal(output) ?? .zero)
    }
}
