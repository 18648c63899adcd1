import Testing
@testable import PaperExchange
