import Testing
@testable import Hyperliquid
