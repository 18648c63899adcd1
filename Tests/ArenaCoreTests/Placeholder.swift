import Testing
@testable import ArenaCore
