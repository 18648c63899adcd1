import Testing
@testable import Market
