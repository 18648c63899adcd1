import Testing
@testable import Arena
