import ArenaCore
import Testing
@testable import Hyperliquid

@Suite("wire numbers")
struct WireNumberTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let output: String?
        var testDescription: String { input }
    }

    static func table(_ name: String, outputKey: String = "output") -> [Case] {
        guard case .array(let rows)? = SigningVectors.document["number_tables"]?[name] else { return [] }
        return rows.compactMap { row in
            guard case .string(let input)? = row["input_repr"] else { return nil }
            switch row[outputKey] {
            case .string(let output)?: return Case(input: input, output: output)
            case .number(let output)?: return Case(input: input, output: output)
            default: return Case(input: input, output: nil)
            }
        }
    }

    @Test("the fixture's float_to_wire table: plain text without trailing zeros, or a rounding error", arguments: table("float_to_wire"))
    func floatToWire(row: Case) {
        if let output = row.output {
            #expect((try? WireNumber.string(parsing: row.input)) == output)
        } else {
            #expect(throws: HyperliquidError.numberNeedsRounding(field: "number")) {
                try WireNumber.string(parsing: row.input)
            }
        }
    }

    @Test("the fixture's float_to_int_for_hashing table scales by 10^8", arguments: table("float_to_int_for_hashing"))
    func intForHashing(row: Case) throws {
        let value = try WireNumber.decimal(parsing: row.input)
        #expect(try String(WireNumber.scaledInteger(value, decimals: 8)) == row.output)
    }

    @Test("the fixture's float_to_usd_int table scales by 10^6", arguments: table("float_to_usd_int"))
    func usdInt(row: Case) throws {
        let value = try WireNumber.decimal(parsing: row.input)
        #expect(try String(WireNumber.scaledInteger(value, decimals: 6)) == row.output)
    }

    @Test("the tables are present, so the parameterized tests above cannot pass empty")
    func tablesPresent() {
        #expect(Self.table("float_to_wire").count == 10)
        #expect(Self.table("float_to_int_for_hashing").count == 2)
        #expect(Self.table("float_to_usd_int").count == 2)
    }

    @Test("a USD amount with a seventh decimal needs rounding; zero and negative zero write as 0")
    func edges() throws {
        #expect(throws: HyperliquidError.numberNeedsRounding(field: "amount")) {
            try WireNumber.scaledInteger(FixedDecimal(raw: 1), decimals: 6, field: "amount")
        }
        #expect(try WireNumber.string(parsing: "-0.0") == "0")
        #expect(WireNumber.string(FixedDecimal(raw: 4_500)) == "0.000045")
        #expect(throws: HyperliquidError.self) { try WireNumber.string(parsing: "twelve") }
    }
}
