import Foundation
@testable import LLM
import Testing

/// The compiled prompt templates: the Mustache subset the prompts use, rendered exactly as
/// swift-mustache 2 rendered them before (each expected string below was produced by it), and
/// the refusal, at load time, of what prompts do not support.
@Suite("Prompt templates")
struct PromptTemplateTests {
    /// Built at each use: a `[String: Any]` is not `Sendable`.
    static var context: [String: Any] { [
        "a": true, "b": false, "top": "TOP", "flag": true, "no": false, "int": 42, "double": 1.5, "zero": 0, "blank": "",
        "string": "s<&>\"", "list": ["one", "two"], "empty": [String](),
        "outer": ["name": "O", "inner": ["name": "I"] as [String: Any]] as [String: Any],
        "orders": [["line": "x"], ["line": "y"]],
        "mixed": ["text", 3, true, ["name": "N"]] as [Any],
        "null": NSNull(),
    ] }

    /// A small context of the shape `PromptContext` builds: two symbols, one without indicators.
    static var shippedContext: [String: Any] { [
        "account_name": "a & b", "universe": "BTC, ETH", "first_symbol": "BTC", "max_leverage": "5", "minimum_order_usd": "10",
        "call_number": "7",
        "symbols": [
            ["symbol": "BTC", "has_indicators": true, "mid": "65000.5", "ema20": "64900.1", "rsi14": "55.12", "macd": "12.3",
             "funding_rate": "0.0000125"] as [String: Any],
            ["symbol": "ETH", "has_indicators": false, "mid": "3456.78", "funding_rate": "0.00001"] as [String: Any],
        ],
        "account": ["equity": "10012.34", "cash": "9000.00", "return_pct": "0.12", "has_positions": true,
                    "positions": [["symbol": "ETH", "side": "long", "size": "2", "entry_price": "3446.78", "mark_price": "3456.78",
                                   "unrealized_pnl": "20.00", "leverage": "3"] as [String: Any]]] as [String: Any],
        "last_decision": ["call_number": "6", "result_words": "filled", "orders": [["line": "ETH buy 2"]], "has_orders": true,
                          "reason": #""why""#] as [String: Any],
    ] }

    func render(_ text: String, _ context: [String: Any] = Self.context) throws -> String {
        try PromptTemplate(text, file: "test.mustache").render(context)
    }

    @Test("a section, inverted section or comment alone on its line leaves no line; on the template's first line it does")
    func standaloneLines() throws {
        let cases: [(template: String, expected: String)] = [
            // The first line is never a line start (swift-mustache read it behind a pragma)...
            ("{{#a}}\nx\n{{/a}}\n", "\nx\n"),
            ("{{% CONTENT_TYPE: TEXT}}\nb", "\nb"),
            // ...unless it is blank, and then it goes.
            ("\n{{#a}}\nx\n{{/a}}\n", "x\n"),
            ("  \t\n{{#a}}\nx\n{{/a}}", "x\n"),
            ("\t\nA", "A"),
            ("x\n{{#a}}\nx\n{{/a}}\n", "x\nx\n"),
            // Indented standalone tags go with their indentation and trailing blanks.
            ("x\n  {{#a}}  \n  in\n  {{/a}}\t\nend", "x\n  in\nend"),
            ("a\n  {{#outer}}  \n  {{#inner}}\n{{name}}\n  {{/inner}}\n  {{/outer}}\nb", "a\nI\nb"),
            ("  {{#a}}\n  x\n  {{/a}}\n", "  \n  x\n"),
            ("x\n{{#a}}\n{{#b}}\nB\n{{/b}}\n{{^b}}\n  notB {{top}}\n{{/b}}\n{{/a}}\n", "x\n  notB TOP\n"),
            // Comments, also over several lines; two tags on a line are not standalone.
            ("x\n  {{! comment\n spans }}\nz\n", "x\nz\n"),
            ("x\n  {{! a }}{{! b }}\nz {{!c}} w\n", "x\n  \nz  w\n"),
            ("a\n{{% CONTENT_TYPE: TEXT}}\nb", "a\nb"),
            // A close tag followed by blanks but no line break at the end stays inline.
            ("end {{#a}}\n  x\n{{/a}}   ", "end \n  x\n   "),
            ("end\n{{#a}}\nx\n{{/a}}   ", "end\nx\n"),
            ("end\n{{#a}}\nx\n{{/a}}\n   ", "end\nx\n"),
            // CRLF line breaks.
            ("x\r\n{{#a}}\r\ny\r\n{{/a}}\r\nz\r\n", "x\r\ny\r\nz\r\n"),
            ("{{#a}}x{{/a}}", "x"),
            ("a { b {c} }}{ {{string}} }", "a { b {c} }}{ s<&>\" }"),
            ("a {", "a {"),
        ]
        for (template, expected) in cases {
            #expect(try render(template) == expected, "\(template.debugDescription)")
        }
    }

    @Test("values: names from outer levels, dotted names, the current value, truthiness and the text of each type")
    func values() throws {
        // Inner levels first, then outward; a dotted name does not climb back once its first part is found.
        #expect(try render("x\n{{#outer}}{{#inner}}{{name}}/{{inner.name}}/{{outer.name}}/{{top}}{{/inner}}{{/outer}}") == "x\nI/I/O/TOP")
        #expect(try render("{{missing.name}}|{{outer.missing.name}}|{{outer.name.deeper}}|{{outer.inner.name}}|{{#missing}}no{{/missing}}{{^missing}}yes{{/missing}}")
                == "|||I|yes")
        #expect(try render("{{ outer.inner.name }}{{#outer.inner}}{{name}}{{/outer.inner}}") == "II")
        // Lists: `{{.}}` is each element; an empty list's inverted section sees the list.
        #expect(try render("x\n{{#list}}\n- {{.}}\n{{/list}}\n{{^list}}\nnone {{.}}\n{{/list}}\n") == "x\n- one\n- two\n")
        #expect(try render("x\n{{#empty}}\n- {{.}}\n{{/empty}}\n{{^empty}}\nnone [{{.}}]\n{{/empty}}\n") == "x\nnone [[]]\n")
        #expect(try render("{{#orders}}- {{line}}{{/orders}}{{#orders}}{{.}}{{/orders}}") == #"- x- y["line": "x"]["line": "y"]"#)
        #expect(try render("{{#mixed}}[{{.}}|{{name}}]{{/mixed}}") == #"[text|][3|][true|][["name": "N"]|N]"#)
        // Only false, missing, null and an empty list are false: 0 and "" are true.
        #expect(try render("{{flag}} {{no}} {{int}} {{double}} {{zero}} {{blank}} {{#zero}}[0:{{.}}]{{/zero}}{{#blank}}[e:{{.}}]{{/blank}}{{^zero}}nz{{/zero}}{{^blank}}ne{{/blank}}")
                == "true false 42 1.5 0  [0:0][e:]")
        #expect(try render("{{#flag}}{{top}}{{/flag}} {{#string}}<{{.}}>{{/string}} {{#no}}no{{/no}}{{^no}}not{{/no}}") == #"TOP <s<&>"> not"#)
        #expect(try render("{{#null}}N{{/null}}{{^null}}notnull{{/null}}[{{null}}]") == "notnull[]")
        // Never escaped, whichever form.
        #expect(try render("{{{string}}} {{&string}} {{ string }} {{{ string }}}") == #"s<&>" s<&>" s<&>" s<&>""#)
    }

    @Test("what prompts do not support is refused at load time, naming the file, the line and the fix")
    func refusals() throws {
        let cases: [(template: String, message: String)] = [
            ("a\nb\n{{>footer}}", "the prompt test.mustache, line 3: {{> is a partial, which prompts do not support; paste the partial's text in its place"),
            ("{{=<% %>=}}", "line 1: {{= changes the tag delimiters, which prompts do not support; keep {{ and }}"),
            ("{{<base}}{{/base}}", "line 1: {{< is template inheritance, which prompts do not support; write the text out in full"),
            ("{{$block}}x{{/block}}", "line 1: {{$ is template inheritance"),
            ("x\n{{% CONTENT_TYPE: HTML}}", "line 2: {{% CONTENT_TYPE: HTML}} is not supported: the only pragma is {{% CONTENT_TYPE: TEXT}}"),
            ("{{%FOO: BAR}}", "line 1: {{%FOO: BAR}} is not supported"),
            ("x\n\n{{#symbols}}\n{{#flag}}\n{{/flag}}\n", "line 3: the section {{#symbols}} is never closed; add {{/symbols}} where it ends"),
            ("{{#a}}\n{{/b}}", "line 2: {{/b}} does not close the open section {{#a}} of line 1; close that one first, with {{/a}}"),
            ("x\n{{/a}}", "line 2: {{/a}} closes a section that is not open; remove it or open it with {{#a}} before"),
            ("{{upper(top)}}", "line 1: {{upper(top)}} applies a transform, which prompts do not support"),
            ("{{a b}}", "line 1: {{a b}} is not a tag the prompts understand"),
            ("{{}}", "line 1: {{}} has no valid name"),
            ("{{.a}}", "line 1: {{.a}} has no valid name"),
            ("{{a..b}}", "line 1: {{a..b}} has no valid name"),
            ("{{{top}}", "line 1: {{{top}} lacks its third closing brace"),
            ("x\n{{! unclosed", "line 2: the comment {{! is never closed; end it with }}"),
            ("x{{", "line 1: a tag opened with {{ is not closed on its line"),
            ("x{{\ny}}", "line 1: a tag opened with {{ is not closed on its line"),
        ]
        for (template, message) in cases {
            do {
                _ = try PromptTemplate(template, file: "test.mustache")
                Issue.record("\(template.debugDescription) was accepted")
            } catch let error as LLMError {
                #expect(error.code == .prompt)
                #expect(error.message.hasPrefix("the prompt test.mustache, line "), "\(error.message)")
                #expect(error.message.contains(message), "\(template.debugDescription): \(error.message)")
            }
        }
        // Through the library: the file's name as the operator wrote it.
        do {
            _ = try PromptLibrary(sources: ["mine.system": "ok", "mine.user": "x\n{{#account}}\n"])
            Issue.record("an unclosed section was accepted")
        } catch let error as LLMError {
            #expect(error.message == "the prompt mine.user.mustache, line 2: the section {{#account}} is never closed; add {{/account}} where it ends")
        }
    }

    @Test("every shipped template loads, and the short one renders exactly")
    func shippedTemplates() throws {
        let prompts = try repositoryPrompts()
        #expect(prompts.names == ["aware", "cautious", "default", "local", "max_leverage"])
        let context = Self.shippedContext
        let local = try prompts.render("local", context: context)
        #expect(local.user == """
            Market now (price, EMA20, RSI14, MACD, hourly funding):
            BTC: 65000.5, EMA20 64900.1, RSI14 55.12, MACD 12.3, funding 0.0000125
            ETH: 3456.78, funding 0.00001 (no history yet)

            Account: equity 10012.34, available cash 9000.00, return 0.12%.
            Positions:
            - ETH long 2 at 3446.78, now 3456.78, PnL 20.00, 3x
            Your last decision (call 6): filled.
            Why (data only): "why"
            - ETH buy 2

            This is call 7. Answer with the JSON decision only.
            """)
        #expect(local.system.hasPrefix(#"You trade crypto perpetual futures for the account "a & b". Symbols: BTC, ETH."#))
        #expect(local.system.hasSuffix(#"{"decisions": [{"symbol": "BTC", "action": "open_long", "size": 500, "size_unit": "usd", "leverage": 1, "confidence": 0.6, "justification": "Price is above its EMA20."}]}"#))
        for name in prompts.names {
            let rendered = try prompts.render(name, context: context)
            #expect(!rendered.system.contains("{{") && !rendered.user.contains("{{"), "\(name)")
            #expect(!rendered.user.hasPrefix("\n") && !rendered.user.hasSuffix("\n"), "\(name) is trimmed")
        }
        let user = try prompts.render("default", context: context).user
        #expect(user.contains("\nALL ETH DATA\ncurrent_price = 3456.78, funding rate (hourly) = 0.00001 (no indicator history yet)\n"))
        #expect(user.contains("\nCurrent live positions and performance:\n- ETH long: size 2, entry 3446.78, mark 3456.78"))
        #expect(user.contains("\nOrders:\n- ETH buy 2\n\nDecide now. Answer with the JSON decision only."))
    }

    @Test("a section on a shared group renders as on a plain one; its text is kept only when it reads nothing outside the group")
    func sharedGroups() throws {
        let template = try PromptTemplate("""
            {{#symbols}}[{{symbol}} {{mid}}{{#deep}} {{value}}{{/deep}}{{^deep}} -{{/deep}}]{{/symbols}}
            {{#symbols}}<{{symbol}} {{account_name}}>{{/symbols}}
            {{#symbols}}<{{symbol}}{{#has_extra}} {{extra}}{{/has_extra}}>{{/symbols}}
            """, file: "shared.mustache")
        let btc = SharedTemplateGroup(["symbol": .text("BTC"), "mid": .text("1"), "deep": .group(["value": .text("v")]),
                                       "has_extra": .flag(true)])
        let eth = SharedTemplateGroup(["symbol": .text("ETH"), "mid": .text("2"), "deep": .flag(false), "has_extra": .flag(true)])
        func context(account: String, extra: String?, shared: Bool) -> [String: TemplateValue] {
            var values: [String: TemplateValue] = [
                "account_name": .text(account),
                "symbols": .list([btc, eth].map { shared ? .shared($0) : .group($0.values) }),
            ]
            // Not in the groups: read from the top, where it differs from one render to the next.
            if let extra { values["extra"] = .text(extra) }
            return values
        }
        let expected = [
            "[BTC 1 v][ETH 2 -]\n<BTC a><ETH a>\n<BTC ><ETH >",
            "[BTC 1 v][ETH 2 -]\n<BTC b><ETH b>\n<BTC x><ETH x>",
            "[BTC 1 v][ETH 2 -]\n<BTC a><ETH a>\n<BTC y><ETH y>",
        ]
        for (index, (account, extra)) in [("a", nil), ("b", "x"), ("a", "y")].enumerated() {
            #expect(template.render(context(account: account, extra: extra, shared: true)) == expected[index], "render \(index)")
            #expect(template.render(context(account: account, extra: extra, shared: false)) == expected[index], "render \(index), plain")
        }
        // The first section read only its group; the others read the account's name and a missing name.
        #expect(btc.keptSections == 1 && eth.keptSections == 1)
    }
}
